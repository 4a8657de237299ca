import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Io } from '../../scripts/cli-args';
import { OfflineDeps, USAGE as OFFLINE_USAGE, main as planOffline } from '../../scripts/plan-offline';
import { USAGE as SUMMARY_USAGE, main as planSummary } from '../../scripts/plan-summary';
import { planMatrix } from '../../scripts/plan-summary/matrix';
import { summarize } from '../../scripts/plan-summary/render';
import type { StackEntry, StackResult } from '../../scripts/terraform-harness';
import { USAGE as SCHEMA_USAGE, main as writeSchema } from '../../scripts/write-schema';
import { ROOT } from '../helpers/synth';
import { compliantStack } from '../policies/fixtures';

// The command lines of plan:summary, plan:offline and schema, run in-process.

function io(env: NodeJS.ProcessEnv = {}): Io & { stdout: string; stderr: string } {
  const captured = {
    stdout: '',
    stderr: '',
    out: (s: string) => void (captured.stdout += s),
    err: (s: string) => void (captured.stderr += s),
    env,
  };
  return captured;
}

/** A cdktf.out-shaped folder with the given stacks (hand-built, compliant). */
function outdir(names: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'command-line-'));
  const stacks: Record<string, unknown> = {};
  for (const name of names) {
    mkdirSync(join(dir, 'stacks', name), { recursive: true });
    writeFileSync(join(dir, 'stacks', name, 'cdk.tf.json'), JSON.stringify(compliantStack()));
    stacks[name] = { name, workingDirectory: `stacks/${name}` };
  }
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ stacks }));
  return dir;
}

describe.each([
  ['plan:summary', (argv: string[], i: Io) => planSummary(argv, i), SUMMARY_USAGE],
  ['plan:offline', (argv: string[], i: Io) => planOffline(argv, i), OFFLINE_USAGE],
  ['schema', async (argv: string[], i: Io) => writeSchema(argv, i), SCHEMA_USAGE],
])('%s arguments', (_name, main, usage) => {
  it('--help prints the usage to stdout, exit 0', async () => {
    for (const help of ['--help', '-h']) {
      const c = io();
      expect(await main([help], c)).toBe(0);
      expect([c.stdout, c.stderr]).toEqual([usage, '']);
    }
  });

  it('an unknown flag is an error: the message and the usage on stderr, exit 2', async () => {
    for (const argv of [['--bogus'], ['--bogus=1'], ['-x']]) {
      const c = io();
      expect(await main(argv, c)).toBe(2);
      expect(c.stdout).toBe('');
      expect(c.stderr.startsWith(`Unknown option '${argv[0].replace('=1', '')}'`)).toBe(true);
      expect(c.stderr.endsWith(`\n${usage}`)).toBe(true);
    }
  });
});

describe('plan:summary command line', () => {
  it('refuses a missing or extra folder, a flag without its value, and --matrix with --output', async () => {
    const dir = outdir(['prod-ap-northeast-1']);
    for (const [argv, message] of [
      [[], 'no cdktf.out folder given'],
      [[dir, dir], 'expected one cdktf.out folder, got 2'],
      [[dir, '--output'], "Option '--output <value>' argument missing"],
      [['--matrix', '--output', 'x.json', dir], '--matrix prints to stdout; --output is for the summary'],
      [['--matrix=yes', dir], "Option '--matrix' does not take an argument"],
    ] as const) {
      const c = io();
      expect(await planSummary([...argv], c)).toBe(2);
      expect(c.stderr).toBe(`${message}\n${SUMMARY_USAGE}`);
    }
  });

  it('--output FILE and --output=FILE write the summary there; without it, stdout', async () => {
    const dir = outdir(['prod-ap-northeast-1']);
    const expected = await summarize(dir);
    expect(expected).toContain('| prod-ap-northeast-1 |');
    for (const argv of [
      ['--output', join(dir, 'a.md'), dir],
      [`--output=${join(dir, 'b.md')}`, dir],
    ]) {
      const c = io();
      expect(await planSummary(argv, c)).toBe(0);
      expect(c.stdout).toBe('');
    }
    expect(readFileSync(join(dir, 'a.md'), 'utf8')).toBe(expected);
    expect(readFileSync(join(dir, 'b.md'), 'utf8')).toBe(expected);
    const c = io();
    expect(await planSummary([dir], c)).toBe(0);
    expect(c.stdout).toBe(expected);
  });

  it("--matrix prints the workflow matrix from the environment's roles and configuration", async () => {
    const dir = outdir(['prod-ap-northeast-1']);
    const roles = { '111111111111': 'arn:aws:iam::111111111111:role/plan' };
    const c = io({ SSMB_PLAN_ROLES: JSON.stringify(roles), SSMB_CONFIG: join(ROOT, 'config', 'example.json') });
    expect(await planSummary(['--matrix', dir], c)).toBe(0);
    const include = planMatrix(dir, roles);
    expect(c.stdout).toBe(`${JSON.stringify({ stacks: 1, chunks: [{ name: '1-1 of 1', include }] })}\n`);
    expect(include).toHaveLength(1);
  });

  it('a folder without a manifest says to synthesize', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'command-line-'));
    await expect(planSummary([empty], io())).rejects.toThrow(`${join(empty, 'manifest.json')} not found: run \`npm run synth\` first`);
  });
});

