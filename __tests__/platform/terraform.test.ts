import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bootstrapStackName, stackName } from '../../stacks/platform/naming';
import {
  HarnessError,
  OFFLINE_DIR,
  OVERRIDE_FILE,
  StackEntry,
  StackResult,
  checkAll,
  checkStack,
  listStacks,
  offlineOverride,
  planSummaryLine,
  terraformEnv,
} from '../../scripts/terraform-harness';
import { ROOT, exampleConfig, synthToDir } from '../helpers/synth';

// Every stack of the example configuration goes through terraform init, validate and
// an offline plan against the pinned provider (see README: offline plan). Stacks whose
// JSON differs only in their account's name and id plan alike, so one plan stands for
// them all: the one of the longest account name (the longest physical names, what a
// provider's length check would reject). Grouped by content, so stacks that come to
// differ in anything else are each planned again.
const config = exampleConfig();
const expected = config.accounts.flatMap((a) => [bootstrapStackName(a), ...a.regions.map((r) => stackName(a, r))]).sort();
const accountOf = (name: string) =>
  config.accounts.find((a) => bootstrapStackName(a) === name || a.regions.some((r) => stackName(a, r) === name))!;

/** A stack's JSON with its account's name and id replaced by placeholders. */
function withoutAccount(stack: StackEntry): string {
  const { id, name } = accountOf(stack.name);
  return readFileSync(join(stack.dir, 'cdk.tf.json'), 'utf8').split(id).join('<account-id>').split(name).join('<account-name>');
}

describe('terraform: validate and plan every example stack offline', () => {
  let stacks: StackEntry[];
  /** Each stack's planned stand-in (itself, or a stack identical but for the account). */
  const standIn = new Map<string, string>();
  let results: Map<string, StackResult>;
  beforeAll(async () => {
    const outdir = synthToDir(config);
    const env = await terraformEnv(join(ROOT, '.tmp'));
    stacks = listStacks(outdir);
    expect(stacks.map((s) => s.name)).toEqual(expected);
    const groups = new Map<string, StackEntry[]>();
    for (const s of stacks) groups.set(withoutAccount(s), [...(groups.get(withoutAccount(s)) ?? []), s]);
    const planned = [...groups.values()].map((group) => {
      const longest = group.reduce((a, b) => (accountOf(b.name).name.length > accountOf(a.name).name.length ? b : a));
      for (const s of group) standIn.set(s.name, longest.name);
      return longest;
    });
    results = new Map((await checkAll(planned, env, { plan: true, concurrency: 2 })).map((r) => [r.name, r]));
  }, 600_000);

  it.each(expected)('%s: terraform init + validate + plan succeed (itself or its stand-in)', (name) => {
    const r = results.get(standIn.get(name)!)!;
    if (!r.ok) throw new Error(`terraform ${r.step} failed for ${r.name} (standing in for ${name}):\n${r.output}`);
    expect(r.validated).toBe(true); // plan validates first
    expect(planSummaryLine(r.output)).toMatch(/^Plan: \d+ to add, 0 to change, 0 to destroy\.$/);
    const plan = JSON.parse(readFileSync(r.planJson!, 'utf8'));
    expect(plan.format_version).toBeDefined();
    expect(plan.resource_changes.length).toBeGreaterThan(0);
    // The real S3 backend stays in the synthesized code; only the override swaps it.
    const stackDir = stacks.find((s) => s.name === name)!.dir;
    const real = JSON.parse(readFileSync(join(stackDir, 'cdk.tf.json'), 'utf8'));
    expect(Object.keys(real.terraform.backend)).toEqual([name.endsWith('-bootstrap') ? 'local' : 's3']);
    // The stack folder stays deployable: override and offline .terraform live in .offline/.
    expect(existsSync(join(stackDir, OVERRIDE_FILE))).toBe(false);
    expect(existsSync(join(stackDir, '.terraform'))).toBe(false);
    const plannedDir = join(r.planJson!, '..');
    expect(existsSync(join(plannedDir, OFFLINE_DIR, OVERRIDE_FILE))).toBe(true);
    // Planned with a scratch lock file that lists no checksums (init checked the package).
    const lock = readFileSync(join(plannedDir, OFFLINE_DIR, '.terraform.lock.hcl'), 'utf8');
    expect(lock).toContain('version     = "5.100.0"');
    expect(lock).not.toContain('hashes');
  });

  it('a stand-in differs from the stacks it plans for only by the account, whose name is no longer', () => {
    for (const s of stacks) {
      const by = stacks.find((t) => t.name === standIn.get(s.name))!;
      expect(withoutAccount(s)).toBe(withoutAccount(by));
      expect(accountOf(by.name).name.length).toBeGreaterThanOrEqual(accountOf(s.name).name.length);
    }
  });
});

