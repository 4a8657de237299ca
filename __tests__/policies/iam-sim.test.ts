import { Testing } from 'cdktf';
import { BaselineStack } from '../../stacks/platform/baseline-stack';
import { EventRule } from '../../stacks/constructs/event-rule';
import { eventRuleBase } from '../../stacks/platform/shared';
import { SSM_CORE_POLICY_ARN } from '../../stacks/constructs/managed-instance-role';
import { BaselineConfig } from '../../stacks/platform/config/schema';
import { IamSim, iamSim } from '../helpers/iam-sim';
import { StackJson, findResource, resourcesOf, testConfig } from '../helpers/synth';

const ACCOUNT = '111111111111';
const REGION = 'ap-northeast-1';

/**
 * The platform stack alone (every capability section switched off, so these tests
 * follow the building blocks, not the capabilities), optionally with one EventRule
 * publishing to the shared topic.
 */
function platformStack(withRule: boolean): StackJson {
  const config = Object.fromEntries(
    Object.entries(testConfig()).map(([key, section]) =>
      section && typeof section === 'object' && typeof (section as { enabled?: unknown }).enabled === 'boolean'
        ? [key, { ...section, enabled: false }]
        : [key, section],
    ),
  ) as BaselineConfig;
  const stack = new BaselineStack(Testing.app(), { config, account: config.accounts[0], region: REGION });
  if (withRule) {
    new EventRule(stack, 'probe', {
      ...eventRuleBase(stack.shared, 'probe'),
      description: 'test rule',
      eventPattern: { source: ['aws.ssm'] },
      target: { kind: 'topic', topic: stack.shared.topic, inputPaths: { id: '$.id' }, inputTemplate: '"<id>"' },
    });
  }
  return JSON.parse(Testing.synth(stack));
}

describe('iam-sim: reference resolution', () => {
  let stack: StackJson;
  let sim: IamSim;
  beforeAll(() => {
    stack = platformStack(true);
    sim = iamSim(stack);
  });

  it('takes account and region from the stack provider', () => {
    expect(sim.env).toEqual({ accountId: ACCOUNT, region: REGION, partition: 'aws' });
  });

  it('computes ARNs from resource bodies, by logical id or physical name', () => {
    const [topicId] = findResource(stack, 'aws_sns_topic');
    expect(sim.arn('aws_sns_topic', topicId)).toBe(`arn:aws:sns:${REGION}:${ACCOUNT}:ssmb-notifications`);
    expect(sim.arn('aws_sns_topic', 'ssmb-notifications')).toBe(sim.arn('aws_sns_topic', topicId));
    expect(sim.arn('aws_sqs_queue', 'ssmb-dead-letters')).toBe(`arn:aws:sqs:${REGION}:${ACCOUNT}:ssmb-dead-letters`);
    expect(sim.arn('aws_cloudwatch_event_rule', 'ssmb-probe')).toBe(`arn:aws:events:${REGION}:${ACCOUNT}:rule/ssmb-probe`);
    expect(sim.arn('aws_iam_role', `ssmb-managed-instance-${REGION}`)).toBe(`arn:aws:iam::${ACCOUNT}:role/ssmb-managed-instance-${REGION}`);
  });

  it('gives KMS keys a stable fake key id derived from the logical id', () => {
    const [keyId] = findResource(stack, 'aws_kms_key');
    const arn = sim.arn('aws_kms_key', keyId);
    expect(arn).toMatch(
      new RegExp(`^arn:aws:kms:${REGION}:${ACCOUNT}:key/[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-8[0-9a-f]{3}-[0-9a-f]{12}$`),
    );
    expect(iamSim({ ...stack }).arn('aws_kms_key', keyId)).toBe(arn);
  });

  it('renders policy documents with every reference resolved', () => {
    const [, topicPolicy] = findResource(stack, 'aws_sns_topic_policy');
    const text = JSON.stringify(sim.policy(topicPolicy.policy));
    expect(text).not.toContain('${');
    expect(text).toContain(`arn:aws:events:${REGION}:${ACCOUNT}:rule/ssmb-probe`);
  });

  it('names the resolver table when it meets an unknown resource type', () => {
    const odd: StackJson = { ...stack, resource: { ...stack.resource, aws_made_up: { x: { name: 'n' } } } };
    expect(() => iamSim(odd).resolveString('${aws_made_up.x.arn}')).toThrow(/no resolver for aws_made_up; add one to RESOLVERS/);
    expect(() => sim.resolveString('${aws_sns_topic.nope.arn}')).toThrow(/no resource aws_sns_topic.nope/);
  });
});

