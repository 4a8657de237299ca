import { Testing } from 'cdktf';
import { parseConfig } from '../../stacks/platform/config/load';
import type { BaselineConfigInput } from '../../stacks/platform/config/schema';
import { HubStack } from '../../stacks/organization/hub-stack';
import { EVENT_BUS_POLICY_MAX_LENGTH } from '../../stacks/organization/bus-policy';
import { POLICY_SIZE_LIMITS, renderPolicy } from '../../stacks/organization/policy-size';
import { archivePolicySizes, archiveBucketStatements, archiveKeyStatements } from '../../stacks/organization/archive';
import { denyInsecureTransport } from '../../stacks/constructs/policy-document';
import { evaluate } from '../../policies/engine';
import { stackFromSynth } from '../../policies/model';
import { StackJson, configProblems, organizationInput, readStacks, resourcesOf, synthToDir } from '../helpers/synth';
import { IamSim } from '../helpers/iam-sim';

const accountList = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ id: String(100000000000 + i * 7919), name: `a${i}`, regions: ['eu-west-1'] }));
const withoutOrganization = (): BaselineConfigInput => {
  const input = organizationInput();
  return { ...input, hub: { account: input.hub!.account, region: input.hub!.region } };
};

const HUB_STACK = 'security-hub';
const ARCHIVE_BUCKET = 'ssmb-333333333333-eu-west-1-archive';
const ARCHIVE_KEY_ALIAS_ARN = 'arn:aws:kms:eu-west-1:333333333333:alias/ssmb-archive';
const SPOKES = ['prod-eu-west-1', 'prod-us-east-1', 'security-eu-west-1', 'staging-eu-west-1'];

/** The one resource of a type in a stack (fails on none or several). */
const only = (stack: StackJson, type: string): Record<string, any> => {
  const found = Object.values(resourcesOf(stack, type));
  expect(found).toHaveLength(1);
  return found[0];
};

/** The rendered bytes of a resource policy of the stack, references resolved (S3 and KMS count whitespace). */
function policyBytesOf(sim: IamSim, policy: unknown): number {
  return Buffer.byteLength(JSON.stringify(sim.policy(policy), null, 2), 'utf8');
}

