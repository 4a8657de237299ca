import { Testing } from 'cdktf';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GlueCatalogTable } from '@cdktf/provider-aws/lib/glue-catalog-table';
import { AthenaNamedQuery } from '@cdktf/provider-aws/lib/athena-named-query';
import { SsmResourceDataSync } from '@cdktf/provider-aws/lib/ssm-resource-data-sync';
import { ConfigConfigurationAggregator } from '@cdktf/provider-aws/lib/config-configuration-aggregator';
import { ConfigAggregateAuthorization } from '@cdktf/provider-aws/lib/config-aggregate-authorization';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { FleetArchiveQuery, fleetQueries, TABLES } from '../../stacks/organization/archive-query';
import { SpokeInventorySync } from '../../stacks/organization/inventory-sync';
import { ConfigAggregator, ORGANIZATIONS_AGGREGATOR_POLICY, SpokeAggregateAuthorization } from '../../stacks/organization/aggregator';
import { archiveBucketName, archiveDatabaseName } from '../../stacks/organization/archive-names';
import { IamSim } from '../helpers/iam-sim';
import type { StackJson } from '../helpers/synth';

const HUB = '111111111111';
const REGION = 'ap-northeast-1';
const LOC = { namePrefix: 'ssmb', hubAccountId: HUB, hubRegion: REGION };
const BUCKET = archiveBucketName(LOC);
const ACCOUNTS = ['222222222222', '333333333333'];

describe('FleetArchiveQuery', () => {
  let synth: string;
  beforeAll(
    () =>
      (synth = Testing.synthScope(
        (s) => void new FleetArchiveQuery(s, 'query', { ...LOC, memberAccountIds: ACCOUNTS, regions: [REGION, 'us-east-1'] }),
      )),
  );

  test('patch snapshots: account and region enums, a date projection over the year=/month=/day= folders', () => {
    expect(synth).toHaveResourceWithProperties(GlueCatalogTable, {
      name: TABLES.patchSnapshots,
      partition_keys: [
        expect.objectContaining({ name: 'account' }),
        expect.objectContaining({ name: 'region' }),
        expect.objectContaining({ name: 'day' }),
      ],
      parameters: expect.objectContaining({
        'projection.account.type': 'enum',
        'projection.account.values': ACCOUNTS.join(','),
        'projection.region.values': `${REGION},us-east-1`,
        'projection.day.type': 'date',
        'projection.day.format': "'year='yyyy'/month='MM'/day='dd",
        'projection.day.range': 'year=2024/month=01/day=01,NOW',
        // `$${` reaches Athena as `${`: Athena fills the slots, not Terraform
        'storage.location.template': `s3://${BUCKET}/patch-history/account=$\${account}/region=$\${region}/$\${day}/`,
      }),
    });
  });

  test('inventory tables follow the layout Resource Data Sync writes', () => {
    for (const type of ['AWS:InstanceInformation', 'AWS:Application'])
      expect(synth).toHaveResourceWithProperties(GlueCatalogTable, {
        parameters: expect.objectContaining({
          'storage.location.template': `s3://${BUCKET}/inventory/${type}/accountid=$\${accountid}/region=$\${region}/resourcetype=$\${resourcetype}/`,
          'projection.accountid.type': 'enum',
        }),
        storage_descriptor: expect.objectContaining({
          ser_de_info: expect.objectContaining({ serialization_library: 'org.openx.data.jsonserde.JsonSerDe' }),
        }),
      });
  });

  test('a data column never repeats a partition column (Glue refuses the table)', () => {
    const json = JSON.parse(synth);
    for (const t of Object.values(json.resource.aws_glue_catalog_table) as Array<Record<string, any>>) {
      const parts = new Set(t.partition_keys.map((k: { name: string }) => k.name));
      expect(t.storage_descriptor.columns.filter((c: { name: string }) => parts.has(c.name))).toEqual([]);
    }
  });

  test('three named queries, one per fleet question', () => {
    for (const q of fleetQueries(archiveDatabaseName(LOC)))
      expect(synth).toHaveResourceWithProperties(AthenaNamedQuery, { name: q.name, query: q.query });
  });

  test('the patch-history records each get a table over the same key layout below account/region', () => {
    for (const [name, folder] of [
      [TABLES.patchInstances, 'instances/'],
      [TABLES.patchRuns, 'runs/'],
    ])
      expect(synth).toHaveResourceWithProperties(GlueCatalogTable, {
        name,
        parameters: expect.objectContaining({
          'projection.day.type': 'date',
          'storage.location.template': `s3://${BUCKET}/patch-history/account=$\${account}/region=$\${region}/${folder}$\${day}/`,
        }),
      });
  });

  // The SQL itself is executed in fleet-queries.test.ts and checked as text in fleet-sql.test.ts.

  test('refuses a missing account or region list', () => {
    expect(() => Testing.synthScope((s) => void new FleetArchiveQuery(s, 'q', { ...LOC, memberAccountIds: [], regions: [] }))).toThrow(
      /memberAccountIds: name at least one account[\s\S]*regions: name at least one region/,
    );
  });
});

