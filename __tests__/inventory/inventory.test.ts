import { Testing } from 'cdktf';
import { BaselineStack } from '../../stacks/platform/baseline-stack';
import { ConfigError, parseConfig } from '../../stacks/platform/config/load';
import { BaselineConfigInput } from '../../stacks/platform/config/schema';
import { associationScheduleProblem, cronMinutes } from '../../stacks/platform/config/common';
import { StackJson, exampleInput, findResource, policyStatements, resourcesOf, synthStack, testConfig } from '../helpers/synth';

const ACCOUNT = '111111111111';
const REGION = 'ap-northeast-1';
const SLR_ARN = `arn:aws:iam::${ACCOUNT}:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig`;
const CONFIG_TYPES = [
  'aws_config_configuration_recorder',
  'aws_config_delivery_channel',
  'aws_config_configuration_recorder_status',
  'aws_iam_service_linked_role',
];

const inventory = (section: Record<string, unknown>) => ({ inventory: section }) as Partial<BaselineConfigInput>;
const ref = (type: string, id: string) => `${type}.${id}`;
const association = (s: StackJson) => findResource(s, 'aws_ssm_association', (b) => b.name === 'AWS-GatherSoftwareInventory');
const configBucket = (s: StackJson) => findResource(s, 'aws_s3_bucket', (b) => b.bucket === `ssmb-${ACCOUNT}-${REGION}-config`);