describe('terraform harness', () => {
  it('overrides only the backend and the credentials, and disables role assumption only where one is set', () => {
    expect(offlineOverride({ provider: { aws: [{ region: 'us-east-1', assume_role: [{ role_arn: 'arn:aws:iam::1:role/x' }] }] } })).toEqual(
      {
        terraform: { backend: { local: { path: 'offline.tfstate' } } },
        provider: {
          aws: {
            access_key: 'AKIAIOSFODNN7EXAMPLE',
            secret_key: 'offline-plan-not-a-real-secret',
            skip_credentials_validation: true,
            skip_requesting_account_id: true,
            skip_metadata_api_check: true,
            allowed_account_ids: null,
            assume_role: [{ role_arn: null }],
          },
        },
      },
    );
    expect(offlineOverride({ provider: { aws: [{ region: 'us-east-1' }] } }).provider).not.toHaveProperty('aws.assume_role');
  });

  it('a plan fails on what `terraform validate` rejects, so planned stacks skip the separate validate', async () => {
    const dir = mkdtempSync(join(ROOT, '.tmp', 'synth-invalid-'));
    writeFileSync(
      join(dir, 'cdk.tf.json'),
      JSON.stringify({
        terraform: {
          required_providers: { aws: { source: 'aws', version: '5.100.0' } },
          backend: { s3: { bucket: 'b', key: 'k', region: 'us-east-1' } },
        },
        provider: { aws: [{ region: 'us-east-1' }] },
        resource: { aws_cloudwatch_log_group: { bad: { name: 'bad', retention_in_days: 17 } } },
      }),
    );
    const env = await terraformEnv(join(ROOT, '.tmp'));
    const planned = await checkStack({ name: 'invalid', dir }, env, { plan: true });
    expect(planned).toMatchObject({ ok: false, step: 'plan', validated: false });
    expect(planned.output).toContain('expected retention_in_days to be one of');
    const validated = await checkStack({ name: 'invalid', dir }, env, { plan: false });
    expect(validated).toMatchObject({ ok: false, step: 'validate', validated: false });
    expect(validated.output).toContain('expected retention_in_days to be one of');
  }, 120_000);

  it('explains a missing mirror and a missing synth', async () => {
    const saved = process.env.SSMB_PROVIDER_MIRROR;
    process.env.SSMB_PROVIDER_MIRROR = join(ROOT, '.tmp', 'no-such-mirror');
    try {
      await expect(terraformEnv(join(ROOT, '.tmp'))).rejects.toThrow(
        /SSMB_PROVIDER_MIRROR=.*no-such-mirror holds no hashicorp\/aws provider/,
      );
    } finally {
      if (saved === undefined) delete process.env.SSMB_PROVIDER_MIRROR;
      else process.env.SSMB_PROVIDER_MIRROR = saved;
    }
    expect(() => listStacks(join(ROOT, '.tmp', 'nothing-here'))).toThrow(HarnessError);
    expect(existsSync(join(ROOT, '.tmp', 'nothing-here'))).toBe(false);
  });
});
