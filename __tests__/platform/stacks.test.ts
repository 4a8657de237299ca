import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { Testing } from 'cdktf';
import { BaselineStack } from '../../stacks/platform/baseline-stack';
import { EventRule } from '../../stacks/constructs/event-rule';
import { eventRuleBase } from '../../stacks/platform/shared';
import { Naming, NAME_LIMITS } from '../../stacks/platform/naming';
import { MAX_REGION_LENGTH } from '../../stacks/platform/config/regions';
import {
  ROOT,
  exampleConfig,
  readStacks,
  synthStack,
  synthToDir,
  testConfig,
  StackJson,
  resourcesOf,
  findResource,
  policyStatements,
} from '../helpers/synth';

describe('stacks: one per account-region plus one bootstrap per account', () => {
  let outdir: string;
  let stacks: Record<string, StackJson>;
  beforeAll(() => {
    outdir = synthToDir(exampleConfig());
    stacks = readStacks(outdir);
  });
  const baseline = () => Object.entries(stacks).filter(([n]) => !n.endsWith('-bootstrap'));

  it('names stacks <account>-<region> and <account>-bootstrap', () => {
    expect(Object.keys(stacks).sort()).toEqual([
      'prod-ap-northeast-1',
      'prod-bootstrap',
      'prod-us-east-1',
      'staging-ap-northeast-1',
      'staging-bootstrap',
    ]);
  });

  it("orders deploys: each region stack depends on its own account's bootstrap stack, bootstraps on nothing", () => {
    const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8')) as {
      stacks: Record<string, { dependencies: string[] }>;
    };
    const dependencies = Object.fromEntries(Object.entries(manifest.stacks).map(([n, s]) => [n, s.dependencies]));
    expect(dependencies).toEqual({
      'prod-ap-northeast-1': ['prod-bootstrap'],
      'prod-bootstrap': [],
      'prod-us-east-1': ['prod-bootstrap'],
      'staging-ap-northeast-1': ['staging-bootstrap'],
      'staging-bootstrap': [],
    });
  });

  it('gives every baseline stack its own encrypted, lock-file-locked S3 state key and no DynamoDB lock', () => {
    const keys = baseline().map(([, s]) => s.terraform!.backend.s3.key);
    expect(new Set(keys).size).toBe(keys.length);
    expect(stacks['prod-us-east-1'].terraform!.backend.s3).toEqual({
      bucket: 'ssmb-tfstate-111111111111',
      key: 'ssm-baseline/111111111111/us-east-1/terraform.tfstate',
      region: 'ap-northeast-1',
      encrypt: true,
      use_lockfile: true,
      assume_role: { role_arn: 'arn:aws:iam::111111111111:role/ssm-baseline-deploy', session_name: 'ssm-baseline-state-prod' },
    });
    for (const [, s] of baseline()) {
      const b = s.terraform!.backend.s3;
      expect(b.encrypt).toBe(true);
      expect(b.use_lockfile).toBe(true);
      expect(b).not.toHaveProperty('dynamodb_table');
      expect(b).not.toHaveProperty('dynamodb');
    }
  });

  it('pins every provider to its account and assumes the deploy role', () => {
    for (const [name, s] of Object.entries(stacks)) {
      const [aws] = s.provider!.aws;
      const id = name.startsWith('prod') ? '111111111111' : '222222222222';
      expect(aws.allowed_account_ids).toEqual([id]);
      expect(aws.assume_role).toEqual([
        { role_arn: `arn:aws:iam::${id}:role/ssm-baseline-deploy`, session_name: `ssm-baseline-${name.split('-')[0]}` },
      ]);
    }
    expect(stacks['prod-us-east-1'].provider!.aws[0].region).toBe('us-east-1');
  });

  it('applies the configured default tags plus ownership tags', () => {
    expect(stacks['staging-ap-northeast-1'].provider!.aws[0].default_tags).toEqual([
      { tags: { Project: 'ssm-baseline', Owner: 'platform-team', ManagedBy: 'ssm-baseline', SsmBaselineStack: 'staging-ap-northeast-1' } },
    ]);
  });

  it('keeps IAM names of two regions of one account apart', () => {
    const iamNames = (s: StackJson) =>
      [
        ...Object.values(resourcesOf(s, 'aws_iam_role')),
        ...Object.values(resourcesOf(s, 'aws_iam_instance_profile')),
        ...Object.values(resourcesOf(s, 'aws_iam_policy')),
      ].map((r) => r.name as string);
    const tokyo = iamNames(stacks['prod-ap-northeast-1']);
    const virginia = iamNames(stacks['prod-us-east-1']);
    expect(tokyo.length).toBeGreaterThan(0);
    expect(tokyo.filter((n) => virginia.includes(n))).toEqual([]);
  });

  it('bootstraps the state bucket with a local backend and prevent_destroy', () => {
    const s = stacks['prod-bootstrap'];
    // Beside the project (the working directory), wherever the output folder is.
    expect(Object.keys(s.terraform!.backend)).toEqual(['local']);
    expect(resolve(outdir, 'stacks', 'prod-bootstrap', s.terraform!.backend.local.path)).toBe(
      join(ROOT, 'bootstrap-state', 'prod-bootstrap.tfstate'),
    );
    const [, bucket] = findResource(s, 'aws_s3_bucket');
    expect(bucket).toMatchObject({ bucket: 'ssmb-tfstate-111111111111', force_destroy: false, lifecycle: { prevent_destroy: true } });
    const [, lifecycle] = findResource(s, 'aws_s3_bucket_lifecycle_configuration');
    expect(lifecycle.rule[0]).not.toHaveProperty('expiration');
    expect(lifecycle.rule[0].noncurrent_version_expiration).toEqual([{ noncurrent_days: 90 }]);
    expect(s.provider!.aws[0].region).toBe('ap-northeast-1');
  });

  it('exports the managed-instance profile and the notification topic', () => {
    const outputs = stacks['prod-ap-northeast-1'].output!;
    expect(Object.keys(outputs)).toEqual(
      expect.arrayContaining([
        'managed_instance_profile_name',
        'managed_instance_role_arn',
        'notification_topic_arn',
        'dead_letter_queue_url',
      ]),
    );
  });

  it('ships every Lambda as a zip whose SHA-256 is its source_code_hash', () => {
    const functions = baseline().flatMap(([name, s]) => Object.values(resourcesOf(s, 'aws_lambda_function')).map((fn) => ({ name, fn })));
    for (const { name, fn } of functions) {
      const zip = readFileSync(join(outdir, 'stacks', name, fn.filename));
      expect(createHash('sha256').update(zip).digest('base64')).toBe(fn.source_code_hash);
    }
  });

  it('is deterministic: a second synth is byte-identical', () => {
    const again = synthToDir(exampleConfig());
    const files = (root: string, dir = root): string[] =>
      readdirSync(dir).flatMap((f) => {
        const p = join(dir, f);
        return statSync(p).isDirectory() ? files(root, p) : [relative(root, p)];
      });
    const a = files(outdir).sort();
    expect(a.length).toBeGreaterThan(5);
    expect(files(again).sort()).toEqual(a);
    for (const f of a) {
      expect({ file: f, same: readFileSync(join(again, f)).equals(readFileSync(join(outdir, f))) }).toEqual({ file: f, same: true });
    }
  });
});

