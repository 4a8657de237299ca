import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { configJsonSchemaText } from '../stacks/platform/config/json-schema';
import { projectRoot } from '../tooling/lambda-bundle';
import { Io, UsageError, processIo, strictArgs, usageError } from './cli-args';

// `npm run schema`: regenerates config/schema.json from the zod schema. A test fails
// when the committed file is stale.
export const USAGE = `usage: npm run schema

  writes config/schema.json from the typed configuration (stacks/config/)
  --help   print this and exit
`;

export function main(argv: string[], io: Io = processIo): number {
  try {
    if (strictArgs({ options: { help: { type: 'boolean', short: 'h' } } }, argv).values.help) {
      io.out(USAGE);
      return 0;
    }
  } catch (err) {
    if (err instanceof UsageError) return usageError(io, USAGE, err);
    throw err;
  }
  const path = join(projectRoot(), 'config', 'schema.json');
  writeFileSync(path, configJsonSchemaText());
  io.out(`wrote ${path}\n`);
  return 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
