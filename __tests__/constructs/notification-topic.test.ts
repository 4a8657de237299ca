import { DefaultTokenResolver, StringConcat, Testing, Tokenization } from 'cdktf';
import { IConstruct } from 'constructs';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { SnsTopicPolicy } from '@cdktf/provider-aws/lib/sns-topic-policy';
import { SnsTopicSubscription } from '@cdktf/provider-aws/lib/sns-topic-subscription';
import { NotificationTopic, type NotificationTopicProps } from '../../stacks';

const ACCOUNT = '111111111111';
const RULE_ARN = `arn:aws:events:ap-northeast-1:${ACCOUNT}:rule/ssm-baseline-ami-alerts`;
const ALARM_ARN = `arn:aws:cloudwatch:ap-northeast-1:${ACCOUNT}:alarm:ssm-baseline-dlq-not-empty`;

function synthTopic(props: Partial<NotificationTopicProps> = {}, after?: (t: NotificationTopic) => void) {
  let topic!: NotificationTopic;
  const synth = Testing.synthScope((scope) => {
    topic = new NotificationTopic(scope, 'notifications', {
      topicName: 'ssm-baseline-notifications',
      keyAlias: 'ssm-baseline/notifications',
      accountId: ACCOUNT,
      ...props,
    });
    after?.(topic);
  });
  const ref = (token: string, scope: IConstruct = topic): string =>
    Tokenization.resolve(token, { scope, preparing: false, resolver: new DefaultTokenResolver(new StringConcat()) });
  return { synth, topic, ref };
}

// Policies are `${data.aws_iam_policy_document.X.json}`, rendered by Terraform later; the
// matchers cannot follow that reference, so read the documents from the parsed JSON.
function statementsOf(synth: string, type: 'aws_sns_topic_policy' | 'aws_kms_key'): Array<Record<string, any>> {
  const json = JSON.parse(synth);
  const [body] = Object.values(json.resource[type]) as Array<{ policy: string }>;
  const name = /^\$\{data\.aws_iam_policy_document\.([^.]+)\.json\}$/.exec(body.policy)![1];
  return json.data.aws_iam_policy_document[name].statement;
}

describe('NotificationTopic: no publishers registered', () => {
  let synth: string;
  let topic: NotificationTopic;
  let ref: (token: string) => string;
  beforeAll(() => ({ synth, topic, ref } = synthTopic({ emails: ['ops@example.com', 'oncall@example.com', 'ops@example.com'] })));

  test('is encrypted with its own rotating customer-managed key', () => {
    expect(synth).toHaveResourceWithProperties(SnsTopic, { name: 'ssm-baseline-notifications', kms_master_key_id: ref(topic.key.keyArn) });
    expect(synth).toHaveResourceWithProperties(KmsKey, {
      description: 'Encrypts the ssm-baseline-notifications notification topic',
      enable_key_rotation: true,
    });
  });

  test('subscribes each address once', () => {
    for (const endpoint of ['oncall@example.com', 'ops@example.com']) {
      expect(synth).toHaveResourceWithProperties(SnsTopicSubscription, { topic_arn: ref(topic.topicArn), protocol: 'email', endpoint });
    }
    // Counting needs the parsed JSON: a matcher says "at least one", never "exactly n".
    expect(Object.keys(JSON.parse(synth).resource.aws_sns_topic_subscription)).toHaveLength(2);
  });

  test('the topic policy only denies publishing without TLS', () => {
    expect(synth).toHaveResourceWithProperties(SnsTopicPolicy, { arn: ref(topic.topicArn) });
    expect(statementsOf(synth, 'aws_sns_topic_policy')).toEqual([
      {
        sid: 'DenyInsecureTransport',
        effect: 'Deny',
        actions: ['sns:Publish'],
        resources: [ref(topic.topicArn)],
        principals: [{ type: '*', identifiers: ['*'] }],
        condition: [{ test: 'Bool', variable: 'aws:SecureTransport', values: ['false'] }],
      },
    ]);
  });

  test('no service may use the key until something of it publishes', () => {
    expect(statementsOf(synth, 'aws_kms_key').map((s) => s.sid)).toEqual(['EnableIamPolicies']);
  });

  test('publishGrant lets a role publish and encrypt, on this topic and key only', () => {
    expect(topic.publishGrant().map((s) => ({ ...s, resources: s.resources!.map((r) => ref(r)) }))).toEqual([
      { sid: 'PublishNotifications', actions: ['sns:Publish'], resources: [ref(topic.topicArn)] },
      { sid: 'EncryptNotifications', actions: ['kms:Decrypt', 'kms:GenerateDataKey'], resources: [ref(topic.key.keyArn)] },
    ]);
  });
});

describe('NotificationTopic: publishers registered by ARN', () => {
  test('an EventBridge rule may publish, scoped by its ARN and the account', () => {
    const { synth, topic, ref } = synthTopic({}, (t) => t.allowEventBridgeRule(RULE_ARN));
    expect(statementsOf(synth, 'aws_sns_topic_policy')).toContainEqual({
      sid: 'AllowEventBridgeRules',
      effect: 'Allow',
      actions: ['sns:Publish'],
      resources: [ref(topic.topicArn)],
      principals: [{ type: 'Service', identifiers: ['events.amazonaws.com'] }],
      condition: [
        { test: 'ArnEquals', variable: 'aws:SourceArn', values: [RULE_ARN] },
        { test: 'StringEquals', variable: 'aws:SourceAccount', values: [ACCOUNT] },
      ],
    });
    const keyGrant = statementsOf(synth, 'aws_kms_key').find((s) => s.sid === 'AllowServicePublishersToEncrypt');
    expect(keyGrant).toEqual(
      expect.objectContaining({
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        principals: [{ type: 'Service', identifiers: ['events.amazonaws.com'] }],
      }),
    );
    // Only the publishing service is admitted: no alarm registered, no CloudWatch grant.
    expect(statementsOf(synth, 'aws_sns_topic_policy').map((s) => s.sid)).not.toContain('AllowCloudWatchAlarms');
  });

  test('a CloudWatch alarm may publish, and both services share one key grant', () => {
    const { synth } = synthTopic({}, (t) => {
      t.allowCloudWatchAlarm(ALARM_ARN);
      t.allowEventBridgeRule(RULE_ARN);
    });
    expect(statementsOf(synth, 'aws_sns_topic_policy')).toContainEqual(
      expect.objectContaining({
        sid: 'AllowCloudWatchAlarms',
        principals: [{ type: 'Service', identifiers: ['cloudwatch.amazonaws.com'] }],
        condition: [
          { test: 'ArnEquals', variable: 'aws:SourceArn', values: [ALARM_ARN] },
          { test: 'StringEquals', variable: 'aws:SourceAccount', values: [ACCOUNT] },
        ],
      }),
    );
    expect(statementsOf(synth, 'aws_kms_key')).toContainEqual(
      expect.objectContaining({
        sid: 'AllowServicePublishersToEncrypt',
        principals: [{ type: 'Service', identifiers: ['cloudwatch.amazonaws.com', 'events.amazonaws.com'] }],
      }),
    );
  });
});
