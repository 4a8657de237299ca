import { DefaultTokenResolver, StringConcat, Testing, Tokenization } from 'cdktf';
import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue';
import { SqsQueuePolicy } from '@cdktf/provider-aws/lib/sqs-queue-policy';
import { DLQ_RETENTION_SECONDS, DeadLetterQueue, type DeadLetterQueueProps, NotificationTopic } from '../../stacks';

const ACCOUNT = '111111111111';
const QUEUE = 'ssm-baseline-notifications-dlq';
const RULE_ARN = `arn:aws:events:ap-northeast-1:${ACCOUNT}:rule/ssm-baseline-agent-update`;

function synthQueue(props: Partial<DeadLetterQueueProps> & { withTopic?: boolean } = {}, after?: (q: DeadLetterQueue) => void) {
  let queue!: DeadLetterQueue;
  let topic: NotificationTopic | undefined;
  const { withTopic, ...rest } = props;
  const synth = Testing.synthScope((scope) => {
    topic = withTopic
      ? new NotificationTopic(scope, 'notifications', {
          topicName: 'ssm-baseline-notifications',
          keyAlias: 'ssm-baseline/notifications',
          accountId: ACCOUNT,
        })
      : undefined;
    queue = new DeadLetterQueue(scope, 'dlq', { queueName: QUEUE, accountId: ACCOUNT, alarmTopic: topic, ...rest });
    after?.(queue);
  });
  const ref = (token: string): string =>
    Tokenization.resolve(token, { scope: queue, preparing: false, resolver: new DefaultTokenResolver(new StringConcat()) });
  return { synth, queue, topic, ref };
}

// The queue policy is `${data.aws_iam_policy_document.X.json}`, rendered by Terraform
// later; the matchers cannot follow that reference, so read it from the parsed JSON.
function queuePolicyStatements(synth: string): Array<Record<string, any>> {
  const json = JSON.parse(synth);
  const [body] = Object.values(json.resource.aws_sqs_queue_policy) as Array<{ policy: string }>;
  const name = /^\$\{data\.aws_iam_policy_document\.([^.]+)\.json\}$/.exec(body.policy)![1];
  return json.data.aws_iam_policy_document[name].statement;
}

describe('DeadLetterQueue: the defaults, without an alarm topic', () => {
  let synth: string;
  let queue: DeadLetterQueue;
  let ref: (token: string) => string;
  beforeAll(() => ({ synth, queue, ref } = synthQueue()));

  test("is encrypted with SSE-SQS and keeps dead letters 14 days, SQS's maximum", () => {
    expect(DLQ_RETENTION_SECONDS).toBe(1209600);
    expect(synth).toHaveResourceWithProperties(SqsQueue, {
      name: QUEUE,
      sqs_managed_sse_enabled: true,
      message_retention_seconds: 1209600,
    });
  });

  test('the queue policy only denies access without TLS until a rule is registered', () => {
    expect(synth).toHaveResourceWithProperties(SqsQueuePolicy, { queue_url: ref(queue.queueUrl) });
    expect(queuePolicyStatements(synth)).toEqual([
      {
        sid: 'DenyInsecureTransport',
        effect: 'Deny',
        actions: ['sqs:*'],
        resources: [ref(queue.queueArn)],
        principals: [{ type: '*', identifiers: ['*'] }],
        condition: [{ test: 'Bool', variable: 'aws:SecureTransport', values: ['false'] }],
      },
    ]);
  });

  test('has no alarm without an alarm topic', () => {
    expect(synth).not.toHaveResource(CloudwatchMetricAlarm);
  });

  test('sendGrant allows sending to this queue only', () => {
    const grant = queue.sendGrant();
    expect({ ...grant, resources: grant.resources!.map(ref) }).toEqual({
      sid: 'SendDeadLetters',
      actions: ['sqs:SendMessage'],
      resources: [ref(queue.queueArn)],
    });
  });
});

describe('DeadLetterQueue: overrides and wiring', () => {
  test('messageRetentionSeconds shortens the retention', () => {
    const { synth } = synthQueue({ messageRetentionSeconds: 4 * 24 * 3600 });
    expect(synth).toHaveResourceWithProperties(SqsQueue, { name: QUEUE, message_retention_seconds: 345600 });
  });

  test('with an alarm topic, one visible message alarms the topic', () => {
    const { synth, queue, topic, ref } = synthQueue({ withTopic: true });
    expect(synth).toHaveResourceWithProperties(CloudwatchMetricAlarm, {
      alarm_name: `${QUEUE}-not-empty`,
      namespace: 'AWS/SQS',
      metric_name: 'ApproximateNumberOfMessagesVisible',
      dimensions: { QueueName: ref(queue.queue.name) },
      statistic: 'Maximum',
      threshold: 0,
      comparison_operator: 'GreaterThanThreshold',
      alarm_actions: [ref(topic!.topicArn)],
    });
  });

  test('alarmName renames the alarm', () => {
    const { synth } = synthQueue({ withTopic: true, alarmName: 'prod-dead-letters-waiting' });
    expect(synth).toHaveResourceWithProperties(CloudwatchMetricAlarm, { alarm_name: 'prod-dead-letters-waiting' });
    expect(synth).not.toHaveResourceWithProperties(CloudwatchMetricAlarm, { alarm_name: `${QUEUE}-not-empty` });
  });

  test('a registered EventBridge rule may send, scoped by its ARN and the account', () => {
    const { synth, queue, ref } = synthQueue({}, (q) => q.allowEventBridgeRule(RULE_ARN));
    expect(queuePolicyStatements(synth)).toContainEqual({
      sid: 'AllowEventBridgeRuleDeadLetters',
      effect: 'Allow',
      actions: ['sqs:SendMessage'],
      resources: [ref(queue.queueArn)],
      principals: [{ type: 'Service', identifiers: ['events.amazonaws.com'] }],
      condition: [
        { test: 'ArnEquals', variable: 'aws:SourceArn', values: [RULE_ARN] },
        { test: 'StringEquals', variable: 'aws:SourceAccount', values: [ACCOUNT] },
      ],
    });
  });
});
