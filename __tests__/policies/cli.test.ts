import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../policies/cli';
import { RULES, rulesMarkdown } from '../../policies/rules';
import type { TerraformJson } from '../../policies/model';
import { ROOT } from '../helpers/synth';
import { broken, compliantStack, statementsOf } from './fixtures';

/** A cdktf.out-shaped folder: manifest.json plus stacks/<name>/cdk.tf.json. */
function outdir(stacks: Record<string, TerraformJson>): string {
  mkdirSync(join(ROOT, '.tmp'), { recursive: true });
  const dir = mkdtempSync(join(ROOT, '.tmp', 'policy-cli-'));
  const manifest: Record<string, unknown> = {};
  for (const [name, json] of Object.entries(stacks)) {
    mkdirSync(join(dir, 'stacks', name), { recursive: true });
    writeFileSync(join(dir, 'stacks', name, 'cdk.tf.json'), JSON.stringify(json, null, 2));
    manifest[name] = { name, workingDirectory: `stacks/${name}`, synthesizedStackPath: `stacks/${name}/cdk.tf.json` };
  }
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ version: '0.21.0', stacks: manifest }));
  return dir;
}

/** A "today" far from any deprecation date of the fixtures' runtime (nodejs22.x, 2027-04-30). */
const NOW = new Date('2026-06-01T00:00:00Z');

async function cli(args: string[], now = NOW): Promise<{ code: number; out: string }> {
  let out = '';
  const code = await main(args, (s) => (out += s), { now });
  return { code, out };
}