describe('plan:offline command line', () => {
  const result = (name: string, ok: boolean): StackResult => ({
    name,
    ok,
    step: ok ? 'done' : 'plan',
    output: ok ? 'Plan: 3 to add, 0 to change, 0 to destroy.\n' : 'Error: boom\n',
    validated: ok,
    planJson: ok ? `${name}/plan.json` : undefined,
    seconds: 1.25,
  });

  it('prints each stack as it finishes with a running count, then the tally', async () => {
    const dir = outdir(['a-slow', 'b-fast', 'c-fails']);
    const c = io();
    const synth = jest.fn();
    const planned: boolean[] = [];
    // a-slow finishes once b-fast has been reported (or after 2 s): printed only at the end, a-slow would come first.
    const reported = (name: string) =>
      new Promise<void>((done) => {
        const started = Date.now();
        const poll = setInterval(() => (c.stdout.includes(name) || Date.now() - started > 2_000) && (clearInterval(poll), done()), 5);
      });
    const deps: OfflineDeps = {
      synth,
      terraformEnv: async () => ({}),
      findProviderMirror: () => undefined,
      checkStack: async (stack: StackEntry, _env, opts) => {
        planned.push(opts.plan);
        if (stack.name === 'a-slow') await reported('b-fast');
        return result(stack.name, stack.name !== 'c-fails');
      },
    };
    expect(await planOffline(['--no-synth', dir], c, deps)).toBe(1);
    expect(synth).not.toHaveBeenCalled();
    expect(planned).toEqual([true, true, true]);
    expect(c.stdout).toBe(
      [
        'hashicorp/aws from the registry',
        '[1/3] ok   b-fast (1.3 s) planned: Plan: 3 to add, 0 to change, 0 to destroy. -> b-fast/plan.json',
        '[2/3] FAIL c-fails: terraform plan failed',
        '     Error: boom',
        '     ',
        '[3/3] ok   a-slow (1.3 s) planned: Plan: 3 to add, 0 to change, 0 to destroy. -> a-slow/plan.json',
        '2 of 3 stacks validated and planned offline',
        '',
      ].join('\n'),
    );
  });

  it('synthesizes first unless --no-synth; --validate-only validates', async () => {
    const dir = outdir(['a']);
    const c = io();
    const planned: boolean[] = [];
    const synth = jest.fn();
    const deps: OfflineDeps = {
      synth,
      terraformEnv: async () => ({}),
      findProviderMirror: () => ({ path: '/mirror', from: 'env' }),
      checkStack: async (s, _e, opts) => (planned.push(opts.plan), result(s.name, true)),
    };
    expect(await planOffline(['--validate-only', dir], c, deps)).toBe(0);
    expect(synth).toHaveBeenCalledWith(dir);
    expect(planned).toEqual([false]);
    expect(c.stdout).toBe(
      'hashicorp/aws from the filesystem mirror /mirror\n[1/1] ok   a (1.3 s) valid\n1 of 1 stacks validated offline\n',
    );
  });

  it('refuses extra folders and values on switches', async () => {
    for (const [argv, message] of [
      [['a', 'b'], 'expected at most one cdktf.out folder, got 2'],
      [['--no-synth=1'], "Option '--no-synth' does not take an argument"],
    ] as const) {
      const c = io();
      expect(await planOffline([...argv], c)).toBe(2);
      expect(c.stderr).toBe(`${message}\n${OFFLINE_USAGE}`);
    }
  });
});

describe('schema command line', () => {
  it('takes no folder or file', () => {
    const c = io();
    expect(writeSchema(['config/schema.json'], c)).toBe(2);
    expect(c.stderr).toMatch(/^Unexpected argument 'config\/schema\.json'/);
    expect(c.stdout).toBe('');
  });
});