describe('inventory: default configuration (recorder created)', () => {
  let s: StackJson;
  beforeAll(() => {
    s = synthStack(testConfig());
  });

  it('collects everything every 30 minutes on all managed instances', () => {
    const [, a] = association(s);
    expect(a.association_name).toBe('ssmb-software-inventory');
    expect(a.schedule_expression).toBe('rate(30 minutes)');
    expect(a.targets).toEqual([{ key: 'InstanceIds', values: ['*'] }]);
    expect(a.parameters).toEqual({
      applications: 'Enabled',
      awsComponents: 'Enabled',
      billingInfo: 'Enabled',
      customInventory: 'Enabled',
      files: '',
      instanceDetailedInformation: 'Enabled',
      networkConfig: 'Enabled',
      services: 'Enabled',
      windowsRegistry: '',
      windowsRoles: 'Enabled',
      windowsUpdates: 'Enabled',
    });
  });

  it('records only the SSM inventory types, continuously, through the service-linked role', () => {
    const [, r] = findResource(s, 'aws_config_configuration_recorder');
    expect(r.name).toBe('ssmb-inventory-recorder');
    expect(r.role_arn).toBe(SLR_ARN);
    expect(r.recording_group).toEqual({
      all_supported: false,
      include_global_resource_types: false,
      resource_types: ['AWS::SSM::ManagedInstanceInventory', 'AWS::SSM::FileData'],
      recording_strategy: [{ use_only: 'INCLUSION_BY_RESOURCE_TYPES' }],
    });
    expect(r.recording_mode).toEqual({ recording_frequency: 'CONTINUOUS' });
  });

  it('delivers to the dedicated bucket once recorder and bucket policy exist, and enables the recorder after the channel', () => {
    const [recorderId] = findResource(s, 'aws_config_configuration_recorder');
    const [channelId, channel] = findResource(s, 'aws_config_delivery_channel');
    const [bucketId] = configBucket(s);
    const [policyId] = findResource(s, 'aws_s3_bucket_policy', (b) => b.bucket === `\${aws_s3_bucket.${bucketId}.id}`);
    expect(channel.name).toBe('ssmb-inventory-delivery');
    expect(channel.s3_bucket_name).toBe(`\${aws_s3_bucket.${bucketId}.bucket}`);
    expect(channel).not.toHaveProperty('s3_key_prefix');
    expect(channel.snapshot_delivery_properties).toEqual({ delivery_frequency: 'TwentyFour_Hours' });
    expect(channel.depends_on).toEqual(
      expect.arrayContaining([ref('aws_config_configuration_recorder', recorderId), ref('aws_s3_bucket_policy', policyId)]),
    );

    const [, status] = findResource(s, 'aws_config_configuration_recorder_status');
    expect(status.is_enabled).toBe(true);
    expect(status.name).toBe(`\${aws_config_configuration_recorder.${recorderId}.name}`);
    expect(status.depends_on).toEqual([ref('aws_config_delivery_channel', channelId)]);
  });

  it('keeps delivered files 365 days in a secure bucket', () => {
    const [bucketId] = configBucket(s);
    const on = (type: string) => findResource(s, type, (b) => b.bucket === `\${aws_s3_bucket.${bucketId}.id}`)[1];
    expect(on('aws_s3_bucket_public_access_block')).toMatchObject({ block_public_acls: true, restrict_public_buckets: true });
    expect(on('aws_s3_bucket_lifecycle_configuration').rule[0].expiration).toEqual([{ days: 365 }]);
    expect(on('aws_s3_bucket_server_side_encryption_configuration').rule[0].apply_server_side_encryption_by_default.sse_algorithm).toBe(
      'AES256',
    );
  });

  it('admits config.amazonaws.com only for this account, with bucket-owner-full-control, and only over TLS', () => {
    const [bucketId] = configBucket(s);
    const [, policy] = findResource(s, 'aws_s3_bucket_policy', (b) => b.bucket === `\${aws_s3_bucket.${bucketId}.id}`);
    const bucketArn = `\${aws_s3_bucket.${bucketId}.arn}`;
    const statements = policyStatements(s, policy.policy);
    const bySid = Object.fromEntries(statements.map((st) => [st.sid, st]));
    expect(Object.keys(bySid).sort()).toEqual([
      'AWSConfigBucketDelivery',
      'AWSConfigBucketExistenceCheck',
      'AWSConfigBucketPermissionsCheck',
      'DenyInsecureTransport',
    ]);
    const sourceAccount = { test: 'StringEquals', variable: 'aws:SourceAccount', values: [ACCOUNT] };
    for (const sid of ['AWSConfigBucketPermissionsCheck', 'AWSConfigBucketExistenceCheck', 'AWSConfigBucketDelivery']) {
      expect(bySid[sid].principals).toEqual([{ type: 'Service', identifiers: ['config.amazonaws.com'] }]);
      expect(bySid[sid].condition).toContainEqual(sourceAccount);
    }
    expect(bySid.AWSConfigBucketPermissionsCheck).toMatchObject({ actions: ['s3:GetBucketAcl'], resources: [bucketArn] });
    expect(bySid.AWSConfigBucketExistenceCheck).toMatchObject({ actions: ['s3:ListBucket'], resources: [bucketArn] });
    expect(bySid.AWSConfigBucketDelivery).toMatchObject({
      actions: ['s3:PutObject'],
      resources: [`${bucketArn}/AWSLogs/${ACCOUNT}/Config/*`],
    });
    expect(bySid.AWSConfigBucketDelivery.condition).toContainEqual({
      test: 'StringEquals',
      variable: 's3:x-amz-acl',
      values: ['bucket-owner-full-control'],
    });
  });

  it('outputs the recorder, the bucket, the association and the timeline command', () => {
    const [recorderId] = findResource(s, 'aws_config_configuration_recorder');
    const [bucketId] = configBucket(s);
    const [associationId] = association(s);
    expect(s.output?.inventory_config_recorder_name?.value).toBe(`\${aws_config_configuration_recorder.${recorderId}.name}`);
    expect(s.output?.inventory_config_bucket?.value).toBe(`\${aws_s3_bucket.${bucketId}.bucket}`);
    expect(s.output?.inventory_association_id?.value).toBe(`\${aws_ssm_association.${associationId}.association_id}`);
    expect(s.output?.inventory_timeline_command?.value).toBe(
      `aws configservice get-resource-config-history --region ${REGION} --resource-type AWS::SSM::ManagedInstanceInventory --resource-id <instance-id>`,
    );
  });
});

