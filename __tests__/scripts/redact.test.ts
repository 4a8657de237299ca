import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Io } from '../../scripts/cli-args';
import { main as deploy } from '../../scripts/deploy';
import { comparePlans, renderDifferences } from '../../scripts/deploy/compare';
import { SENSITIVE, SENSITIVE_CHANGED, redactPlan } from '../../scripts/deploy/redact';
import { changedAttributes } from '../../scripts/plan-summary/render';

// Plans made with terraform 1.11 and hashicorp/aws 5.100.0 (see deploy.test.ts): the
// SecureString parameter's value (https://hooks.example.com/...) is in the changes, the
// planned values, the prior state and the configuration's constant.
const FIXTURES = join(__dirname, 'fixtures', 'plans');
const plan = (name: string) => JSON.parse(readFileSync(join(FIXTURES, name), 'utf8'));
const SECRET = /hooks\.example\.com/;

function io(): Io & { stdout: string; stderr: string } {
  const c = { stdout: '', stderr: '', out: (s: string) => void (c.stdout += s), err: (s: string) => void (c.stderr += s), env: {} };
  return c;
}

/** A sensitive output and a sensitive variable, as terraform 1.11 writes them in `show -json`. */
function withOutputAndVariable(p: any): any {
  const token = 'tok-ssmb-4f9a1c2e77d0';
  p.variables = { webhook_token: { value: token }, region_name: { value: 'ap-northeast-1' } };
  p.configuration.root_module.variables = {
    webhook_token: { sensitive: true, default: token },
    region_name: { default: 'ap-northeast-1' },
  };
  p.configuration.root_module.outputs = {
    webhook_token: { sensitive: true, expression: { constant_value: token } },
    region_name: { expression: { references: ['var.region_name'] } },
  };
  p.output_changes = {
    webhook_token: {
      actions: ['create'],
      before: null,
      after: token,
      after_unknown: false,
      before_sensitive: false,
      after_sensitive: true,
    },
    region_name: {
      actions: ['create'],
      before: null,
      after: 'ap-northeast-1',
      after_unknown: false,
      before_sensitive: false,
      after_sensitive: false,
    },
  };
  p.planned_values.outputs = {
    webhook_token: { sensitive: true, type: 'string', value: token },
    region_name: { sensitive: false, type: 'string', value: 'ap-northeast-1' },
  };
  p.prior_state.values.outputs = { webhook_token: { sensitive: true, value: 'tok-ssmb-0000previous' } };
  return p;
}

describe('plan redaction', () => {
  it('leaves no sensitive value anywhere in the plan: changes, planned values, prior state, configuration', () => {
    for (const name of ['create.json', 'update.json', 'update-other-secret.json']) {
      const raw = plan(name);
      expect(JSON.stringify(raw)).toMatch(SECRET);
      const text = JSON.stringify(redactPlan(raw));
      expect({ name, secret: SECRET.test(text) }).toEqual({ name, secret: false });
      // Everything not sensitive stays as terraform wrote it.
      expect(text).toContain('"ssmb-prod-ap-northeast-1-alerts"');
      expect(text).toContain('"/ssmb/prod/webhook"');
      expect(text).toContain('"SecureString"');
    }
  });

  it('redacts sensitive outputs (changes, planned values, prior state, configuration) and sensitive variables', () => {
    const raw = withOutputAndVariable(plan('update.json'));
    const redacted = redactPlan(raw);
    const text = JSON.stringify(redacted);
    expect(text).not.toMatch(/tok-ssmb/);
    expect(text).not.toMatch(SECRET);
    expect(redacted.output_changes.webhook_token.after).toBe(SENSITIVE_CHANGED);
    expect(redacted.output_changes.region_name.after).toBe('ap-northeast-1');
    expect(redacted.planned_values.outputs.region_name.value).toBe('ap-northeast-1');
    expect(redacted.variables).toEqual({ webhook_token: { value: SENSITIVE }, region_name: { value: 'ap-northeast-1' } });
    // The input is not modified.
    expect(JSON.stringify(raw)).toMatch(/tok-ssmb/);
  });

  it('marks a changed secret apart from an unchanged one, and is idempotent', () => {
    // update-other-secret.json sets a new value; update.json keeps the stored one.
    const changed = redactPlan(plan('update-other-secret.json'));
    const webhook = (p: any) => p.resource_changes.find((c: any) => c.address === 'aws_ssm_parameter.webhook').change;
    expect(webhook(changed).before.value).toBe(SENSITIVE);
    expect(webhook(changed).after.value).toBe(SENSITIVE_CHANGED);
    const same = plan('update.json');
    expect(webhook(same).after.value).toBe(webhook(same).before.value);
    expect(webhook(redactPlan(same)).after.value).toBe(SENSITIVE);
    expect(redactPlan(changed)).toEqual(changed);
    // The summary still lists the changed secret's attribute, not the unchanged one's.
    const rc = (p: any) => p.resource_changes.find((c: any) => c.address === 'aws_ssm_parameter.webhook');
    expect(changedAttributes(rc(changed))).toContain('value');
    expect(changedAttributes(rc(redactPlan(same)))).not.toContain('value');
  });
});

