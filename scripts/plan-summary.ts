// `npm run plan:summary -- <cdktf.out dir> [--output FILE]`: the markdown summary of
// every stack's plan for the pull-request comment (plan-summary/render.ts).
//
// `npm run --silent plan:summary -- --matrix <cdktf.out dir>`: the workflow's plan
// matrix instead (plan-summary/matrix.ts), as JSON on stdout.
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadConfig } from '../stacks/platform/config/load';
import { configPlanRoles, parseRoles, planMatrix } from './plan-summary/matrix';
import { summarize } from './plan-summary/render';

async function main(argv: string[]): Promise<number> {
  if (argv[0] === '--matrix' && argv.length === 2) {
    // The configuration synthesized (SSMB_CONFIG, as `npm run synth`) supplies each account's planRoleArn.
    const planRoles = configPlanRoles(loadConfig());
    const include = planMatrix(resolve(argv[1]), parseRoles(process.env.SSMB_PLAN_ROLES), process.env.SSMB_PLAN_ROLE_NAME || undefined, planRoles);
    process.stdout.write(`${JSON.stringify({ include })}\n`);
    return 0;
  }
  const outIdx = argv.indexOf('--output');
  const output = outIdx >= 0 ? argv[outIdx + 1] : undefined;
  const rest = outIdx >= 0 ? argv.filter((_, i) => i !== outIdx && i !== outIdx + 1) : argv;
  if (rest.length !== 1 || rest[0].startsWith('--')) {
    process.stderr.write('usage: npm run plan:summary -- <cdktf.out dir> [--output FILE]\n       npm run plan:summary -- --matrix <cdktf.out dir>\n');
    return 2;
  }
  const md = await summarize(resolve(rest[0]));
  if (output) writeFileSync(output, md);
  else process.stdout.write(md);
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (err) => {
      process.stderr.write(`plan:summary failed: ${(err as Error).message}\n`);
      process.exitCode = 2;
    },
  );
}
