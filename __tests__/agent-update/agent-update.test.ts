import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { BaselineConfigInput } from '../../stacks/platform/config/schema';
import { TARGET_RETRY } from '../../stacks/constructs/event-rule';
import { LAMBDA_RUNTIME } from '../../stacks/constructs/notifier-function';
import { EventPattern, matchesPattern, rulePattern } from '../helpers/event-pattern';
import { ROOT, StackJson, findResource, policyStatements, resourcesOf, synthStack, testConfig } from '../helpers/synth';
import success from './fixtures/success.json';
import failed from './fixtures/failed.json';
import pending from './fixtures/pending.json';
import otherDocument from './fixtures/other-document.json';
import otherAssociation from './fixtures/other-association.json';

const ACCOUNT = '111111111111';
const REGION = 'ap-northeast-1';
const BUCKET = `ssmb-${ACCOUNT}-${REGION}-agent-update`;

const agentUpdate = (section: Record<string, unknown>) => ({ agentUpdate: section }) as Partial<BaselineConfigInput>;
const association = (s: StackJson) => findResource(s, 'aws_ssm_association', (b) => b.name === 'AWS-UpdateSSMAgent');
const rule = (s: StackJson) => findResource(s, 'aws_cloudwatch_event_rule', (b) => b.name === 'ssmb-agent-update-result');
const notifier = (s: StackJson) => findResource(s, 'aws_lambda_function', (b) => b.function_name === 'ssmb-agent-update-notifier');
const outputBucket = (s: StackJson) => findResource(s, 'aws_s3_bucket', (b) => b.bucket === BUCKET);
const instanceRole = (s: StackJson) => findResource(s, 'aws_iam_role', (b) => b.name === `ssmb-managed-instance-${REGION}`);
/** The synthesized pattern (pure data: it names no resource). */
function pattern(s: StackJson): EventPattern {
  return rulePattern(s, (r) => r.name === 'ssmb-agent-update-result');
}