describe('hub archive in the stacks: the example organization (organization id)', () => {
  let stacks: Record<string, StackJson>;
  beforeAll(() => {
    stacks = readStacks(synthToDir(parseConfig(organizationInput(), 'example')));
  });

  it('puts the archive, its query layer and an organization aggregator into the hub stack', () => {
    const hub = stacks[HUB_STACK];
    const buckets = Object.values(resourcesOf(hub, 'aws_s3_bucket')).map((b) => b.bucket);
    expect(buckets).toEqual(expect.arrayContaining([ARCHIVE_BUCKET, `${ARCHIVE_BUCKET}-queries`]));
    expect(Object.values(resourcesOf(hub, 'aws_kms_alias')).map((a) => a.name)).toContain('alias/ssmb-archive');
    expect(only(hub, 'aws_glue_catalog_database').name).toBe('ssmb_fleet_archive');
    // Partition values: every configured account (the hub's too) and the union of regions.
    for (const table of Object.values(resourcesOf(hub, 'aws_glue_catalog_table'))) {
      const p = table.parameters as Record<string, string>;
      const accounts = p['projection.account.values'] ?? p['projection.accountid.values'];
      expect(accounts.split(',').sort()).toEqual(['111111111111', '222222222222', '333333333333']);
      expect(p['projection.region.values']).toBe('eu-west-1,us-east-1');
    }
    expect(only(hub, 'aws_athena_workgroup').name).toBe('ssmb-fleet-archive');
    const aggregator = only(hub, 'aws_config_configuration_aggregator');
    expect(aggregator.name).toBe('ssmb-fleet');
    expect(aggregator.organization_aggregation_source.regions).toEqual(['eu-west-1', 'us-east-1']);
    expect(aggregator.account_aggregation_source).toBeUndefined();
    expect(Object.keys(hub.output ?? {})).toEqual(
      expect.arrayContaining([
        'archive_bucket_name',
        'archive_key_arn',
        'archive_glue_database',
        'archive_athena_workgroup',
        'config_aggregator_name',
      ]),
    );
    expect(hub.output!.archive_bucket_name.value).toBe(ARCHIVE_BUCKET);
  });

  it('grants the archive by organization, not by account', () => {
    const sim = new IamSim(stacks[HUB_STACK], { accountId: '333333333333', region: 'eu-west-1' });
    const text = JSON.stringify(sim.resourcePolicyFor(`arn:aws:s3:::${ARCHIVE_BUCKET}`));
    expect(text).toContain('o-a1b2c3d4e5');
    expect(text).not.toContain('111111111111');
  });

  it('syncs every spoke account-region, the hub account included, to the archive under the key alias', () => {
    for (const name of SPOKES) {
      const sync = only(stacks[name], 'aws_ssm_resource_data_sync');
      expect(sync.s3_destination).toEqual({
        bucket_name: ARCHIVE_BUCKET,
        region: 'eu-west-1',
        prefix: 'inventory',
        sync_format: 'JsonSerDe',
        kms_key_arn: ARCHIVE_KEY_ALIAS_ARN,
      });
      // With an organization aggregator no source authorizes the hub.
      expect(resourcesOf(stacks[name], 'aws_config_aggregate_authorization')).toEqual({});
      // The archive lives in the hub stack only.
      expect(resourcesOf(stacks[name], 'aws_config_configuration_aggregator')).toEqual({});
      expect(Object.values(resourcesOf(stacks[name], 'aws_glue_catalog_database')).map((d) => d.name)).not.toContain('ssmb_fleet_archive');
      expect(Object.values(resourcesOf(stacks[name], 'aws_s3_bucket')).map((b) => b.bucket)).not.toContain(ARCHIVE_BUCKET);
    }
    expect(resourcesOf(stacks[HUB_STACK], 'aws_ssm_resource_data_sync')).toEqual({});
  });

  it('passes the policy rules (the accepted findings carry their reasons)', async () => {
    const models = Object.entries(stacks).map(([name, json]) => stackFromSynth(json as never, name, `${name}/cdk.tf.json`));
    const report = await evaluate(models);
    expect(report.findings.filter((f) => !f.suppressed).map((f) => `${f.rule} ${f.address}`)).toEqual([]);
    // The fleet archive's and the transcript archive's member statements (principal "*"
    // bounded by the members), and AWS Config's managed policy for the aggregator.
    expect(
      report.findings
        .filter((f) => f.suppressed)
        .map((f) => `${f.rule} ${f.address.replace(/_[0-9A-F]{8}$/, '')}`)
        .sort(),
    ).toEqual([
      expect.stringMatching(/^SSMB-IAM-006 aws_iam_role_policy_attachment\.config-aggregator/),
      expect.stringMatching(/^SSMB-S3-007 aws_s3_bucket_policy\.archive/),
      expect.stringMatching(/^SSMB-S3-007 aws_s3_bucket_policy\.transcript/),
    ]);
  });
});

describe('hub archive in the stacks: account-based (no organization id)', () => {
  let stacks: Record<string, StackJson>;
  beforeAll(() => {
    stacks = readStacks(synthToDir(parseConfig(withoutOrganization(), 'example')));
  });

  it('aggregates the listed accounts, each spoke account-region authorizing the hub', () => {
    const aggregator = only(stacks[HUB_STACK], 'aws_config_configuration_aggregator');
    expect(aggregator.account_aggregation_source).toEqual({
      account_ids: ['333333333333', '111111111111', '222222222222'],
      regions: ['eu-west-1', 'us-east-1'],
    });
    for (const name of SPOKES) {
      expect(only(stacks[name], 'aws_config_aggregate_authorization')).toMatchObject({ account_id: '333333333333', region: 'eu-west-1' });
      expect(only(stacks[name], 'aws_ssm_resource_data_sync').s3_destination.bucket_name).toBe(ARCHIVE_BUCKET);
    }
  });

  it('passes the policy rules', async () => {
    const models = Object.entries(stacks).map(([name, json]) => stackFromSynth(json as never, name, `${name}/cdk.tf.json`));
    const report = await evaluate(models);
    expect(report.findings.filter((f) => !f.suppressed).map((f) => `${f.rule} ${f.address}`)).toEqual([]);
  });
});