describe('policy CLI', () => {
  let clean: string;
  let dirty: string;
  beforeAll(() => {
    clean = outdir({ 'prod-ap-northeast-1': compliantStack() });
    dirty = outdir({
      'prod-ap-northeast-1': broken((s) => {
        statementsOf(s, 'notifier_doc').push({ effect: 'Allow', actions: ['s3:*'], resources: ['${aws_s3_bucket.logs.arn}/*'] });
        statementsOf(s, 'notifier_doc').push({ effect: 'Allow', actions: ['s3:PutObject'], resources: ['*'] });
      }),
    });
  });

  it('passes the compliant output with exit 0 and a summary line', async () => {
    const { code, out } = await cli([clean]);
    expect(code).toBe(0);
    expect(out).toBe(`PASS: 0 unsuppressed finding(s), 0 suppressed; ${RULES.length} rules over 1 stack(s)\n`);
  });

  it('exits 1 and names the rule, the stack and the address of each finding', async () => {
    const { code, out } = await cli([dirty]);
    expect(code).toBe(1);
    expect(out).toContain(
      'HIGH  SSMB-IAM-001  prod-ap-northeast-1  aws_iam_role_policy.notifier_policy\n    policy statement #6 allows "s3:*"',
    );
    expect(out).toContain(
      'HIGH  SSMB-IAM-003  prod-ap-northeast-1  aws_iam_role_policy.notifier_policy\n    policy statement #7 grants s3:PutObject on "*"',
    );
    expect(out).toMatch(/fix: List the exact actions/);
    expect(out.trimEnd().split('\n').pop()).toBe(
      `FAIL: 2 unsuppressed finding(s) (2 high), 0 suppressed; ${RULES.length} rules over 1 stack(s)`,
    );
  });

  it('reads a single stack folder or cdk.tf.json too', async () => {
    expect((await cli([join(dirty, 'stacks', 'prod-ap-northeast-1')])).code).toBe(1);
    expect((await cli([join(clean, 'stacks', 'prod-ap-northeast-1', 'cdk.tf.json')])).code).toBe(0);
  });

  it('--format json prints the report', async () => {
    const { code, out } = await cli(['--format', 'json', dirty]);
    expect(code).toBe(1);
    const report = JSON.parse(out);
    expect(report.summary).toMatchObject({ stacks: 1, unsuppressed: 2, suppressed: 0, bySeverity: { high: 2 } });
    expect(report.findings.map((f: { rule: string; address: string }) => [f.rule, f.address])).toEqual([
      ['SSMB-IAM-001', 'aws_iam_role_policy.notifier_policy'],
      ['SSMB-IAM-003', 'aws_iam_role_policy.notifier_policy'],
    ]);
  });

  it('--format sarif writes SARIF 2.1.0 pointing at the resource in cdk.tf.json', async () => {
    const file = join(dirty, 'report.sarif');
    const { code, out } = await cli([`--format=sarif`, '--output', file, dirty]);
    expect(code).toBe(1);
    expect(out).toMatch(/^FAIL: 2 unsuppressed/);
    const sarif = JSON.parse(readFileSync(file, 'utf8'));
    expect(sarif.version).toBe('2.1.0');
    const run = sarif.runs[0];
    expect(run.tool.driver.rules.map((r: { id: string }) => r.id)).toEqual(RULES.map((r) => r.id));
    const [result] = run.results;
    expect(result).toMatchObject({ ruleId: 'SSMB-IAM-001', level: 'error' });
    expect(run.tool.driver.rules[result.ruleIndex].id).toBe('SSMB-IAM-001');
    const loc = result.locations[0].physicalLocation;
    expect(loc.artifactLocation.uri).toMatch(/^\.tmp\/policy-cli-.*\/stacks\/prod-ap-northeast-1\/cdk\.tf\.json$/);
    const lines = readFileSync(join(dirty, 'stacks', 'prod-ap-northeast-1', 'cdk.tf.json'), 'utf8').split('\n');
    expect(lines[loc.region.startLine - 1]).toContain('"notifier_policy": {');
  });

  describe('a value the rules could not tell', () => {
    const runtimeFromVariable = (suppressions?: unknown[]) =>
      outdir({
        'prod-ap-northeast-1': broken((s) => {
          s.resource.aws_lambda_function.notifier.runtime = '${var.runtime}';
          if (suppressions) s.resource.aws_lambda_function.notifier['//'] = { ssmb_suppressions: suppressions };
        }),
      });

    it('fails the run, labelled UNKNOWN in the table and counted apart in the summary', async () => {
      const { code, out } = await cli([runtimeFromVariable()]);
      expect(code).toBe(1);
      expect(out).toContain(
        'UNKNOWN  SSMB-LAMBDA-001  prod-ap-northeast-1  aws_lambda_function.notifier\n    could not tell: uses runtime ${var.runtime}, known only at apply\n    review: check it by hand',
      );
      expect(out.trimEnd().split('\n').pop()).toBe(
        `FAIL: 1 unsuppressed finding(s) (1 could not tell), 0 suppressed; ${RULES.length} rules over 1 stack(s)`,
      );
    });

    it('carries outcome "unknown" in json, and a warning with the outcome in sarif', async () => {
      const dir = runtimeFromVariable();
      const report = JSON.parse((await cli(['--format', 'json', dir])).out);
      expect(report.summary).toMatchObject({ unsuppressed: 1, unknown: 1, bySeverity: { high: 0 } });
      expect(report.findings).toEqual([expect.objectContaining({ rule: 'SSMB-LAMBDA-001', outcome: 'unknown', severity: 'high' })]);
      const sarif = JSON.parse((await cli(['--format', 'sarif', dir])).out);
      expect(sarif.runs[0].results).toEqual([
        expect.objectContaining({
          ruleId: 'SSMB-LAMBDA-001',
          level: 'warning',
          properties: { outcome: 'unknown' },
          message: { text: expect.stringContaining('could not tell: uses runtime') },
        }),
      ]);
    });

    it('passes once a suppression with a reason covers it', async () => {
      const { code, out } = await cli([
        runtimeFromVariable([{ rule: 'SSMB-LAMBDA-001', reason: 'the runtime variable defaults to nodejs22.x' }]),
      ]);
      expect(code).toBe(0);
      expect(out).toMatch(/^PASS: 0 unsuppressed finding\(s\), 1 suppressed/m);
    });
  });

  it('shows a runtime close to its deprecation date as a warning and still passes', async () => {
    const now = new Date('2026-12-01T00:00:00Z');
    const { code, out } = await cli([clean], now);
    expect(code).toBe(0);
    expect(out).toContain(
      'WARNING  SSMB-LAMBDA-001  prod-ap-northeast-1  aws_lambda_function.notifier\n    uses runtime nodejs22.x, deprecated on 2027-04-30 (in 150 days)',
    );
    expect(out.trimEnd().split('\n').pop()).toBe(
      `PASS: 0 unsuppressed finding(s), 0 suppressed, 1 warning(s) (not failing); ${RULES.length} rules over 1 stack(s)`,
    );
    const report = JSON.parse((await cli(['--format', 'json', clean], now)).out);
    expect(report.findings).toEqual([]);
    expect(report.warnings).toEqual([expect.objectContaining({ rule: 'SSMB-LAMBDA-001', outcome: 'warning' })]);
    expect(report.summary).toMatchObject({ unsuppressed: 0, warnings: 1 });
    const sarif = JSON.parse((await cli(['--format', 'sarif', clean], now)).out);
    expect(sarif.runs[0].results).toEqual([
      expect.objectContaining({ ruleId: 'SSMB-LAMBDA-001', level: 'note', properties: { outcome: 'warning' } }),
    ]);
  });

  describe('command line', () => {
    async function withErr(args: string[]): Promise<{ code: number; out: string; err: string }> {
      let out = '';
      let err = '';
      const code = await main(args, (s) => (out += s), { now: NOW, err: (s) => (err += s) });
      return { code, out, err };
    }

    it('--help prints the usage on stdout and exits 0', async () => {
      for (const flag of ['--help', '-h']) {
        const { code, out, err } = await withErr([flag]);
        expect(code).toBe(0);
        expect(out).toMatch(/^usage: npm run policy -- /);
        expect(err).toBe('');
      }
    });

    it('an unknown option is an error: exit 2, the usage on stderr, nothing on stdout', async () => {
      const { code, out, err } = await withErr(['--formt', 'json', clean]);
      expect(code).toBe(2);
      expect(out).toBe('');
      expect(err).toMatch(/--formt/);
      expect(err).toContain('usage: npm run policy -- ');
    });

    it('takes --flag=value and --flag value alike', async () => {
      const spaced = await withErr(['--format', 'json', dirty]);
      const joined = await withErr(['--format=json', dirty]);
      expect(spaced.code).toBe(1);
      expect(joined).toEqual(spaced);
      expect(JSON.parse(joined.out).summary.unsuppressed).toBe(2);
    });

    it('refuses a missing value, a bad format and no path with exit 2', async () => {
      expect(await withErr([clean, '--output'])).toMatchObject({ code: 2, err: expect.stringMatching(/--output/) });
      expect(await withErr(['--format', 'xml', clean])).toMatchObject({
        code: 2,
        err: expect.stringMatching(/--format must be table, json or sarif, got xml/),
      });
      expect(await withErr([])).toMatchObject({ code: 2, err: expect.stringMatching(/no path given\nusage:/) });
    });

    it('refuses paths that hold no stack with exit 2 and a message', async () => {
      expect(await withErr([join(clean, 'nothing-here')])).toMatchObject({ code: 2, err: expect.stringMatching(/does not exist/) });
      expect(await withErr([join(clean, 'manifest.json')])).toMatchObject({
        code: 2,
        err: expect.stringMatching(/neither a synthesized stack/),
      });
    });

    it('a manifest that lists no stacks is an error, not a pass', async () => {
      const empty = outdir({});
      const { code, out, err } = await withErr([empty]);
      expect(code).toBe(2);
      expect(out).toBe('');
      expect(err).toBe(`${empty}: no stacks found\n`);
    });

    it('one path without stacks among others is an error too', async () => {
      const empty = outdir({});
      const { code, out, err } = await withErr([clean, empty]);
      expect(code).toBe(2);
      expect(out).toBe('');
      expect(err).toBe(`${empty}: no stacks found\n`);
    });

    it('names the file, line and column of invalid JSON', async () => {
      const file = join(outdir({}), 'broken.json');
      writeFileSync(file, '{\n  "resource": {\n    "aws_s3_bucket" 1\n  }\n}\n');
      const { code, err } = await withErr([file]);
      expect(code).toBe(2);
      expect(err).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3:21: invalid JSON: `));
      writeFileSync(file, '{\n  "resource": {');
      expect((await withErr([file])).err).toMatch(/broken\.json:2:16: invalid JSON: /);
    });
  });

  it('policies/RULES.md is the generated rule table', () => {
    expect(readFileSync(join(ROOT, 'policies', 'RULES.md'), 'utf8')).toBe(rulesMarkdown());
  });
});
