// `npm run --silent drift -- <cdktf.out dir> --output FILE [--run-url URL]`: the drift
// issue of .github/workflows/drift.yml from every stack's plan (plan.json and
// drift-exitcode.txt, or plan-error.txt / plan-skipped.txt) beside its synthesized JSON.
// Writes the issue body to FILE and prints {"state": "clean" | "drift", "title": ...}.
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Io, UsageError, commandLine, onePositional, processIo, runMain } from './cli-args';
import { readDrift, renderDriftIssue } from './deploy/drift';

export const USAGE = `usage: npm run --silent drift -- <cdktf.out dir> --output FILE [--run-url URL]

  --output FILE    write the issue body to FILE
  --run-url URL    link the workflow run from the issue
  --help           print this and exit

Prints {"state": "clean" | "drift", "title": "..."}: "clean" when every stack planned
without changes (close the issue), "drift" when one drifted or could not be planned.
exit status: 0 written, 2 usage or input error
`;

export async function main(argv: string[], io: Io = processIo): Promise<number> {
  const args = commandLine(
    argv,
    io,
    USAGE,
    {
      options: { output: { type: 'string' }, 'run-url': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
    },
    ({ positionals, values }) => {
      onePositional(positionals, 'cdktf.out folder');
      if (values.output === undefined) throw new UsageError('--output is required');
    },
  );
  if (typeof args === 'number') return args;
  const issue = renderDriftIssue(readDrift(resolve(args.positionals[0])), { runUrl: args.values['run-url'] });
  writeFileSync(args.values.output!, issue.body);
  io.out(`${JSON.stringify({ state: issue.state, title: issue.title })}\n`);
  return 0;
}

if (require.main === module) runMain('drift', () => main(process.argv.slice(2)));