describe('hub policies at 1,000 accounts', () => {
  it('keeps every hub policy under its AWS limit with the organization id', () => {
    const config = parseConfig(
      {
        ...organizationInput(),
        accounts: accountList(1000),
        hub: { account: '100000000000', region: 'eu-west-1', organizationId: 'o-a1b2c3d4e5' },
      },
      'big',
    );
    const json = JSON.parse(Testing.synth(new HubStack(Testing.app(), { config }))) as StackJson;
    const sim = new IamSim(json, { accountId: '100000000000', region: 'eu-west-1' });
    const bus = only(json, 'aws_cloudwatch_event_bus_policy').policy as string;
    const archiveBucket = Object.entries(resourcesOf(json, 'aws_s3_bucket_policy')).find(([id]) => id.startsWith('archive_'))![1];
    const archiveKey = Object.entries(resourcesOf(json, 'aws_kms_key')).find(([id]) => id.startsWith('archive_'))![1];
    const sizes = { bus: bus.length, bucket: policyBytesOf(sim, archiveBucket.policy), key: policyBytesOf(sim, archiveKey.policy) };
    expect(sizes.bus).toBeLessThanOrEqual(EVENT_BUS_POLICY_MAX_LENGTH);
    expect(sizes.bucket).toBeLessThanOrEqual(POLICY_SIZE_LIMITS.bucketPolicy);
    expect(sizes.key).toBeLessThanOrEqual(POLICY_SIZE_LIMITS.keyPolicy);
    // Every other resource policy of the hub (topic, queue, their keys, the query results bucket) too.
    for (const [type, limit] of [
      ['aws_s3_bucket_policy', POLICY_SIZE_LIMITS.bucketPolicy],
      ['aws_kms_key', POLICY_SIZE_LIMITS.keyPolicy],
    ] as const)
      for (const r of Object.values(resourcesOf(json, type))) expect(policyBytesOf(sim, r.policy)).toBeLessThanOrEqual(limit);
  });

  it('refuses at synth, at hub.organizationId, an account list the archive bucket policy cannot hold', () => {
    const hub = { account: '100000000000', region: 'eu-west-1' };
    const at = (n: number) => configProblems({ ...organizationInput(), accounts: accountList(n), hub });
    // 400 accounts fit the bus policy (about 660) but not the archive bucket policy (about 320).
    expect(at(400)).toMatch(
      /hub\.organizationId: is required for 400 accounts: listing them makes the hub archive bucket policy \d+ bytes, over AWS's 20480; set the organization id/,
    );
    expect(at(400)).not.toMatch(/event bus policy/);
    expect(at(1000)).toMatch(/hub\.organizationId: .*archive bucket policy/);
    expect(at(1000)).toMatch(/hub\.organizationId: .*event bus policy/);
    expect(at(300)).toBe('');
  });

  it('measures the statements the building blocks render', () => {
    const input = {
      namePrefix: 'ssmb',
      hubAccountId: '333333333333',
      hubRegion: 'eu-west-1',
      memberAccountIds: accountList(50).map((a) => a.id),
    };
    const bucketArn = `arn:aws:s3:::${ARCHIVE_BUCKET}`;
    expect(archivePolicySizes(input).bucketPolicy).toBe(
      Buffer.byteLength(
        renderPolicy([denyInsecureTransport(['s3:*'], [bucketArn, `${bucketArn}/*`]), ...archiveBucketStatements(bucketArn, input)]),
      ),
    );
    expect(archivePolicySizes(input).keyPolicy).toBeGreaterThan(
      Buffer.byteLength(renderPolicy(archiveKeyStatements(bucketArn, 'eu-west-1', input))),
    );
  });
});
