import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { configJsonSchemaText } from '../stacks/platform/config/json-schema';
import { projectRoot } from '../tooling/lambda-bundle';

// `npm run schema`: regenerates config/schema.json from the zod schema. A test fails
// when the committed file is stale.
const path = join(projectRoot(), 'config', 'schema.json');
writeFileSync(path, configJsonSchemaText());
process.stdout.write(`wrote ${path}\n`);