describe('agent update: default configuration', () => {
  let s: StackJson;
  beforeAll(() => {
    s = synthStack(testConfig());
  });

  it('declares the AWS-UpdateSSMAgent association on all managed instances every 14 days, staggered', () => {
    const [, a] = association(s);
    expect(a).toMatchObject({
      name: 'AWS-UpdateSSMAgent',
      association_name: 'ssmb-agent-update',
      schedule_expression: 'rate(14 days)',
      targets: [{ key: 'InstanceIds', values: ['*'] }],
      max_concurrency: '10%',
      max_errors: '10%',
      compliance_severity: 'UNSPECIFIED',
      apply_only_at_cron_interval: false,
    });
    // No version: the document's default (latest agent). allowDowngrade is always sent,
    // so the map is never empty and a version removed from the config leaves the association.
    expect(a.parameters).toEqual({ allowDowngrade: 'false' });
  });

  it('writes the association output under its own prefix of a secure bucket kept 400 days', () => {
    const [bucketId] = outputBucket(s);
    const [, a] = association(s);
    expect(a.output_location).toEqual({
      s3_bucket_name: `\${aws_s3_bucket.${bucketId}.bucket}`,
      s3_key_prefix: 'agent-update',
      s3_region: REGION,
    });
    const [, lifecycle] = findResource(s, 'aws_s3_bucket_lifecycle_configuration', (b) => b.bucket === `\${aws_s3_bucket.${bucketId}.id}`);
    expect(lifecycle.rule[0].expiration).toEqual([{ days: 400 }]);
    const [, block] = findResource(s, 'aws_s3_bucket_public_access_block', (b) => b.bucket === `\${aws_s3_bucket.${bucketId}.id}`);
    expect(block).toMatchObject({
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    const [, sse] = findResource(
      s,
      'aws_s3_bucket_server_side_encryption_configuration',
      (b) => b.bucket === `\${aws_s3_bucket.${bucketId}.id}`,
    );
    expect(sse.rule[0].apply_server_side_encryption_by_default.sse_algorithm).toBe('AES256');
  });

  it('lets the instance role write exactly that output: PutObject under the prefix, GetEncryptionConfiguration on the bucket', () => {
    const [, policy] = findResource(s, 'aws_iam_policy', (b) => b.name === `ssmb-managed-instance-${REGION}`);
    const [bucketId] = outputBucket(s);
    const arn = `\${aws_s3_bucket.${bucketId}.arn}`;
    const mine = policyStatements(s, policy.policy).filter((st) => String(st.sid).startsWith('AgentUpdate'));
    expect(mine).toEqual([
      { effect: 'Allow', sid: 'AgentUpdateWriteOutput', actions: ['s3:PutObject'], resources: [`${arn}/agent-update/*`] },
      { effect: 'Allow', sid: 'AgentUpdateReadOutputEncryption', actions: ['s3:GetEncryptionConfiguration'], resources: [arn] },
    ]);
    // Nothing else of this capability touches the instance role.
    const [, role] = instanceRole(s);
    expect(policyStatements(s, role.assume_role_policy)[0].principals).toEqual([{ type: 'Service', identifiers: ['ec2.amazonaws.com'] }]);
    expect(resourcesOf(s, 'aws_ssm_service_setting')).toEqual({});
  });

  it('creates the association last: after the output grant, the rule target and the Lambda permission (it runs at once)', () => {
    const [roleId] = instanceRole(s);
    const [attachmentId] = findResource(
      s,
      'aws_iam_role_policy_attachment',
      (b) => b.role === `\${aws_iam_role.${roleId}.name}` && /aws_iam_policy\./.test(b.policy_arn),
    );
    const [, a] = association(s);
    const [ruleId, r] = rule(s);
    const [targetId] = findResource(s, 'aws_cloudwatch_event_target', (b) => b.rule === `\${aws_cloudwatch_event_rule.${ruleId}.name}`);
    const [permissionId] = findResource(s, 'aws_lambda_permission', (b) => b.source_arn === `\${aws_cloudwatch_event_rule.${ruleId}.arn}`);
    expect([...a.depends_on].sort()).toEqual(
      [
        `aws_iam_role_policy_attachment.${attachmentId}`,
        `aws_cloudwatch_event_target.${targetId}`,
        `aws_lambda_permission.${permissionId}`,
      ].sort(),
    );
    // Nothing on the result path refers to the association, so nothing waits for it.
    expect(JSON.stringify(r)).not.toContain('aws_ssm_association');
    expect(JSON.stringify(notifier(s)[1])).not.toContain('aws_ssm_association');
  });

  it('matches AWS-UpdateSSMAgent results with the notified statuses (the notifier keeps its own association only)', () => {
    const [, r] = rule(s);
    expect(JSON.parse(r.event_pattern)).toEqual({
      source: ['aws.ssm'],
      'detail-type': ['EC2 State Manager Instance Association State Change'],
      detail: {
        'document-name': ['AWS-UpdateSSMAgent'],
        status: ['Success', 'Failed'],
      },
    });
  });

  it('delivers to the notifier with a day of retries, then the dead-letter queue', () => {
    const [ruleId] = rule(s);
    const [fnId] = notifier(s);
    const [, target] = findResource(s, 'aws_cloudwatch_event_target', (b) => b.rule === `\${aws_cloudwatch_event_rule.${ruleId}.name}`);
    const [dlqId] = findResource(s, 'aws_sqs_queue', (b) => b.name === 'ssmb-dead-letters');
    expect(target).toMatchObject({
      arn: `\${aws_lambda_function.${fnId}.arn}`,
      retry_policy: {
        maximum_event_age_in_seconds: TARGET_RETRY.maximumEventAgeInSeconds,
        maximum_retry_attempts: TARGET_RETRY.maximumRetryAttempts,
      },
      dead_letter_config: { arn: `\${aws_sqs_queue.${dlqId}.arn}` },
    });
    expect(target.role_arn).toBeUndefined();
    // Only this rule may invoke the function.
    const [, permission] = findResource(
      s,
      'aws_lambda_permission',
      (b) => b.function_name === `\${aws_lambda_function.${fnId}.function_name}`,
    );
    expect(permission).toMatchObject({
      action: 'lambda:InvokeFunction',
      principal: 'events.amazonaws.com',
      source_arn: `\${aws_cloudwatch_event_rule.${ruleId}.arn}`,
    });
    // And the DLQ admits this rule's dead letters.
    const [, queuePolicy] = findResource(s, 'aws_sqs_queue_policy', (b) => b.queue_url === `\${aws_sqs_queue.${dlqId}.url}`);
    const grant = policyStatements(s, queuePolicy.policy).find((st) => st.sid === 'AllowEventBridgeRuleDeadLetters')!;
    expect(grant.condition.find((c: any) => c.variable === 'aws:SourceArn').values).toContain(
      `\${aws_cloudwatch_event_rule.${ruleId}.arn}`,
    );
  });

  it('runs the bundled notifier with its own log group, env, and async failures to the DLQ', () => {
    const [fnId, fn] = notifier(s);
    expect(fn).toMatchObject({ runtime: LAMBDA_RUNTIME, handler: 'index.handler', timeout: 30 });
    // base64 SHA-256 of the deterministic zip (what Lambda reports as CodeSha256)
    expect(fn.source_code_hash).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(fn.environment.variables).toEqual({
      NODE_OPTIONS: '--enable-source-maps',
      ACCOUNT_NAME: 'prod',
      TOPIC_ARN: expect.stringMatching(/^\$\{aws_sns_topic\.[^.]+\.arn\}$/),
      ASSOCIATION_NAME: 'ssmb-agent-update',
      DOCUMENT_NAME: 'AWS-UpdateSSMAgent',
      OUTPUT_BUCKET: `\${aws_s3_bucket.${outputBucket(s)[0]}.bucket}`,
      OUTPUT_PREFIX: 'agent-update',
    });
    const [logsId, logs] = findResource(s, 'aws_cloudwatch_log_group', (b) => b.name === '/aws/lambda/ssmb-agent-update-notifier');
    expect(logs.retention_in_days).toBe(365);
    expect(fn.logging_config).toEqual({ log_format: 'JSON', log_group: `\${aws_cloudwatch_log_group.${logsId}.name}` });
    const [, invoke] = findResource(
      s,
      'aws_lambda_function_event_invoke_config',
      (b) => b.function_name === `\${aws_lambda_function.${fnId}.function_name}`,
    );
    expect(invoke.destination_config.on_failure.destination).toMatch(/^\$\{aws_sqs_queue\.[^.]+\.arn\}$/);
    expect(existsSync(join(ROOT, 'dist', 'lambda-bundles', 'agent-update', 'index.js'))).toBe(true);
  });

  it('gives the notifier exactly: its logs, dead letters, publish (+ topic key), DescribeInstanceInformation, ListAssociations', () => {
    const [, fn] = notifier(s);
    const roleId = /^\$\{aws_iam_role\.([^.]+)\.arn\}$/.exec(fn.role)![1];
    const [, policy] = findResource(s, 'aws_iam_role_policy', (b) => b.role === `\${aws_iam_role.${roleId}.id}`);
    const statements = policyStatements(s, policy.policy);
    expect(statements.map((st) => [st.sid, st.actions, st.resources])).toEqual([
      [
        'WriteOwnLogs',
        ['logs:CreateLogStream', 'logs:PutLogEvents'],
        [expect.stringMatching(/^\$\{aws_cloudwatch_log_group\.[^.]+\.arn\}:log-stream:\*$/)],
      ],
      ['SendDeadLetters', ['sqs:SendMessage'], [expect.stringMatching(/^\$\{aws_sqs_queue\.[^.]+\.arn\}$/)]],
      ['PublishNotifications', ['sns:Publish'], [expect.stringMatching(/^\$\{aws_sns_topic\.[^.]+\.arn\}$/)]],
      ['EncryptNotifications', ['kms:Decrypt', 'kms:GenerateDataKey'], [expect.stringMatching(/^\$\{aws_kms_key\.[^.]+\.arn\}$/)]],
      ['DescribeManagedInstances', ['ssm:DescribeInstanceInformation'], ['*']],
      ['FindOwnAssociation', ['ssm:ListAssociations'], ['*']],
    ]);
    expect(statements.every((st) => st.effect === 'Allow')).toBe(true);
  });

  it('exports the association id and output bucket under plain names, like every capability', () => {
    expect(s.output?.agent_update_association_id).toEqual({
      value: `\${aws_ssm_association.${association(s)[0]}.association_id}`,
      description: 'AWS-UpdateSSMAgent association id',
    });
    expect(s.output?.agent_update_output_bucket).toEqual({
      value: `\${aws_s3_bucket.${outputBucket(s)[0]}.bucket}`,
      description: 'Association output (s3://<bucket>/agent-update/<instance id>/...)',
    });
    // No construct-path names with a hash suffix left behind.
    expect(Object.keys(s.output ?? {}).filter((k) => /agent.update/i.test(k) && !k.startsWith('agent_update_'))).toEqual([]);
  });

  describe('sample events against the synthesized pattern (EventBridge semantics)', () => {
    let p: EventPattern;
    beforeAll(() => {
      p = pattern(s);
    });
    it.each([
      ['our Success', success, true],
      ['our Failed', failed, true],
      ['our Pending (status not notified)', pending, false],
      ['another document', otherDocument, false],
      // Reaches the notifier, which drops it (handler tests): the rule cannot name an id that does not exist yet.
      ['another association of the same document', otherAssociation, true],
      ['a Run Command event', { ...success, 'detail-type': 'EC2 Command Invocation Status-change Notification' }, false],
      ['another source', { ...success, source: 'aws.ec2' }, false],
    ])('%s', (_name, event, expected) => {
      expect(matchesPattern(p, event)).toBe(expected);
    });
  });
});

describe('agent update: custom configuration', () => {
  let s: StackJson;
  beforeAll(() => {
    s = synthStack(
      testConfig(
        agentUpdate({
          targets: { tagKey: 'Patch Group', tagValues: ['web', 'db'] },
          schedule: 'cron(0 3 ? * SUN *)',
          applyOnlyAtCronInterval: true,
          version: '3.3.2299.0',
          maxConcurrency: '2',
          maxErrors: '1',
          complianceSeverity: 'HIGH',
          notifyStatuses: ['Failed'],
          outputRetentionDays: 30,
          defaultHostManagement: true,
        }),
      ),
    );
  });

  it('carries every setting into the association', () => {
    const [, a] = association(s);
    expect(a).toMatchObject({
      schedule_expression: 'cron(0 3 ? * SUN *)',
      apply_only_at_cron_interval: true,
      targets: [{ key: 'tag:Patch Group', values: ['web', 'db'] }],
      parameters: { version: '3.3.2299.0', allowDowngrade: 'false' },
      max_concurrency: '2',
      max_errors: '1',
      compliance_severity: 'HIGH',
    });
    const [bucketId] = outputBucket(s);
    const [, lifecycle] = findResource(s, 'aws_s3_bucket_lifecycle_configuration', (b) => b.bucket === `\${aws_s3_bucket.${bucketId}.id}`);
    expect(lifecycle.rule[0].expiration).toEqual([{ days: 30 }]);
  });

  it('mails only the configured statuses', () => {
    const p = pattern(s);
    expect((p.detail as Record<string, unknown>).status).toEqual(['Failed']);
    expect(matchesPattern(p, failed)).toBe(true);
    expect(matchesPattern(p, success)).toBe(false);
  });

  it('registers the managed-instance role for Default Host Management, trusted by ssm.amazonaws.com', () => {
    const [roleId, role] = instanceRole(s);
    const [, setting] = findResource(s, 'aws_ssm_service_setting');
    expect(setting).toEqual({
      setting_id: `arn:aws:ssm:${REGION}:${ACCOUNT}:servicesetting/ssm/managed-instance/default-ec2-instance-management-role`,
      setting_value: `\${aws_iam_role.${roleId}.name}`,
    });
    expect(policyStatements(s, role.assume_role_policy)[0].principals).toEqual([
      { type: 'Service', identifiers: ['ec2.amazonaws.com', 'ssm.amazonaws.com'] },
    ]);
  });

  it('targets a tag key alone with tag-key', () => {
    const t = synthStack(testConfig(agentUpdate({ targets: { tagKey: 'ssm-agent-update' } })));
    expect(association(t)[1].targets).toEqual([{ key: 'tag-key', values: ['ssm-agent-update'] }]);
  });
});

describe('agent update: disabled', () => {
  it('adds nothing', () => {
    const s = synthStack(testConfig(agentUpdate({ enabled: false })));
    expect(Object.values(resourcesOf(s, 'aws_ssm_association')).filter((a) => a.name === 'AWS-UpdateSSMAgent')).toEqual([]);
    expect(Object.values(resourcesOf(s, 'aws_lambda_function')).filter((f) => f.function_name === 'ssmb-agent-update-notifier')).toEqual(
      [],
    );
    expect(Object.values(resourcesOf(s, 'aws_s3_bucket')).filter((b) => b.bucket === BUCKET)).toEqual([]);
  });
});

describe('agent update: deterministic bundle', () => {
  it('has the same asset hash in two synths', () => {
    const a = notifier(synthStack(testConfig()))[1];
    const b = notifier(synthStack(testConfig()))[1];
    expect(b.source_code_hash).toBe(a.source_code_hash);
    expect(b.filename).toBe(a.filename);
  });

  it('rebuilds byte-identical: two fresh esbuild runs give the synthesized hash', () => {
    // bundleLambda caches per process; a fresh module registry forces a real rebuild.
    const build = (): { sourceCodeHash: string; bytes: number } => {
      let out: { sourceCodeHash: string; bytes: number } | undefined;
      jest.isolateModules(() => {
        out = (require('../../tooling/lambda-bundle') as typeof import('../../tooling/lambda-bundle')).bundleLambda('agent-update');
      });
      return out!;
    };
    const first = build();
    const second = build();
    expect(second.sourceCodeHash).toBe(first.sourceCodeHash);
    expect(first.sourceCodeHash).toBe(notifier(synthStack(testConfig()))[1].source_code_hash);
    // The SDK stays external (provided by the runtime): the bundle is our code only.
    expect(first.bytes).toBeLessThan(100_000);
  });
});