describe('iam-sim: notification topic policy', () => {
  let withRule: IamSim;
  let withoutRule: IamSim;
  let topic: string;
  let rule: string;
  const foreignRule = `arn:aws:events:${REGION}:${ACCOUNT}:rule/someone-elses-rule`;
  beforeAll(() => {
    withRule = iamSim(platformStack(true));
    withoutRule = iamSim(platformStack(false));
    topic = withRule.arn('aws_sns_topic', 'ssmb-notifications');
    rule = withRule.arn('aws_cloudwatch_event_rule', 'ssmb-probe');
  });

  it('lets EventBridge publish for a registered rule only', async () => {
    const ctx = (sourceArn: string, sourceAccount = ACCOUNT) => ({ 'aws:SourceArn': sourceArn, 'aws:SourceAccount': sourceAccount });
    expect(
      await withRule.resourceTable(topic, {
        allowed: [['events.amazonaws.com', 'sns:Publish', topic, ctx(rule)]],
        denied: [
          ['events.amazonaws.com', 'sns:Publish', topic, ctx(foreignRule)],
          ['events.amazonaws.com', 'sns:Publish', topic, ctx(rule, '999999999999')],
          ['events.amazonaws.com', 'sns:Publish', topic, { 'aws:SourceAccount': ACCOUNT }],
          ['events.amazonaws.com', 'sns:Publish', topic, { ...ctx(rule), 'aws:SecureTransport': 'false' }],
          ['events.amazonaws.com', 'sns:Subscribe', topic, ctx(rule)],
          ['lambda.amazonaws.com', 'sns:Publish', topic, ctx(rule)],
          ['anonymous', 'sns:Publish', topic],
        ],
      }),
    ).toEqual([]);
  });

  it('admits no EventBridge rule before one is registered', async () => {
    await expect(
      withoutRule.canResource(topic, 'events.amazonaws.com', 'sns:Publish', topic, { 'aws:SourceArn': rule, 'aws:SourceAccount': ACCOUNT }),
    ).resolves.toBe('ImplicitlyDenied');
  });

  it('denies non-TLS publishing explicitly', async () => {
    const alarm = withRule.arn('aws_cloudwatch_metric_alarm', 'ssmb-dead-letters-not-empty');
    const ctx = { 'aws:SourceArn': alarm, 'aws:SourceAccount': ACCOUNT };
    await expect(withRule.canResource(topic, 'cloudwatch.amazonaws.com', 'sns:Publish', topic, ctx)).resolves.toBe('Allowed');
    await expect(
      withRule.canResource(topic, 'cloudwatch.amazonaws.com', 'sns:Publish', topic, { ...ctx, 'aws:SecureTransport': 'false' }),
    ).resolves.toBe('ExplicitlyDenied');
  });
});

describe('iam-sim: dead-letter queue policy', () => {
  let sim: IamSim;
  let queue: string;
  let rule: string;
  beforeAll(() => {
    sim = iamSim(platformStack(true));
    queue = sim.arn('aws_sqs_queue', 'ssmb-dead-letters');
    rule = sim.arn('aws_cloudwatch_event_rule', 'ssmb-probe');
  });

  it('takes dead letters from the registered rules only, over TLS', async () => {
    const ok = { 'aws:SourceArn': rule, 'aws:SourceAccount': ACCOUNT };
    expect(
      await sim.resourceTable(queue, {
        allowed: [['events.amazonaws.com', 'sqs:SendMessage', queue, ok]],
        denied: [
          ['events.amazonaws.com', 'sqs:SendMessage', queue, { ...ok, 'aws:SourceArn': `arn:aws:events:${REGION}:${ACCOUNT}:rule/other` }],
          ['events.amazonaws.com', 'sqs:SendMessage', queue, { ...ok, 'aws:SecureTransport': 'false' }],
          ['events.amazonaws.com', 'sqs:ReceiveMessage', queue, ok],
          ['events.amazonaws.com', 'sqs:SendMessage', queue, { 'aws:SourceArn': rule, 'aws:SourceAccount': '999999999999' }],
          ['sns.amazonaws.com', 'sqs:SendMessage', queue, ok],
        ],
      }),
    ).toEqual([]);
  });
});

describe('iam-sim: managed-instance role', () => {
  let stack: StackJson;
  let sim: IamSim;
  const role = `ssmb-managed-instance-${REGION}`;
  beforeAll(() => {
    stack = platformStack(false);
    sim = iamSim(stack);
  });

  it('includes the pinned AmazonSSMManagedInstanceCore document', () => {
    const { policies, unknownManaged } = sim.rolePolicies(role);
    expect(unknownManaged).toEqual([]);
    expect(policies.map((p) => p.name)).toEqual([expect.stringContaining(SSM_CORE_POLICY_ARN)]);
  });

  it('lets the agent work and nothing else', async () => {
    const instance = `arn:aws:ec2:${REGION}:${ACCOUNT}:instance/i-0123456789abcdef0`;
    expect(
      await sim.roleTable(role, {
        allowed: [
          ['ssm:UpdateInstanceInformation', instance],
          ['ssmmessages:CreateControlChannel', '*'],
          ['ec2messages:GetMessages', '*'],
        ],
        denied: [
          ['ssm:SendCommand', instance],
          ['s3:PutObject', 'arn:aws:s3:::someone-elses-bucket/key'],
          ['iam:PassRole', `arn:aws:iam::${ACCOUNT}:role/${role}`],
          ['sns:Publish', `arn:aws:sns:${REGION}:${ACCOUNT}:ssmb-notifications`],
        ],
      }),
    ).toEqual([]);
  });

  it('refuses to answer for an AWS-managed policy it does not know, unless told to ignore it', async () => {
    const [attachmentId, attachment] = findResource(stack, 'aws_iam_role_policy_attachment');
    const foreign = 'arn:aws:iam::aws:policy/AmazonS3FullAccess';
    const modified: StackJson = {
      ...stack,
      resource: {
        ...stack.resource,
        aws_iam_role_policy_attachment: {
          ...resourcesOf(stack, 'aws_iam_role_policy_attachment'),
          [`${attachmentId}-2`]: { ...attachment, policy_arn: foreign },
        },
      },
    };
    const other = iamSim(modified);
    await expect(other.canRole(role, 'ssm:UpdateInstanceInformation', '*')).rejects.toThrow(/AmazonS3FullAccess/);
    await expect(other.canRole(role, 'ssm:UpdateInstanceInformation', '*', {}, { ignoreManagedPolicies: [foreign] })).resolves.toBe(
      'Allowed',
    );
  });

  it('is assumable by EC2 only', async () => {
    expect(
      await sim.trustTable(role, {
        allowed: [['ec2.amazonaws.com']],
        denied: [['lambda.amazonaws.com'], ['ssm.amazonaws.com'], [`arn:aws:iam::999999999999:root`]],
      }),
    ).toEqual([]);
  });
});