describe('inventory: the Config bucket policy under IAM simulation', () => {
  let s: StackJson;
  let bucketArn: string;
  // Loaded lazily: the simulator is a test-only dependency.
  let sim: import('../helpers/iam-sim').IamSim;
  beforeAll(async () => {
    const { iamSim } = await import('../helpers/iam-sim');
    s = synthStack(testConfig());
    sim = iamSim(s);
    bucketArn = sim.arn('aws_s3_bucket', `ssmb-${ACCOUNT}-${REGION}-config`);
  });

  it('lets AWS Config of this account check and write, and nobody else', async () => {
    const own = { 'aws:SourceAccount': ACCOUNT };
    const other = { 'aws:SourceAccount': '999999999999' };
    const put = `${bucketArn}/AWSLogs/${ACCOUNT}/Config/ap-northeast-1/2024/1/1/ConfigHistory/x.json.gz`;
    const acl = { 's3:x-amz-acl': 'bucket-owner-full-control' };
    expect(
      await sim.resourceTable(bucketArn, {
        allowed: [
          ['config.amazonaws.com', 's3:GetBucketAcl', bucketArn, own],
          ['config.amazonaws.com', 's3:ListBucket', bucketArn, own],
          ['config.amazonaws.com', 's3:PutObject', put, { ...own, ...acl }],
        ],
        denied: [
          // another account's Config (confused deputy)
          ['config.amazonaws.com', 's3:PutObject', `${bucketArn}/AWSLogs/${ACCOUNT}/Config/x`, { ...other, ...acl }],
          ['config.amazonaws.com', 's3:GetBucketAcl', bucketArn, other],
          ['config.amazonaws.com', 's3:ListBucket', bucketArn, other],
          // no TLS
          ['config.amazonaws.com', 's3:PutObject', put, { ...own, ...acl, 'aws:SecureTransport': 'false' }],
          ['config.amazonaws.com', 's3:GetBucketAcl', bucketArn, { ...own, 'aws:SecureTransport': 'false' }],
          // without the bucket-owner-full-control ACL, outside the Config prefix, another account's prefix
          ['config.amazonaws.com', 's3:PutObject', put, own],
          ['config.amazonaws.com', 's3:PutObject', `${bucketArn}/elsewhere/x`, { ...own, ...acl }],
          ['config.amazonaws.com', 's3:PutObject', `${bucketArn}/AWSLogs/999999999999/Config/x`, { ...own, ...acl }],
          // nothing beyond delivery
          ['config.amazonaws.com', 's3:GetObject', put, own],
          ['config.amazonaws.com', 's3:DeleteObject', put, own],
          ['config.amazonaws.com', 's3:PutBucketPolicy', bucketArn, own],
          // other services and anonymous callers
          ['cloudtrail.amazonaws.com', 's3:PutObject', put, { ...own, ...acl }],
          ['anonymous', 's3:ListBucket', bucketArn],
        ],
      }),
    ).toEqual([]);
  });
});

describe('inventory: the account-global service-linked role is never created by a region stack', () => {
  const regions = ['ap-northeast-1', 'us-east-1'];
  const cfg = (over: Record<string, unknown> = {}) =>
    testConfig({
      accounts: [
        { id: ACCOUNT, name: 'prod', regions },
        { id: '222222222222', name: 'dev', regions: ['eu-west-1'] },
      ],
      ...inventory({ recorder: over }),
    } as Partial<BaselineConfigInput>);
  const recorderRole = (s: StackJson) => findResource(s, 'aws_config_configuration_recorder')[1].role_arn;

  it('no region creates AWSServiceRoleForConfig: no "has been taken" where Config ran before, no race between regions', () => {
    for (const [account, region] of [
      [0, regions[0]],
      [0, regions[1]],
      [1, 'eu-west-1'],
    ] as const) {
      const s = synthStack(cfg(), account, region);
      expect(resourcesOf(s, 'aws_iam_service_linked_role')).toEqual({});
      // A literal ARN: no region's recorder waits for (or races) a resource of another stack.
      expect(recorderRole(s)).toBe(
        account === 0 ? SLR_ARN : 'arn:aws:iam::222222222222:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig',
      );
    }
  });

  it('the home region forgets a role an earlier version created instead of deleting it (Config still uses it)', () => {
    const home = synthStack(cfg(), 0, regions[0]) as StackJson & { removed?: unknown };
    expect(home.removed).toEqual([
      { from: 'aws_iam_service_linked_role.inventory_config-recorder_service-linked-role_5E66F66A', lifecycle: { destroy: false } },
    ]);
    expect((synthStack(cfg(), 0, regions[1]) as { removed?: unknown }).removed).toBeUndefined();
  });

  it('createServiceLinkedRole: false (what the baseline does now) is still accepted', () => {
    expect(() => parseConfig({ ...exampleInput(), inventory: { recorder: { createServiceLinkedRole: false } } }, 'test')).not.toThrow();
  });

  it.each([true, ['222222222222']])('createServiceLinkedRole: %j is refused with the reason and the one-time command', (value) => {
    expect(() => parseConfig({ ...exampleInput(), inventory: { recorder: { createServiceLinkedRole: value } } }, 'test')).toThrow(
      /inventory\.recorder\.createServiceLinkedRole: no longer a setting: the baseline never creates the account-global AWSServiceRoleForConfig .*aws iam create-service-linked-role --aws-service-name config\.amazonaws\.com/,
    );
  });
});

