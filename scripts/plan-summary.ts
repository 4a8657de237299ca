// `npm run plan:summary -- <cdktf.out dir> [--output FILE]`: the markdown summary of
// every stack's plan for the pull-request comment (plan-summary/render.ts).
//
// `npm run --silent plan:summary -- --matrix <cdktf.out dir>`: the workflow's plan
// matrices instead (plan-summary/matrix.ts), as JSON on stdout:
// {"stacks": <count>, "chunks": [{"name": "1-256 of 300", "include": [...]}, ...]}.
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DEFAULT_CONFIG_PATH, loadConfig } from '../stacks/platform/config/load';
import { Io, UsageError, commandLine, onePositional, processIo, runMain } from './cli-args';
import { configPlanRoles, matrixChunks, parseRoles, planMatrix } from './plan-summary/matrix';
import { summarize } from './plan-summary/render';

export const USAGE = `usage: npm run plan:summary -- <cdktf.out dir> [--output FILE]
       npm run plan:summary -- --matrix <cdktf.out dir>

  --output FILE   write the summary to FILE instead of stdout
  --matrix        print the workflow's plan matrix (JSON) instead; the configuration
                  (SSMB_CONFIG) and SSMB_PLAN_ROLES / SSMB_PLAN_ROLE_NAME name the roles
  --help          print this and exit
`;

export async function main(argv: string[], io: Io = processIo): Promise<number> {
  const args = commandLine(
    argv,
    io,
    USAGE,
    { options: { output: { type: 'string' }, matrix: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }, allowPositionals: true },
    ({ positionals, values }) => {
      onePositional(positionals, 'cdktf.out folder');
      if (values.matrix && values.output !== undefined) throw new UsageError('--matrix prints to stdout; --output is for the summary');
    },
  );
  if (typeof args === 'number') return args;
  const outdir = resolve(args.positionals[0]);
  if (args.values.matrix) {
    // The configuration synthesized (SSMB_CONFIG, as `npm run synth`) supplies each account's planRoleArn.
    const planRoles = configPlanRoles(loadConfig(io.env.SSMB_CONFIG || DEFAULT_CONFIG_PATH));
    const include = planMatrix(outdir, parseRoles(io.env.SSMB_PLAN_ROLES), io.env.SSMB_PLAN_ROLE_NAME || undefined, planRoles);
    io.out(`${JSON.stringify(matrixChunks(include))}\n`);
    return 0;
  }
  const md = await summarize(outdir);
  if (args.values.output !== undefined) writeFileSync(args.values.output, md);
  else io.out(md);
  return 0;
}

if (require.main === module) runMain('plan:summary', () => main(process.argv.slice(2)));
