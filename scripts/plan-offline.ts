import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { findProviderMirror } from './provider-mirror';
import { HarnessError, checkAll, listStacks, planSummaryLine, terraformEnv } from './terraform-harness';
import { projectRoot } from '../tooling/lambda-bundle';

// `npm run plan:offline [-- <cdktf.out dir>] [--no-synth] [--validate-only]`:
// synth, then terraform init/validate/plan of every stack with no AWS access.
async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const root = projectRoot();
  const outdir = resolve(args.find((a) => !a.startsWith('--')) ?? join(root, 'cdktf.out'));
  if (!args.includes('--no-synth')) {
    execFileSync(process.execPath, [join(root, 'dist', 'synth.js')], { stdio: 'inherit', env: { ...process.env, CDKTF_OUTDIR: outdir } });
  }
  const env = await terraformEnv(join(root, '.tmp'));
  const mirror = findProviderMirror();
  process.stdout.write(`hashicorp/aws from ${mirror ? `the filesystem mirror ${mirror.path}` : 'the registry'}\n`);
  const stacks = listStacks(outdir);
  const plan = !args.includes('--validate-only');
  const results = await checkAll(stacks, env, { plan, concurrency: 2 });
  let failed = 0;
  for (const r of results) {
    if (r.ok) {
      const what = plan ? `planned: ${planSummaryLine(r.output)} -> ${r.planJson}` : 'valid';
      process.stdout.write(`ok   ${r.name} (${r.seconds.toFixed(1)} s) ${what}\n`);
    } else {
      failed++;
      process.stdout.write(`FAIL ${r.name}: terraform ${r.step} failed\n${r.output.replace(/^/gm, '     ')}\n`);
    }
  }
  process.stdout.write(`${results.length - failed} of ${results.length} stacks ${plan ? 'validated and planned' : 'validated'} offline\n`);
  return failed === 0 ? 0 : 1;
}

main().then(
  (code) => (process.exitCode = code),
  (err) => {
    process.stderr.write(`${err instanceof HarnessError ? '' : 'plan:offline failed: '}${(err as Error).message}\n`);
    process.exitCode = 1;
  },
);