describe('inventory: existing recorder mode', () => {
  let s: StackJson;
  let printed: string;
  let warnings: string[];
  beforeAll(() => {
    const config = testConfig(inventory({ recorder: { mode: 'useExisting', extraResourceTypes: ['AWS::SSM::PatchCompliance'] } }));
    const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      const stack = new BaselineStack(Testing.app(), { config, account: config.accounts[0], region: REGION });
      s = JSON.parse(Testing.synth(stack));
      printed = write.mock.calls.map((c) => String(c[0])).join('');
      warnings = stack.node
        .findAll()
        .flatMap((c) => c.node.metadata)
        .filter((m) => m.type === '@cdktf/warn')
        .map((m) => String(m.data));
    } finally {
      write.mockRestore();
    }
  });

  it('creates no recorder, channel, status, service-linked role or bucket', () => {
    for (const type of CONFIG_TYPES) expect(resourcesOf(s, type)).toEqual({});
    expect(Object.values(resourcesOf(s, 'aws_s3_bucket')).map((b) => b.bucket)).not.toContain(`ssmb-${ACCOUNT}-${REGION}-config`);
    expect(s.output).not.toHaveProperty('inventory_config_recorder_name');
    expect(s.output).not.toHaveProperty('inventory_config_bucket');
  });

  it('still collects inventory and outputs the timeline command', () => {
    expect(association(s)[1].schedule_expression).toBe('rate(30 minutes)');
    expect(s.output?.inventory_timeline_command?.value).toContain('--resource-type AWS::SSM::ManagedInstanceInventory');
  });

  it('tells, as a synth warning (printed by main.ts as a NOTE line), exactly which types the existing recorder must record', () => {
    const types = 'AWS::SSM::ManagedInstanceInventory, AWS::SSM::FileData, AWS::SSM::PatchCompliance';
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(`prod-${REGION}: inventory.recorder.mode is "useExisting"`);
    expect(warnings[0]).toContain(
      `The existing recorder in account ${ACCOUNT}, region ${REGION} must record: ${types} (or all supported resource types)`,
    );
    expect(warnings[0]).toContain(`aws configservice describe-configuration-recorders --region ${REGION}`);
    expect(printed).toBe(''); // constructs do not write to stdout
  });
});

describe('inventory: another tool owns collection (skipAssociation)', () => {
  let s: StackJson;
  beforeAll(() => {
    s = synthStack(testConfig(inventory({ skipAssociation: true })));
  });

  it('creates no inventory association but keeps the recorder', () => {
    expect(Object.values(resourcesOf(s, 'aws_ssm_association')).filter((a) => a.name === 'AWS-GatherSoftwareInventory')).toEqual([]);
    expect(s.output).not.toHaveProperty('inventory_association_id');
    expect(Object.keys(resourcesOf(s, 'aws_config_configuration_recorder'))).toHaveLength(1);
  });
});

