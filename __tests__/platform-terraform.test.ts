import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bootstrapStackName, stackName } from '../stacks/naming';
import { HarnessError, StackResult, checkAll, listStacks, offlineOverride, planSummaryLine, terraformEnv } from '../scripts/terraform-harness';
import { ROOT, exampleConfig, synthToDir } from './helpers/synth';

// Every stack of the example configuration goes through terraform init, validate and
// an offline plan against the pinned provider (see README: offline plan).
const config = exampleConfig();
const expected = config.accounts.flatMap((a) => [bootstrapStackName(a), ...a.regions.map((r) => stackName(a, r))]).sort();

describe('terraform: validate and plan every example stack offline', () => {
  let results: Map<string, StackResult>;
  beforeAll(async () => {
    const outdir = synthToDir(config);
    const env = await terraformEnv(join(ROOT, '.tmp'));
    const stacks = listStacks(outdir);
    expect(stacks.map((s) => s.name)).toEqual(expected);
    results = new Map((await checkAll(stacks, env, { plan: true, concurrency: 2 })).map((r) => [r.name, r]));
  }, 600_000);

  it.each(expected)('%s: terraform init + validate + plan succeed', (name) => {
    const r = results.get(name)!;
    if (!r.ok) throw new Error(`terraform ${r.step} failed for ${name}:\n${r.output}`);
    expect(r.output).toContain('Success! The configuration is valid.');
    expect(planSummaryLine(r.output)).toMatch(/^Plan: \d+ to add, 0 to change, 0 to destroy\.$/);
    const plan = JSON.parse(readFileSync(r.planJson!, 'utf8'));
    expect(plan.format_version).toBeDefined();
    expect(plan.resource_changes.length).toBeGreaterThan(0);
    // The real S3 backend stays in the synthesized code; only the override swaps it.
    const real = JSON.parse(readFileSync(join(r.planJson!, '..', 'cdk.tf.json'), 'utf8'));
    expect(Object.keys(real.terraform.backend)).toEqual([name.endsWith('-bootstrap') ? 'local' : 's3']);
  });
});

describe('terraform harness', () => {
  it('overrides only the backend and the credentials, and disables role assumption only where one is set', () => {
    expect(offlineOverride({ provider: { aws: [{ region: 'us-east-1', assume_role: [{ role_arn: 'arn:aws:iam::1:role/x' }] }] } })).toEqual({
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
    });
    expect(offlineOverride({ provider: { aws: [{ region: 'us-east-1' }] } }).provider).not.toHaveProperty('aws.assume_role');
  });

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