describe('physical names', () => {
  const config = testConfig({ namePrefix: 'abcdefghij' });
  const longest = { ...config.accounts[0], regions: ['ap-southeast-3' as const] };

  it('fit AWS limits for the longest prefix and region', () => {
    expect(MAX_REGION_LENGTH).toBe('ap-southeast-3'.length);
    const n = new Naming('abcdefghij', longest, 'ap-southeast-3');
    expect(n.iam('association-notifier').length).toBeLessThanOrEqual(NAME_LIMITS.iamRole);
    expect(n.bucket('association-output')).toBe('abcdefghij-111111111111-ap-southeast-3-association-output');
    expect(n.bucket('association-output').length).toBeLessThanOrEqual(NAME_LIMITS.bucket);
  });

  it('budget KMS aliases (with their alias/ prefix), alarms and security groups by their own limits', () => {
    const n = new Naming('abcdefghij', longest, 'ap-southeast-3');
    expect(NAME_LIMITS.kmsAlias + 'alias/'.length).toBe(256);
    expect(NAME_LIMITS.cloudwatchAlarm).toBe(255);
    expect(NAME_LIMITS.securityGroup).toBe(255);
    expect(n.regional('k'.repeat(250 - 'abcdefghij-'.length), 'kmsAlias')).toHaveLength(250);
    expect(() => n.regional('k'.repeat(251 - 'abcdefghij-'.length), 'kmsAlias')).toThrow(/is 251 characters; kmsAlias names allow 250$/);
    expect(() => n.regional('a'.repeat(256 - 'abcdefghij-'.length), 'cloudwatchAlarm')).toThrow(
      /is 256 characters; cloudwatchAlarm names allow 255$/,
    );
    expect(() => n.regional('g'.repeat(256 - 'abcdefghij-'.length), 'securityGroup')).toThrow(
      /is 256 characters; securityGroup names allow 255$/,
    );
  });

  it('refuse a name over its limit instead of letting AWS reject it at apply', () => {
    const n = new Naming('abcdefghij', longest, 'ap-southeast-3');
    expect(() => n.bucket('a-purpose-that-is-far-too-long')).toThrow(
      'physical name "abcdefghij-111111111111-ap-southeast-3-a-purpose-that-is-far-too-long" is 69 characters; bucket names allow 63',
    );
  });
});