describe('inventory: disabled', () => {
  it('adds nothing', () => {
    const s = synthStack(testConfig(inventory({ enabled: false })));
    for (const type of CONFIG_TYPES) expect(resourcesOf(s, type)).toEqual({});
    expect(Object.values(resourcesOf(s, 'aws_ssm_association')).filter((a) => a.name === 'AWS-GatherSoftwareInventory')).toEqual([]);
    expect(Object.keys(s.output ?? {}).filter((k) => k.startsWith('inventory_'))).toEqual([]);
  });
});

describe('inventory: custom collection, targets and recorder settings', () => {
  let s: StackJson;
  beforeAll(() => {
    s = synthStack(
      testConfig(
        inventory({
          schedule: 'cron(0 0/4 * * ? *)',
          targets: { tagKey: 'Inventory', tagValues: ['on', 'yes'] },
          collect: {
            services: false,
            windowsRoles: false,
            customInventory: false,
            billingInfo: false,
            files: [
              { path: '/etc/nginx', pattern: ['*.conf'], recursive: true, dirScanLimit: 200 },
              { path: '%PROGRAMFILES%', pattern: ['*.exe', '*.dll'] },
            ],
            windowsRegistry: [
              { path: 'HKEY_LOCAL_MACHINE\\SOFTWARE\\Amazon\\MachineImage', valueNames: ['AMIName'] },
              { path: 'HKEY_LOCAL_MACHINE\\SOFTWARE\\Amazon', recursive: true },
            ],
          },
          recorder: {
            extraResourceTypes: ['AWS::SSM::PatchCompliance', 'AWS::SSM::AssociationCompliance', 'AWS::EC2::Instance'],
            recordingFrequency: 'DAILY',
            deliveryFrequency: 'Six_Hours',
            bucketRetentionDays: 30,
          },
        }),
      ),
    );
  });

  it("passes file and registry searches in the document's JSON format and switches collectors off", () => {
    const [, a] = association(s);
    expect(a.schedule_expression).toBe('cron(0 0/4 * * ? *)');
    expect(a.targets).toEqual([{ key: 'tag:Inventory', values: ['on', 'yes'] }]);
    expect(a.parameters).toMatchObject({
      services: 'Disabled',
      windowsRoles: 'Disabled',
      customInventory: 'Disabled',
      billingInfo: 'Disabled',
      applications: 'Enabled',
    });
    expect(JSON.parse(a.parameters.files)).toEqual([
      { Path: '/etc/nginx', Pattern: ['*.conf'], Recursive: true, DirScanLimit: 200 },
      { Path: '%PROGRAMFILES%', Pattern: ['*.exe', '*.dll'], Recursive: false },
    ]);
    expect(JSON.parse(a.parameters.windowsRegistry)).toEqual([
      { Path: 'HKEY_LOCAL_MACHINE\\SOFTWARE\\Amazon\\MachineImage', Recursive: false, ValueNames: ['AMIName'] },
      { Path: 'HKEY_LOCAL_MACHINE\\SOFTWARE\\Amazon', Recursive: true },
    ]);
  });

  it('records the extra types daily and delivers snapshots and retention as configured', () => {
    const [, r] = findResource(s, 'aws_config_configuration_recorder');
    expect(r.recording_group.resource_types).toEqual([
      'AWS::SSM::ManagedInstanceInventory',
      'AWS::SSM::FileData',
      'AWS::SSM::PatchCompliance',
      'AWS::SSM::AssociationCompliance',
      'AWS::EC2::Instance',
    ]);
    expect(r.recording_mode).toEqual({ recording_frequency: 'DAILY' });
    expect(findResource(s, 'aws_config_delivery_channel')[1].snapshot_delivery_properties).toEqual({ delivery_frequency: 'Six_Hours' });
    const [bucketId] = configBucket(s);
    const lifecycle = findResource(s, 'aws_s3_bucket_lifecycle_configuration', (b) => b.bucket === `\${aws_s3_bucket.${bucketId}.id}`)[1];
    expect(lifecycle.rule[0].expiration).toEqual([{ days: 30 }]);
  });

  it('targets instances carrying a tag key when no values are given', () => {
    const t = synthStack(testConfig(inventory({ targets: { tagKey: 'Inventory' } })));
    expect(association(t)[1].targets).toEqual([{ key: 'tag-key', values: ['Inventory'] }]);
  });
});

