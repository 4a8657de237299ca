import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { configJsonSchemaText } from '../stacks/config/json-schema';
import { projectRoot } from '../stacks/lambda-bundle';

// `npm run schema`: regenerates config/schema.json from the zod schema. A test fails
// when the committed file is stale.
const path = join(projectRoot(), 'config', 'schema.json');
writeFileSync(path, configJsonSchemaText());
process.stdout.write(`wrote ${path}\n`);
