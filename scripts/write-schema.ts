import { join } from 'node:path';
import { configJsonSchemaText } from '../stacks/platform/config/json-schema';
import { Io, generateFile, processIo } from './cli-args';

// `npm run schema`: regenerates config/schema.json from the zod schema. A test fails
// when the committed file is stale.
export const USAGE = `usage: npm run schema

  writes config/schema.json from the typed configuration (stacks/platform/config/ and each capability's config.ts)
  --help   print this and exit
`;

export function main(argv: string[], io: Io = processIo): number {
  return generateFile(argv, io, USAGE, join('config', 'schema.json'), configJsonSchemaText);
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