describe('inventory: bad configuration fails with field paths and reasons', () => {
  const problems = (section: Record<string, unknown>): string[] => {
    try {
      parseConfig({ ...exampleInput(), inventory: section }, 'test');
    } catch (err) {
      if (err instanceof ConfigError) return err.problems;
      throw err;
    }
    throw new Error('expected the configuration to be rejected');
  };

  const cases: Array<[string, Record<string, unknown>, string[]]> = [
    [
      'rate faster than 30 minutes',
      { schedule: 'rate(15 minutes)' },
      [
        'inventory.schedule: runs every 15 minutes; State Manager runs an association at most every 30 minutes (use rate(30 minutes) or slower), got "rate(15 minutes)"',
      ],
    ],
    [
      'rate of 1 minute',
      { schedule: 'rate(1 minute)' },
      [
        'inventory.schedule: runs every 1 minute; State Manager runs an association at most every 30 minutes (use rate(30 minutes) or slower), got "rate(1 minute)"',
      ],
    ],
    [
      'rate with a wrong plural',
      { schedule: 'rate(1 hours)' },
      [
        'inventory.schedule: must use a singular unit for 1 and a plural one otherwise (e.g. rate(1 hour), rate(2 hours)), got "rate(1 hours)"',
      ],
    ],
    [
      'rate of 31 days',
      { schedule: 'rate(31 days)' },
      ['inventory.schedule: must be less than 31 days apart (State Manager limit), got "rate(31 days)"'],
    ],
    [
      'cron every 15 minutes',
      { schedule: 'cron(0/15 * * * ? *)' },
      ['inventory.schedule: runs every 15 minutes; State Manager runs an association at most every 30 minutes, got "cron(0/15 * * * ? *)"'],
    ],
    [
      'cron every minute',
      { schedule: 'cron(* * * * ? *)' },
      ['inventory.schedule: runs every 1 minute; State Manager runs an association at most every 30 minutes, got "cron(* * * * ? *)"'],
    ],
    [
      'cron with a minute list',
      { schedule: 'cron(0,10 * * * ? *)' },
      ['inventory.schedule: runs every 10 minutes; State Manager runs an association at most every 30 minutes, got "cron(0,10 * * * ? *)"'],
    ],
    [
      'cron with seconds',
      { schedule: 'cron(5 0 * * * ? *)' },
      ['inventory.schedule: the seconds field of an association cron expression can only be 0, got "cron(5 0 * * * ? *)"'],
    ],
    [
      'cron with 5 fields',
      { schedule: 'cron(0 * * * *)' },
      [
        'inventory.schedule: must have 6 fields (minutes hours day-of-month month day-of-week year), optionally preceded by seconds = 0, got "cron(0 * * * *)"',
      ],
    ],
    [
      'one-time schedule',
      { schedule: 'at(2030-01-01T00:00:00)' },
      ['inventory.schedule: State Manager associations take rate(...) or cron(...), not at(...), got "at(2030-01-01T00:00:00)"'],
    ],
    [
      'not a schedule',
      { schedule: 'every 30 minutes' },
      ['inventory.schedule: must be rate(N minutes|hours|days) or cron(...), got "every 30 minutes"'],
    ],
    ['tag values without a key', { targets: { tagValues: ['a'] } }, ['inventory.targets.tagValues: tagValues needs tagKey']],
    [
      'relative file path',
      { collect: { files: [{ path: 'var/log', pattern: ['*.log'] }] } },
      ['inventory.collect.files[0].path: must be an absolute path (/var/app, C:\\Program Files or %PROGRAMFILES%), got "var/log"'],
    ],
    [
      'file pattern with a directory',
      { collect: { files: [{ path: '/var', pattern: ['log/*.log'] }] } },
      ['inventory.collect.files[0].pattern[0]: must be a file-name pattern such as *.sh, without directories, got "log/*.log"'],
    ],
    [
      'no file pattern',
      { collect: { files: [{ path: '/var', pattern: [] }] } },
      ['inventory.collect.files[0].pattern: must list at least one file-name pattern, e.g. ["*.conf"]'],
    ],
    ['file search without pattern', { collect: { files: [{ path: '/var' }] } }, ['inventory.collect.files[0].pattern: is required']],
    [
      'misspelled file field',
      { collect: { files: [{ path: '/var', pattern: ['*'], recurse: true }] } },
      ['inventory.collect.files[0].recurse: unknown field (check the spelling against config/schema.json)'],
    ],
    [
      'registry path without a hive',
      { collect: { windowsRegistry: [{ path: 'SOFTWARE\\Amazon' }] } },
      [
        'inventory.collect.windowsRegistry[0].path: must be a registry key path starting with a hive, e.g. HKEY_LOCAL_MACHINE\\SOFTWARE\\Amazon, got "SOFTWARE\\\\Amazon"',
      ],
    ],
    [
      'type outside the allowlist',
      { recorder: { extraResourceTypes: ['AWS::S3::Bucket'] } },
      [
        'inventory.recorder.extraResourceTypes[0]: must be one of AWS::SSM::PatchCompliance, AWS::SSM::AssociationCompliance, AWS::EC2::Instance, got "AWS::S3::Bucket"',
      ],
    ],
    [
      'duplicate extra type',
      { recorder: { extraResourceTypes: ['AWS::EC2::Instance', 'AWS::EC2::Instance'] } },
      ['inventory.recorder.extraResourceTypes[1]: duplicate type "AWS::EC2::Instance" (also at extraResourceTypes[0])'],
    ],
    [
      'unknown recorder mode',
      { recorder: { mode: 'existing' } },
      ['inventory.recorder.mode: must be "create" or "useExisting", got "existing"'],
    ],
    [
      'lower-case frequency',
      { recorder: { recordingFrequency: 'daily' } },
      ['inventory.recorder.recordingFrequency: must be "CONTINUOUS" or "DAILY", got "daily"'],
    ],
    [
      'unknown delivery frequency',
      { recorder: { deliveryFrequency: 'Daily' } },
      [
        'inventory.recorder.deliveryFrequency: must be one of One_Hour, Three_Hours, Six_Hours, Twelve_Hours, TwentyFour_Hours, got "Daily"',
      ],
    ],
    ['zero retention', { recorder: { bucketRetentionDays: 0 } }, ['inventory.recorder.bucketRetentionDays: must be at least 1 day, got 0']],
  ];

  it.each(cases)('%s', (_name, section, expected) => {
    expect(problems(section)).toEqual(expected);
  });

  it('reports every problem at once', () => {
    expect(problems({ schedule: 'rate(5 minutes)', recorder: { mode: 'x', bucketRetentionDays: 0 } })).toHaveLength(3);
  });

  it.each([
    'rate(30 minutes)',
    'rate(1 hour)',
    'rate(12 hours)',
    'rate(30 days)',
    'cron(0/30 * * * ? *)',
    'cron(15/30 * * * ? *)',
    'cron(0 0/2 * * ? *)',
    'cron(15 13 ? * MON *)',
    'cron(0 */30 * * * ? *)',
    'cron(0,30 * * * ? *)',
  ])('accepts %s', (schedule) => {
    expect(associationScheduleProblem(schedule)).toBeUndefined();
    expect(parseConfig({ ...exampleInput(), inventory: { schedule } }, 'test').inventory.schedule).toBe(schedule);
  });

  it('expands cron minute fields', () => {
    expect(cronMinutes('0')).toEqual([0]);
    expect(cronMinutes('*/20')).toEqual([0, 20, 40]);
    expect(cronMinutes('10/25')).toEqual([10, 35]);
    expect(cronMinutes('0-10/5,50')).toEqual([0, 5, 10, 50]);
    expect(cronMinutes('60')).toBeUndefined();
    expect(cronMinutes('L')).toBeUndefined();
  });
});
