import { BaselineConfigInput } from '../../stacks/platform/config/schema';
import { MANAGED_POLICY_MAX_LENGTH, estimateOperatorPolicyLength } from '../../stacks/capabilities/session-manager/config';
import { iamSim } from '../helpers/iam-sim';
import { TARGET_RETRY } from '../../stacks/constructs/event-rule';
import { PREFERENCES_DOCUMENT } from '../../stacks/capabilities/session-manager/preferences';
import { terraformLiteral } from '../../stacks/platform/literal';
import { Testing } from 'cdktf';
import { BaselineStack } from '../../stacks/platform/baseline-stack';
import { StackJson, findResource, policyStatements, resourcesOf, synthStack, testConfig } from '../helpers/synth';

const ACCOUNT = '111111111111';
const REGION = 'ap-northeast-1';
const BUCKET = `ssmb-${ACCOUNT}-${REGION}-sessions`;
const LOG_GROUP = '/ssmb/session-manager/sessions';
const LOG_GROUP_ARN = `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${LOG_GROUP}`;

type Regions = BaselineConfigInput['accounts'][number]['regions'];
const synth = (sessionManager: BaselineConfigInput['sessionManager'] = {}, region?: string, regions: Regions = [REGION]): StackJson =>
  synthStack(
    testConfig({
      accounts: [{ id: ACCOUNT, name: 'prod', regions, deployRoleArn: `arn:aws:iam::${ACCOUNT}:role/deploy` }],
      sessionManager,
    }),
    0,
    region,
  );

const ref = (type: string, id: string, attr: string) => `\${${type}.${id}.${attr}}`;
const doc = (s: StackJson) => findResource(s, 'aws_ssm_document', (d) => d.name === PREFERENCES_DOCUMENT);
const content = (s: StackJson) => JSON.parse(doc(s)[1].content as string);
const sessionKey = (s: StackJson) => findResource(s, 'aws_kms_key', (k) => /Session Manager/.test(k.description));
const bucket = (s: StackJson) => findResource(s, 'aws_s3_bucket', (b) => b.bucket === BUCKET);
const INSTANCE_POLICY = `ssmb-managed-instance-${REGION}`;
/** The statements of the instance policy (the customer-managed policy attached to the instance role). */
const instanceRoleStatements = (s: StackJson) => policyNamed(s, INSTANCE_POLICY);
const bySid = (statements: Array<Record<string, any>>, prefix: string) =>
  statements.filter((st) => String(st.sid ?? '').startsWith(prefix));
const policyNamed = (s: StackJson, name: string) =>
  policyStatements(s, findResource(s, 'aws_iam_policy', (p) => p.name === name)[1].policy);

