import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Io } from '../../scripts/cli-args';
import { USAGE as SUMMARY_USAGE, main as planSummary } from '../../scripts/plan-summary';
import { planMatrix } from '../../scripts/plan-summary/matrix';
import { summarize } from '../../scripts/plan-summary/render';
import { USAGE as SCHEMA_USAGE, main as writeSchema } from '../../scripts/write-schema';
import { ROOT } from '../helpers/synth';
import { compliantStack } from '../policies/fixtures';

// The command lines of plan:summary and schema, run in-process.

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
    for (const argv of [['--output', join(dir, 'a.md'), dir], [`--output=${join(dir, 'b.md')}`, dir]]) {
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

  it('--matrix prints the workflow matrix from the environment\'s roles and configuration', async () => {
    const dir = outdir(['prod-ap-northeast-1']);
    const roles = { '111111111111': 'arn:aws:iam::111111111111:role/plan' };
    const c = io({ SSMB_PLAN_ROLES: JSON.stringify(roles), SSMB_CONFIG: join(ROOT, 'config', 'example.json') });
    expect(await planSummary(['--matrix', dir], c)).toBe(0);
    expect(c.stdout).toBe(`${JSON.stringify({ include: planMatrix(dir, roles) })}\n`);
    expect(JSON.parse(c.stdout).include).toHaveLength(1);
  });

  it('a folder without a manifest says to synthesize', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'command-line-'));
    await expect(planSummary([empty], io())).rejects.toThrow(`${join(empty, 'manifest.json')} not found: run \`npm run synth\` first`);
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