describe('comparing redacted plans', () => {
  it('passes identical redacted plans', () => {
    for (const name of ['create.json', 'update.json']) expect(comparePlans(redactPlan(plan(name)), redactPlan(plan(name)))).toEqual([]);
    const outputs = () => redactPlan(withOutputAndVariable(plan('update.json')));
    expect(comparePlans(outputs(), outputs())).toEqual([]);
  });

  it('fails on a changed attribute that is not sensitive', () => {
    const fresh = plan('update.json');
    fresh.resource_changes.find((c: any) => c.address === 'aws_sns_topic.alerts').change.after.display_name = 'SSM baseline (ops)';
    expect(comparePlans(redactPlan(plan('update.json')), redactPlan(fresh))).toEqual([
      {
        address: 'aws_sns_topic.alerts',
        kind: 'value',
        path: 'after.display_name',
        reviewed: '"SSM baseline alerts"',
        fresh: '"SSM baseline (ops)"',
      },
    ]);
  });

  it('fails when a secret the review showed changing stays unchanged now (or the other way round), never printing it', () => {
    const reviewed = redactPlan(plan('update-other-secret.json'));
    const fresh = redactPlan(plan('update.json'));
    const diffs = comparePlans(reviewed, fresh);
    expect(diffs.map((d) => [d.address, d.path])).toContainEqual(['aws_ssm_parameter.webhook', 'after.value']);
    expect(diffs.find((d) => d.path === 'after.value')).toMatchObject({ reviewed: '(sensitive value)', fresh: '(sensitive value)' });
    expect(renderDifferences(diffs)).not.toMatch(SECRET);
    expect(comparePlans(fresh, reviewed).map((d) => d.path)).toContain('after.value');
  });

  it('cannot tell two different new values of a changed secret apart (the limit docs/deploy.md names)', () => {
    const fresh = plan('update-other-secret.json');
    fresh.resource_changes.find((c: any) => c.address === 'aws_ssm_parameter.webhook').change.after.value =
      'https://hooks.example.com/T000/B000/ZZZZ';
    expect(comparePlans(redactPlan(plan('update-other-secret.json')), redactPlan(fresh))).toEqual([]);
  });

  it('refuses an unredacted plan against a redacted one (a workflow that forgot a step)', () => {
    expect(comparePlans(redactPlan(plan('update.json')), plan('update.json')).length).toBeGreaterThan(0);
  });
});

describe('deploy redact', () => {
  it('writes the redacted plan; exit 2 on a bad command line or a file that is no plan', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ssmb-redact-'));
    const out = join(dir, 'plan.json');
    const c = io();
    expect(await deploy(['redact', join(FIXTURES, 'update.json'), out], c)).toBe(0);
    const written = readFileSync(out, 'utf8');
    expect(written).not.toMatch(SECRET);
    expect(JSON.parse(written)).toEqual(redactPlan(plan('update.json')));
    // In place, as the workflows run it.
    const inPlace = join(dir, 'in-place.json');
    writeFileSync(inPlace, readFileSync(join(FIXTURES, 'update-other-secret.json')));
    expect(await deploy(['redact', inPlace, inPlace], io())).toBe(0);
    expect(readFileSync(inPlace, 'utf8')).not.toMatch(SECRET);
    const bad = io();
    expect(await deploy(['redact', out], bad)).toBe(2);
    expect(bad.stderr).toContain('redact takes 2 argument(s)');
    const notPlan = join(dir, 'not-a-plan.json');
    writeFileSync(notPlan, '{"resources": []}');
    const refused = io();
    expect(await deploy(['redact', notPlan, join(dir, 'x.json')], refused)).toBe(2);
    expect(refused.stderr).toMatch(/not-a-plan\.json: not a `terraform show -json` plan/);
  });
});