describe('session manager: default configuration', () => {
  let s: StackJson;
  let keyId: string;
  let bucketId: string;
  let logGroupId: string;
  beforeAll(() => {
    s = synth();
    keyId = sessionKey(s)[0];
    bucketId = bucket(s)[0];
    logGroupId = findResource(s, 'aws_cloudwatch_log_group', (g) => g.name === LOG_GROUP)[0];
  });

  it('declares the Session-type preferences document with every input from config', () => {
    const [, body] = doc(s);
    expect(body).toMatchObject({ document_type: 'Session', document_format: 'JSON' });
    expect(content(s)).toEqual({
      schemaVersion: '1.0',
      description: expect.stringContaining('ssm-baseline'),
      sessionType: 'Standard_Stream',
      inputs: {
        s3BucketName: ref('aws_s3_bucket', bucketId, 'bucket'),
        s3KeyPrefix: 'sessionmanager',
        s3EncryptionEnabled: true,
        cloudWatchLogGroupName: ref('aws_cloudwatch_log_group', logGroupId, 'name'),
        cloudWatchEncryptionEnabled: true,
        cloudWatchStreamingEnabled: true,
        // Session data encryption is account-region wide: off unless encryptSessionData.
        kmsKeyId: '',
        runAsEnabled: false,
        runAsDefaultUser: '',
        idleSessionTimeout: '20',
        maxSessionDuration: '',
        shellProfile: { linux: '', windows: '' },
      },
    });
  });

  it('does not import the document unless asked', () => {
    expect(s.import).toBeUndefined();
  });

  it('keeps transcripts in a private bucket under the session key for 400 days', () => {
    const enc = Object.values(resourcesOf(s, 'aws_s3_bucket_server_side_encryption_configuration')).find(
      (e) => e.bucket === ref('aws_s3_bucket', bucketId, 'id'),
    )!;
    expect(enc.rule).toEqual([
      {
        apply_server_side_encryption_by_default: { sse_algorithm: 'aws:kms', kms_master_key_id: ref('aws_kms_key', keyId, 'arn') },
        bucket_key_enabled: true,
      },
    ]);
    const lifecycle = Object.values(resourcesOf(s, 'aws_s3_bucket_lifecycle_configuration')).find(
      (l) => l.bucket === ref('aws_s3_bucket', bucketId, 'id'),
    )!;
    expect(lifecycle.rule[0].expiration).toEqual([{ days: 400 }]);
    expect(lifecycle.rule[0].transition).toBeUndefined();
    const pab = Object.values(resourcesOf(s, 'aws_s3_bucket_public_access_block')).find(
      (p) => p.bucket === ref('aws_s3_bucket', bucketId, 'id'),
    )!;
    expect(pab).toMatchObject({
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
  });

  it('logs to an encrypted group with retention', () => {
    const [, group] = findResource(s, 'aws_cloudwatch_log_group', (g) => g.name === LOG_GROUP);
    expect(group).toMatchObject({ retention_in_days: 400, kms_key_id: ref('aws_kms_key', keyId, 'arn') });
  });

  it('rotates the key and admits CloudWatch Logs for this log group only', () => {
    const [, key] = sessionKey(s);
    expect(key.enable_key_rotation).toBe(true);
    const statements = policyStatements(s, key.policy);
    expect(statements.map((st) => st.sid)).toEqual(['EnableIamPolicies', 'AllowSessionLogGroup']);
    expect(statements[1]).toEqual({
      sid: 'AllowSessionLogGroup',
      effect: 'Allow',
      actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
      resources: ['*'],
      principals: [{ type: 'Service', identifiers: [`logs.${REGION}.amazonaws.com`] }],
      condition: [{ test: 'ArnEquals', variable: 'kms:EncryptionContext:aws:logs:arn', values: [LOG_GROUP_ARN] }],
    });
  });

  it('gives managed instances exactly the session-logging grants', () => {
    const bucketArn = ref('aws_s3_bucket', bucketId, 'arn');
    const keyArn = ref('aws_kms_key', keyId, 'arn');
    expect(bySid(instanceRoleStatements(s), 'Session')).toEqual([
      { sid: 'SessionTranscriptsWrite', effect: 'Allow', actions: ['s3:PutObject'], resources: [`${bucketArn}/sessionmanager/*`] },
      { sid: 'SessionTranscriptsCheckEncryption', effect: 'Allow', actions: ['s3:GetEncryptionConfiguration'], resources: [bucketArn] },
      {
        sid: 'SessionTranscriptsEncrypt',
        effect: 'Allow',
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: [keyArn],
        condition: [{ test: 'StringEquals', variable: 'kms:ViaService', values: [`s3.${REGION}.amazonaws.com`] }],
      },
      {
        sid: 'SessionLogsWrite',
        effect: 'Allow',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [`${LOG_GROUP_ARN}:log-stream:*`],
      },
      {
        sid: 'SessionLogsDescribeStreams',
        effect: 'Allow',
        actions: ['logs:DescribeLogStreams'],
        resources: [LOG_GROUP_ARN, `${LOG_GROUP_ARN}:*`],
      },
      { sid: 'SessionLogsFindGroup', effect: 'Allow', actions: ['logs:DescribeLogGroups'], resources: ['*'] },
    ]);
  });

  it('creates an operator policy without StartSession while no target is configured', () => {
    const statements = policyNamed(s, `ssmb-session-operator-${REGION}`);
    expect(statements.flatMap((st) => st.actions)).not.toContain('ssm:StartSession');
    expect(statements.map((st) => st.sid)).toEqual([
      'ResumeOrEndOwnSessions',
      'OpenSessionDataChannel',
      'SessionConnectionStatus',
      'ListSessionsAndNodes',
      'EncryptSessionData',
    ]);
    // Own sessions by the tag Session Manager sets (session ids begin with a user or
    // session name, which no policy variable holds for roles); Terraform's escape keeps
    // the IAM variable from being interpolated.
    expect(statements[0]).toMatchObject({
      actions: ['ssm:ResumeSession', 'ssm:TerminateSession'],
      resources: [`arn:aws:ssm:${REGION}:${ACCOUNT}:session/*`],
      condition: [{ test: 'StringEquals', variable: 'ssm:resourceTag/aws:ssmmessages:session-id', values: ['$${aws:userid}'] }],
    });
    // No resource type exists for OpenDataChannel.
    expect(statements[1]).toMatchObject({ actions: ['ssmmessages:OpenDataChannel'], resources: ['*'] });
    expect(statements[1].condition).toBeUndefined();
    expect(Object.values(resourcesOf(s, 'aws_iam_policy')).map((p) => p.name)).not.toContain(`ssmb-session-preferences-guard-${REGION}`);
  });

  it('mails logins through a notifier that retries and dead-letters', () => {
    const [ruleId, rule] = findResource(s, 'aws_cloudwatch_event_rule', (r) => r.name === 'ssmb-session-login');
    expect(JSON.parse(rule.event_pattern)).toEqual({
      source: ['aws.ssm'],
      'detail-type': ['AWS API Call via CloudTrail'],
      detail: { eventSource: ['ssm.amazonaws.com'], eventName: ['StartSession', 'ResumeSession'] },
    });
    const [, target] = findResource(s, 'aws_cloudwatch_event_target', (t) => t.rule === ref('aws_cloudwatch_event_rule', ruleId, 'name'));
    const [fnId, fn] = findResource(s, 'aws_lambda_function', (f) => f.function_name === 'ssmb-session-login-notifier');
    expect(target).toMatchObject({
      arn: ref('aws_lambda_function', fnId, 'arn'),
      retry_policy: {
        maximum_event_age_in_seconds: TARGET_RETRY.maximumEventAgeInSeconds,
        maximum_retry_attempts: TARGET_RETRY.maximumRetryAttempts,
      },
      dead_letter_config: { arn: expect.stringMatching(/^\$\{aws_sqs_queue\.shared_dead-letters_queue_[0-9A-F]+\.arn\}$/) },
    });
    expect(fn.environment.variables).toMatchObject({
      ACCOUNT_NAME: 'prod',
      TRANSCRIPT_BUCKET: ref('aws_s3_bucket', bucketId, 'bucket'),
      TRANSCRIPT_PREFIX: 'sessionmanager',
      SESSION_LOG_GROUP: LOG_GROUP,
    });
    const [, invoke] = findResource(
      s,
      'aws_lambda_function_event_invoke_config',
      (c) => c.function_name === ref('aws_lambda_function', fnId, 'function_name'),
    );
    expect(invoke.destination_config.on_failure.destination).toMatch(/aws_sqs_queue\.shared_dead-letters_queue/);
  });

  it('outputs what operators need', () => {
    expect(
      Object.keys(s.output ?? {})
        .filter((k) => k.startsWith('session_manager_'))
        .sort(),
    ).toEqual([
      'session_manager_key_arn',
      'session_manager_log_group',
      'session_manager_operator_policy_arn',
      'session_manager_transcript_bucket',
    ]);
  });
});

describe('session manager: configured preferences, targets and guard', () => {
  let s: StackJson;
  beforeAll(() => {
    s = synth({
      s3KeyPrefix: 'audit/sessions/',
      logBucket: { retentionDays: 730, glacierTransitionDays: 90 },
      cloudWatch: { streaming: false, retentionDays: 731 },
      idleSessionTimeout: 10,
      maxSessionDuration: 480,
      runAs: { enabled: true, defaultUser: 'ops' },
      shellProfile: { linux: 'cd ${HOME} && echo %{done}', windows: 'Set-Location $env:USERPROFILE' },
      operators: { instanceIds: ['i-0123456789abcdef0', 'mi-0123456789abcdef0'], tag: { key: 'SessionAccess', values: ['ops', 'oncall'] } },
      guard: { enabled: true, adminRoleArns: [`arn:aws:iam::${ACCOUNT}:role/Admin`] },
      loginAlerts: { failedAttempts: false },
    });
  });

  it('writes the configured inputs, shell profiles escaped for Terraform', () => {
    expect(content(s).inputs).toMatchObject({
      s3KeyPrefix: 'audit/sessions',
      cloudWatchStreamingEnabled: false,
      cloudWatchEncryptionEnabled: true,
      runAsEnabled: true,
      runAsDefaultUser: 'ops',
      idleSessionTimeout: '10',
      maxSessionDuration: '480',
      // Terraform turns $${ and %%{ back into ${ and %{ (checked with terraform plan).
      shellProfile: { linux: 'cd $${HOME} && echo %%{done}', windows: 'Set-Location $env:USERPROFILE' },
    });
    expect(terraformLiteral('a ${b} %{c} $d')).toBe('a $${b} %%{c} $d');
  });

  it('scopes instance writes to the configured prefix and applies the lifecycle', () => {
    const [bucketId] = bucket(s);
    expect(bySid(instanceRoleStatements(s), 'SessionTranscriptsWrite')[0].resources).toEqual([
      `${ref('aws_s3_bucket', bucketId, 'arn')}/audit/sessions/*`,
    ]);
    const lifecycle = Object.values(resourcesOf(s, 'aws_s3_bucket_lifecycle_configuration')).find(
      (l) => l.bucket === ref('aws_s3_bucket', bucketId, 'id'),
    )!;
    expect(lifecycle.rule[0]).toMatchObject({ expiration: [{ days: 730 }], transition: [{ days: 90, storage_class: 'GLACIER' }] });
    expect(findResource(s, 'aws_cloudwatch_log_group', (g) => g.name === LOG_GROUP)[1].retention_in_days).toBe(731);
  });

  it('lets operators start sessions on the listed nodes, the tagged nodes and the preferences document, with the document check', () => {
    const statements = policyNamed(s, `ssmb-session-operator-${REGION}`);
    const check = { test: 'BoolIfExists', variable: 'ssm:SessionDocumentAccessCheck', values: ['true'] };
    expect(bySid(statements, 'StartSession')).toEqual([
      {
        sid: 'StartSessionOnTargets',
        effect: 'Allow',
        actions: ['ssm:StartSession'],
        resources: [
          `arn:aws:ec2:${REGION}:${ACCOUNT}:instance/i-0123456789abcdef0`,
          `arn:aws:ssm:${REGION}:${ACCOUNT}:managed-instance/mi-0123456789abcdef0`,
        ],
        condition: [check],
      },
      {
        sid: 'StartSessionOnTaggedTargets',
        effect: 'Allow',
        actions: ['ssm:StartSession'],
        resources: [`arn:aws:ec2:${REGION}:${ACCOUNT}:instance/*`, `arn:aws:ssm:${REGION}:${ACCOUNT}:managed-instance/*`],
        condition: [check, { test: 'StringEquals', variable: 'ssm:resourceTag/SessionAccess', values: ['ops', 'oncall'] }],
      },
      {
        sid: 'StartSessionWithPreferences',
        effect: 'Allow',
        actions: ['ssm:StartSession'],
        resources: [`arn:aws:ssm:${REGION}:${ACCOUNT}:document/${PREFERENCES_DOCUMENT}`],
        condition: [check],
      },
    ]);
  });

  it('guards the preferences document, exempting the admins and the deploy role', () => {
    expect(policyNamed(s, `ssmb-session-preferences-guard-${REGION}`)).toEqual([
      {
        sid: 'DenyPreferencesChangesExceptAdmins',
        effect: 'Deny',
        actions: [
          'ssm:CreateDocument',
          'ssm:DeleteDocument',
          'ssm:ModifyDocumentPermission',
          'ssm:UpdateDocument',
          'ssm:UpdateDocumentDefaultVersion',
          'ssm:UpdateDocumentMetadata',
        ],
        resources: [`arn:aws:ssm:${REGION}:${ACCOUNT}:document/${PREFERENCES_DOCUMENT}`],
        condition: [
          {
            test: 'ArnNotLike',
            variable: 'aws:PrincipalArn',
            values: [`arn:aws:iam::${ACCOUNT}:role/Admin`, `arn:aws:iam::${ACCOUNT}:role/deploy`],
          },
        ],
      },
    ]);
    expect(s.output).toHaveProperty('session_manager_guard_policy_arn');
  });

  it('leaves failed attempts out when asked', () => {
    const [, rule] = findResource(s, 'aws_cloudwatch_event_rule', (r) => r.name === 'ssmb-session-login');
    expect(JSON.parse(rule.event_pattern).detail.errorCode).toEqual([{ exists: false }]);
  });
});

describe('session manager: adopting an existing preferences document', () => {
  it('emits an import block for the document when adoption is on', () => {
    const s = synth({ adoptExistingDocument: true });
    const [docId] = doc(s);
    expect(s.import).toEqual([{ id: PREFERENCES_DOCUMENT, to: `aws_ssm_document.${docId}` }]);
  });

  it('emits it only in the stacks named', () => {
    const adopt = { adoptExistingDocument: ['prod-us-east-1'] };
    const regions: Regions = [REGION, 'us-east-1'];
    expect(synth(adopt, REGION, regions).import).toBeUndefined();
    expect(synth(adopt, 'us-east-1', regions).import).toEqual([
      { id: PREFERENCES_DOCUMENT, to: expect.stringMatching(/^aws_ssm_document\./) },
    ]);
  });
});

describe('session manager: without CloudWatch Logs', () => {
  let s: StackJson;
  beforeAll(() => {
    s = synth({ cloudWatch: { enabled: false } });
  });

  it('records to S3 only, and grants nothing for logs', () => {
    expect(content(s).inputs).toMatchObject({
      cloudWatchLogGroupName: '',
      cloudWatchEncryptionEnabled: false,
      cloudWatchStreamingEnabled: false,
    });
    expect(Object.values(resourcesOf(s, 'aws_cloudwatch_log_group')).map((g) => g.name)).not.toContain(LOG_GROUP);
    expect(bySid(instanceRoleStatements(s), 'SessionLogs')).toEqual([]);
    expect(policyStatements(s, sessionKey(s)[1].policy).map((st) => st.sid)).toEqual(['EnableIamPolicies']);
    expect(
      findResource(s, 'aws_lambda_function', (f) => f.function_name === 'ssmb-session-login-notifier')[1].environment.variables,
    ).not.toHaveProperty('SESSION_LOG_GROUP');
  });
});

describe('session manager: switched off', () => {
  it('adds nothing when disabled, and no rule when alerts are off', () => {
    const off = synth({ enabled: false });
    expect(Object.values(resourcesOf(off, 'aws_ssm_document')).map((d) => d.name)).not.toContain(PREFERENCES_DOCUMENT);
    expect(Object.values(resourcesOf(off, 'aws_s3_bucket')).map((b) => b.bucket)).not.toContain(BUCKET);
    expect(JSON.stringify(off.data?.aws_iam_policy_document ?? {})).not.toContain('SessionTranscriptsWrite');

    const quiet = synth({ loginAlerts: { enabled: false } });
    expect(Object.values(resourcesOf(quiet, 'aws_cloudwatch_event_rule')).map((r) => r.name)).not.toContain('ssmb-session-login');
    expect(Object.values(resourcesOf(quiet, 'aws_lambda_function')).map((f) => f.function_name)).not.toContain(
      'ssmb-session-login-notifier',
    );
  });
});

describe('session manager: operator policy size', () => {
  const LONG_REGION = 'ap-southeast-2';
  const ids = (n: number) => Array.from({ length: n }, (_, i) => `mi-${i.toString(16).padStart(17, '0')}`);
  const actualLength = (sessionManager: BaselineConfigInput['sessionManager']) => {
    const s = synthStack(testConfig({ accounts: [{ id: ACCOUNT, name: 'prod', regions: [LONG_REGION] }], sessionManager }));
    const [, policy] = findResource(s, 'aws_iam_policy', (p) => p.name === `ssmb-session-operator-${LONG_REGION}`);
    // IAM counts the policy without whitespace.
    return JSON.stringify(iamSim(s).policy(policy.policy)).length;
  };

  it.each<[string, BaselineConfigInput['sessionManager']]>([
    ['no target', {}],
    ['one node', { operators: { instanceIds: ids(1) } }],
    ['a tag', { operators: { tag: { key: 'SessionAccess', values: ['operators', 'oncall'] } } }],
    [
      'the most the check lets through',
      { operators: { instanceIds: ids(45), tag: { key: 'SessionAccess', values: ['operators', 'oncall', 'sre'] } } },
    ],
  ])("%s: the config estimate bounds the real length from above, closely, and within IAM's limit", (_, sm) => {
    const cfg = testConfig({ accounts: [{ id: ACCOUNT, name: 'prod', regions: [LONG_REGION] }], sessionManager: sm }).sessionManager;
    const estimate = estimateOperatorPolicyLength(cfg);
    const actual = actualLength(sm);
    expect(estimate).toBeGreaterThanOrEqual(actual);
    expect(estimate - actual).toBeLessThan(600);
    expect(actual).toBeLessThanOrEqual(MANAGED_POLICY_MAX_LENGTH);
  });

  it('refuses more targets than the policy can hold', () => {
    expect(() => testConfig({ sessionManager: { operators: { instanceIds: ids(60) } } })).toThrow(
      /sessionManager\.operators: would make the operator policy about \d+ characters, over IAM's 6144-character limit/,
    );
  });
});

/** Synthesizes with warnings collected as main.ts prints them (NOTE lines). */
function synthWithWarnings(sessionManager: BaselineConfigInput['sessionManager'], extra: Partial<BaselineConfigInput> = {}) {
  const config = testConfig({
    accounts: [{ id: ACCOUNT, name: 'prod', regions: [REGION], deployRoleArn: `arn:aws:iam::${ACCOUNT}:role/deploy` }],
    sessionManager,
    ...extra,
  });
  const stack = new BaselineStack(Testing.app(), { config, account: config.accounts[0], region: REGION });
  const s = JSON.parse(Testing.synth(stack)) as StackJson;
  const warnings = stack.node
    .findAll()
    .flatMap((c) => c.node.metadata)
    .filter((m) => m.type === '@cdktf/warn')
    .map((m) => String(m.data));
  return { s, warnings };
}

describe('session manager: the instance policy, for roles the baseline did not create', () => {
  let s: StackJson;
  beforeAll(() => {
    s = synth();
  });

  it('is one customer-managed policy, attached to the baseline role, its ARN an output', () => {
    const [policyId] = findResource(s, 'aws_iam_policy', (p) => p.name === INSTANCE_POLICY);
    const [roleId] = findResource(s, 'aws_iam_role', (r) => r.name === `ssmb-managed-instance-${REGION}`);
    findResource(
      s,
      'aws_iam_role_policy_attachment',
      (a) => a.policy_arn === ref('aws_iam_policy', policyId, 'arn') && a.role === ref('aws_iam_role', roleId, 'name'),
    );
    // No inline grants left on the role: everything an instance needs is in the shared policy.
    expect(Object.values(resourcesOf(s, 'aws_iam_role_policy')).map((p) => p.role)).not.toContain(ref('aws_iam_role', roleId, 'id'));
    expect(s.output?.managed_instance_policy_arn?.value).toBe(ref('aws_iam_policy', policyId, 'arn'));
  });

  it('is the policy of the Default Host Management role when DHMC is on', () => {
    const dhmc = synthStack(
      testConfig({
        accounts: [{ id: ACCOUNT, name: 'prod', regions: [REGION], deployRoleArn: `arn:aws:iam::${ACCOUNT}:role/deploy` }],
        agentUpdate: { defaultHostManagement: true },
      }),
    );
    const [, setting] = findResource(dhmc, 'aws_ssm_service_setting');
    const [roleId] = findResource(dhmc, 'aws_iam_role', (r) => r.name === `ssmb-managed-instance-${REGION}`);
    expect(setting.setting_value).toBe(ref('aws_iam_role', roleId, 'name'));
    const [policyId] = findResource(dhmc, 'aws_iam_policy', (p) => p.name === INSTANCE_POLICY);
    findResource(
      dhmc,
      'aws_iam_role_policy_attachment',
      (a) => a.policy_arn === ref('aws_iam_policy', policyId, 'arn') && a.role === ref('aws_iam_role', roleId, 'name'),
    );
    const sids = policyNamed(dhmc, INSTANCE_POLICY).map((st) => st.sid);
    expect(sids).toEqual(expect.arrayContaining(['AgentUpdateWriteOutput', 'SessionTranscriptsWrite']));
  });

  it('denies instances every way to remove, unlock or rewrite what was recorded', () => {
    const [bucketId] = bucket(s);
    const bucketArn = ref('aws_s3_bucket', bucketId, 'arn');
    expect(bySid(instanceRoleStatements(s), 'DenySessionRecord')).toEqual([
      {
        sid: 'DenySessionRecordTampering',
        effect: 'Deny',
        actions: [
          's3:BypassGovernanceRetention',
          's3:DeleteObject',
          's3:DeleteObjectVersion',
          's3:PutObjectLegalHold',
          's3:PutObjectRetention',
        ],
        resources: [`${bucketArn}/*`],
      },
      {
        sid: 'DenySessionRecordBucketChanges',
        effect: 'Deny',
        actions: [
          's3:DeleteBucket',
          's3:DeleteBucketPolicy',
          's3:PutBucketObjectLockConfiguration',
          's3:PutBucketPolicy',
          's3:PutBucketVersioning',
          's3:PutLifecycleConfiguration',
        ],
        resources: [bucketArn],
      },
      {
        sid: 'DenySessionRecordLogChanges',
        effect: 'Deny',
        actions: ['logs:DeleteLogGroup', 'logs:DeleteLogStream', 'logs:DeleteRetentionPolicy', 'logs:PutRetentionPolicy'],
        resources: [LOG_GROUP_ARN, `${LOG_GROUP_ARN}:*`],
      },
    ]);
  });
});

describe('session manager: session data encryption (account-region wide)', () => {
  it('is off by default: no kmsKeyId, no kms:Decrypt for instances, no note', () => {
    const { s, warnings } = synthWithWarnings({});
    expect(content(s).inputs.kmsKeyId).toBe('');
    expect(bySid(instanceRoleStatements(s), 'SessionDataDecrypt')).toEqual([]);
    expect(warnings.filter((w) => w.includes('encryptSessionData'))).toEqual([]);
  });

  it('when on: the key in the preferences, kms:Decrypt in the instance policy, and a NOTE on who else needs grants', () => {
    const { s, warnings } = synthWithWarnings({ encryptSessionData: true });
    const [keyId] = sessionKey(s);
    expect(content(s).inputs.kmsKeyId).toBe(ref('aws_kms_key', keyId, 'arn'));
    expect(bySid(instanceRoleStatements(s), 'SessionDataDecrypt')).toEqual([
      { sid: 'SessionDataDecrypt', effect: 'Allow', actions: ['kms:Decrypt'], resources: [ref('aws_kms_key', keyId, 'arn')] },
    ]);
    // Operators keep their GenerateDataKey grant either way.
    expect(bySid(policyNamed(s, `ssmb-session-operator-${REGION}`), 'EncryptSessionData')).toHaveLength(1);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(`prod-${REGION}: sessionManager.encryptSessionData is on`);
    expect(warnings[0]).toContain('managed_instance_policy_arn');
    expect(warnings[0]).toContain('kms:GenerateDataKey');
  });
});

describe('session manager: audit data outlives destroy and replacement', () => {
  let s: StackJson;
  let warnings: string[];
  beforeAll(() => {
    ({ s, warnings } = synthWithWarnings({}));
  });

  it('keeps the session log group on destroy (skip_destroy) and protects the key and the bucket', () => {
    expect(findResource(s, 'aws_cloudwatch_log_group', (g) => g.name === LOG_GROUP)[1].skip_destroy).toBe(true);
    expect(sessionKey(s)[1].lifecycle).toEqual({ prevent_destroy: true });
    expect(bucket(s)[1].lifecycle).toEqual({ prevent_destroy: true });
  });

  it('locks every transcript version in governance mode for the retention period, by default', () => {
    const [bucketId, body] = bucket(s);
    expect(body.object_lock_enabled).toBe(true);
    const [, lock] = findResource(s, 'aws_s3_bucket_object_lock_configuration', (l) => l.bucket === ref('aws_s3_bucket', bucketId, 'id'));
    expect(lock.rule).toEqual({ default_retention: { mode: 'GOVERNANCE', days: 400 } });
    expect(warnings.filter((w) => w.includes('objectLock'))).toEqual([]);
  });

  it('takes a shorter lock period, and can be switched off, with a NOTE that it replaces the bucket', () => {
    const short = synth({ logBucket: { retentionDays: 730, objectLock: { retentionDays: 365 } } });
    const [, lock] = findResource(short, 'aws_s3_bucket_object_lock_configuration');
    expect(lock.rule.default_retention).toEqual({ mode: 'GOVERNANCE', days: 365 });

    const off = synthWithWarnings({ logBucket: { objectLock: { enabled: false } } });
    expect(bucket(off.s)[1]).not.toHaveProperty('object_lock_enabled');
    expect(resourcesOf(off.s, 'aws_s3_bucket_object_lock_configuration')).toEqual({});
    expect(off.warnings).toHaveLength(1);
    expect(off.warnings[0]).toContain('sessionManager.logBucket.objectLock.enabled is false');
    expect(off.warnings[0]).toContain('replace');
  });

  it('refuses a lock period longer than the retention', () => {
    expect(() => synth({ logBucket: { retentionDays: 30, objectLock: { retentionDays: 60 } } })).toThrow(
      /sessionManager\.logBucket\.objectLock\.retentionDays: must be at most retentionDays \(30\), got 60/,
    );
  });
});