describe('shared building blocks in a baseline stack', () => {
  let stack: StackJson;
  beforeAll(() => {
    stack = synthStack(testConfig());
  });

  it('encrypts the topic with a rotating customer-managed key and subscribes the e-mails', () => {
    const [, topic] = findResource(stack, 'aws_sns_topic');
    expect(topic.name).toBe('ssmb-notifications');
    expect(topic.kms_master_key_id).toMatch(/^\$\{aws_kms_key\..+\.arn\}$/);
    const keys = Object.values(resourcesOf(stack, 'aws_kms_key'));
    expect(keys.every((k) => k.enable_key_rotation === true)).toBe(true);
    const [, sub] = findResource(stack, 'aws_sns_topic_subscription');
    expect(sub).toMatchObject({ protocol: 'email', endpoint: 'ops@example.com' });
  });

  it('lets the DLQ alarm publish only through its own ARN', () => {
    const [, policy] = findResource(stack, 'aws_sns_topic_policy');
    const statements = policyStatements(stack, policy.policy);
    const alarm = statements.find((s) => s.sid === 'AllowCloudWatchAlarms')!;
    expect(alarm.principals).toEqual([{ type: 'Service', identifiers: ['cloudwatch.amazonaws.com'] }]);
    const [dlqAlarm] = findResource(stack, 'aws_cloudwatch_metric_alarm', (a) => a.metric_name === 'ApproximateNumberOfMessagesVisible');
    expect(alarm.condition).toEqual([
      { test: 'ArnEquals', variable: 'aws:SourceArn', values: expect.arrayContaining([`\${aws_cloudwatch_metric_alarm.${dlqAlarm}.arn}`]) },
      { test: 'StringEquals', variable: 'aws:SourceAccount', values: ['111111111111'] },
    ]);
    // Only alarm ARNs: no wildcard publisher.
    expect(alarm.condition[0].values.every((v: string) => /^\$\{aws_cloudwatch_metric_alarm\.[^.]+\.arn\}$/.test(v))).toBe(true);
    expect(statements.find((s) => s.sid === 'DenyInsecureTransport')).toMatchObject({ effect: 'Deny' });
  });

  it('lets only the services that publish use the topic key', () => {
    const [, topic] = findResource(stack, 'aws_sns_topic');
    const keyId = /^\$\{aws_kms_key\.(.+)\.arn\}$/.exec(topic.kms_master_key_id)![1];
    const key = resourcesOf(stack, 'aws_kms_key')[keyId];
    const grant = policyStatements(stack, key.policy).find((s) => s.sid === 'AllowServicePublishersToEncrypt')!;
    // Alarms publish here; every rule targets a Lambda, so EventBridge gets no key grant.
    expect(grant.principals).toEqual([{ type: 'Service', identifiers: ['cloudwatch.amazonaws.com'] }]);
    expect(grant.actions).toEqual(['kms:Decrypt', 'kms:GenerateDataKey*']);
  });

  it('grants EventBridge the topic key once a rule targets the topic directly', () => {
    const config = testConfig();
    const withRule = new BaselineStack(Testing.app(), { config, account: config.accounts[0], region: 'ap-northeast-1' });
    new EventRule(withRule, 'probe', {
      ...eventRuleBase(withRule.shared, 'probe'),
      description: 'a rule whose target is the topic',
      eventPattern: { source: ['aws.ssm'] },
      target: { kind: 'topic', topic: withRule.shared.topic, inputPaths: { id: '$.id' }, inputTemplate: '"<id>"' },
    });
    const json = JSON.parse(Testing.synth(withRule));
    const [, topic] = findResource(json, 'aws_sns_topic');
    const keyId = /^\$\{aws_kms_key\.(.+)\.arn\}$/.exec(topic.kms_master_key_id)![1];
    const grant = policyStatements(json, resourcesOf(json, 'aws_kms_key')[keyId].policy).find(
      (s) => s.sid === 'AllowServicePublishersToEncrypt',
    )!;
    expect(grant.principals).toEqual([{ type: 'Service', identifiers: ['cloudwatch.amazonaws.com', 'events.amazonaws.com'] }]);
  });

  it('keeps dead letters encrypted for the SQS maximum of 14 days and alarms on the first one', () => {
    const [, queue] = findResource(stack, 'aws_sqs_queue', (q) => q.name === 'ssmb-dead-letters');
    expect(queue).toMatchObject({ sqs_managed_sse_enabled: true, message_retention_seconds: 1209600 });
    const [, alarm] = findResource(stack, 'aws_cloudwatch_metric_alarm', (a) => a.metric_name === 'ApproximateNumberOfMessagesVisible');
    expect(alarm).toMatchObject({ threshold: 0, comparison_operator: 'GreaterThanThreshold', namespace: 'AWS/SQS' });
  });

  it('gives the managed-instance role AmazonSSMManagedInstanceCore and an instance profile', () => {
    const [, attach] = findResource(stack, 'aws_iam_role_policy_attachment', (a) =>
      String(a.policy_arn).endsWith('AmazonSSMManagedInstanceCore'),
    );
    expect(attach.role).toMatch(/aws_iam_role\.shared_managed-instance_role/);
    const [, profile] = findResource(stack, 'aws_iam_instance_profile');
    expect(profile.name).toBe('ssmb-managed-instance-ap-northeast-1');
  });
});
