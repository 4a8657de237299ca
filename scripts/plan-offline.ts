// `npm run plan:offline [-- <cdktf.out dir>] [--no-synth] [--validate-only]`:
// synth, then terraform init/validate/plan of every stack with no AWS access. Each
// stack's result is printed as it finishes, with a running count: a fleet takes minutes.
import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { projectRoot } from '../tooling/lambda-bundle';
import { ensureBuilt } from '../tooling/run';
import { SynthOutputError } from '../tooling/synth-output';
import { Io, UsageError, commandLine, processIo, runMain } from './cli-args';
import { MirrorError, findProviderMirror } from './provider-mirror';
import { HarnessError, StackResult, checkAll, checkStack, listStacks, planSummaryLine, terraformEnv } from './terraform-harness';

export const USAGE = `usage: npm run plan:offline -- [<cdktf.out dir>] [--no-synth] [--validate-only]

  <cdktf.out dir>   where to synthesize and plan (default: cdktf.out)
  --no-synth        plan what the folder already holds
  --validate-only   terraform validate instead of plan (no plan.json)
  --help            print this and exit

exit status: 0 every stack passed, 1 a stack failed or terraform is missing, 2 usage error
`;

/** What `main` runs; tests replace terraform with their own. */
export interface OfflineDeps {
  synth(outdir: string): void;
  terraformEnv: typeof terraformEnv;
  findProviderMirror: typeof findProviderMirror;
  checkStack: typeof checkStack;
}

const DEPS: OfflineDeps = {
  synth: (outdir) => {
    execFileSync(process.execPath, [ensureBuilt('main.ts')], { stdio: 'inherit', env: { ...process.env, CDKTF_OUTDIR: outdir } });
  },
  terraformEnv,
  findProviderMirror,
  checkStack,
};

/** One stack's result: `[2/5] ok   <stack> (12.3 s) planned: Plan: ...`, or FAIL with terraform's output indented. */
export function resultLine(r: StackResult, finished: number, total: number, plan: boolean): string {
  const count = `[${finished}/${total}]`;
  if (r.ok)
    return `${count} ok   ${r.name} (${r.seconds.toFixed(1)} s) ${plan ? `planned: ${planSummaryLine(r.output)} -> ${r.planJson}` : 'valid'}\n`;
  return `${count} FAIL ${r.name}: terraform ${r.step} failed\n${r.output.replace(/^/gm, '     ')}\n`;
}

export async function main(argv: string[], io: Io = processIo, deps: OfflineDeps = DEPS): Promise<number> {
  const args = commandLine(
    argv,
    io,
    USAGE,
    {
      options: { 'no-synth': { type: 'boolean' }, 'validate-only': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
    },
    ({ positionals }) => {
      if (positionals.length > 1) throw new UsageError(`expected at most one cdktf.out folder, got ${positionals.length}`);
    },
  );
  if (typeof args === 'number') return args;
  const root = projectRoot();
  const outdir = resolve(args.positionals[0] ?? join(root, 'cdktf.out'));
  if (!args.values['no-synth']) deps.synth(outdir);
  const env = await deps.terraformEnv(join(root, '.tmp'));
  const mirror = deps.findProviderMirror();
  io.out(`hashicorp/aws from ${mirror ? `the filesystem mirror ${mirror.path}` : 'the registry'}\n`);
  const plan = !args.values['validate-only'];
  const results = await checkAll(listStacks(outdir), env, {
    plan,
    concurrency: 2,
    check: deps.checkStack,
    onResult: (r, finished, total) => io.out(resultLine(r, finished, total, plan)),
  });
  const failed = results.filter((r) => !r.ok).length;
  io.out(`${results.length - failed} of ${results.length} stacks ${plan ? 'validated and planned' : 'validated'} offline\n`);
  return failed === 0 ? 0 : 1;
}

if (require.main === module) {
  runMain('plan:offline', () => main(process.argv.slice(2)), {
    failCode: 1,
    plain: (err) => err instanceof HarnessError || err instanceof MirrorError || err instanceof SynthOutputError,
  });
}