describe('SpokeInventorySync', () => {
  test('syncs to the hub bucket and region, under inventory/, as JsonSerDe', () => {
    const synth = Testing.synthScope((s) => void new SpokeInventorySync(s, 'sync', { ...LOC, spokeRegion: 'us-east-1' }));
    expect(synth).toHaveResourceWithProperties(SsmResourceDataSync, {
      name: 'ssmb-inventory-archive',
      s3_destination: { bucket_name: BUCKET, region: REGION, prefix: 'inventory', sync_format: 'JsonSerDe' },
    });
  });
  test('a KMS key outside the hub region fails at synth', () => {
    expect(() =>
      Testing.synthScope(
        (s) =>
          void new SpokeInventorySync(s, 'sync', {
            ...LOC,
            spokeRegion: 'us-east-1',
            kmsKeyArn: 'arn:aws:kms:us-east-1:111111111111:key/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b',
          }),
      ),
    ).toThrow(/kmsKeyArn must be a KMS key in the hub region ap-northeast-1/);
  });
});

describe('ConfigAggregator', () => {
  test('account-based: the member accounts, all regions, no role', () => {
    const synth = Testing.synthScope((s) => void new ConfigAggregator(s, 'agg', { ...LOC, memberAccountIds: ACCOUNTS }));
    expect(synth).toHaveResourceWithProperties(ConfigConfigurationAggregator, {
      name: 'ssmb-fleet',
      account_aggregation_source: { account_ids: ACCOUNTS, all_regions: true },
    });
    expect(synth).not.toHaveResource(IamRolePolicyAttachment);
  });

  test('organization-based: a role only AWS Config of the hub account may assume, with AWSConfigRoleForOrganizations', async () => {
    const synth = Testing.synthScope(
      (s) => void new ConfigAggregator(s, 'agg', { ...LOC, organizationId: 'o-a1b2c3d4e5', memberAccountIds: [], regions: [REGION] }),
    );
    expect(synth).toHaveResourceWithProperties(ConfigConfigurationAggregator, {
      organization_aggregation_source: expect.objectContaining({ regions: [REGION] }),
    });
    expect(synth).toHaveResourceWithProperties(IamRolePolicyAttachment, { policy_arn: ORGANIZATIONS_AGGREGATOR_POLICY });
    const sim = new IamSim(JSON.parse(synth) as StackJson, { accountId: HUB, region: REGION });
    const role = `ssmb-config-aggregator-${REGION}`;
    expect(
      await sim.trustTable(role, {
        allowed: [['config.amazonaws.com', { 'aws:SourceAccount': HUB }]],
        denied: [
          ['config.amazonaws.com', { 'aws:SourceAccount': '222222222222' }],
          ['config.amazonaws.com', {}],
          ['arn:aws:iam::222222222222:root', { 'aws:SourceAccount': HUB }],
        ],
      }),
    ).toEqual([]);
  });

  test('an aggregator without sources fails at synth', () => {
    expect(() => Testing.synthScope((s) => void new ConfigAggregator(s, 'agg', { ...LOC, memberAccountIds: [], regions: [] }))).toThrow(
      /memberAccountIds: an account-based aggregator needs[\s\S]*regions: leave it out/,
    );
  });

  test('a spoke authorizes the hub account and region', () => {
    const synth = Testing.synthScope((s) => void new SpokeAggregateAuthorization(s, 'auth', { hubAccountId: HUB, hubRegion: REGION }));
    expect(synth).toHaveResourceWithProperties(ConfigAggregateAuthorization, { account_id: HUB, region: REGION });
  });
});

describe('provider schema (hashicorp/aws 5.100.0) of the attributes these constructs set', () => {
  const schema = JSON.parse(readFileSync(join(__dirname, 'provider-schema-excerpt.json'), 'utf8')).resource_schemas;
  const attr = (type: string, path: string[]) => {
    let block = schema[type].block;
    for (const b of path.slice(0, -1)) block = block.block_types[b].block;
    return block.attributes[path[path.length - 1]];
  };
  // Optional+Computed would keep a removed value silently (no diff); every attribute set
  // here must be required or plainly optional, so the plan shows every change.
  test.each([
    ['aws_ssm_resource_data_sync', ['name']],
    ['aws_ssm_resource_data_sync', ['s3_destination', 'bucket_name']],
    ['aws_ssm_resource_data_sync', ['s3_destination', 'region']],
    ['aws_ssm_resource_data_sync', ['s3_destination', 'prefix']],
    ['aws_ssm_resource_data_sync', ['s3_destination', 'sync_format']],
    ['aws_ssm_resource_data_sync', ['s3_destination', 'kms_key_arn']],
    ['aws_config_configuration_aggregator', ['account_aggregation_source', 'account_ids']],
    ['aws_config_configuration_aggregator', ['account_aggregation_source', 'all_regions']],
    ['aws_config_configuration_aggregator', ['organization_aggregation_source', 'role_arn']],
    ['aws_config_configuration_aggregator', ['organization_aggregation_source', 'regions']],
    ['aws_config_aggregate_authorization', ['account_id']],
    ['aws_config_aggregate_authorization', ['region']],
  ])('%s %j is not Optional+Computed', (type, path) => {
    const a = attr(type, path);
    expect(a).toBeDefined();
    expect(a.optional && a.computed).toBeFalsy();
  });
  test('the sync has exactly one s3_destination and no destination_data_sharing (organization sharing is not available here)', () => {
    const dest = schema.aws_ssm_resource_data_sync.block.block_types.s3_destination;
    expect([dest.min_items, dest.max_items]).toEqual([1, 1]);
    expect(Object.keys(dest.block.attributes).sort()).toEqual(['bucket_name', 'kms_key_arn', 'prefix', 'region', 'sync_format']);
  });
});
