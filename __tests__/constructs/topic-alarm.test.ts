import { DefaultTokenResolver, StringConcat, Testing, Tokenization } from 'cdktf';
import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { NotificationTopic, alarmWhenAboveZero, type TopicAlarmProps } from '../../stacks';

const ACCOUNT = '111111111111';
const FAILED_RUNS: TopicAlarmProps = {
  alarmName: 'ssm-baseline-patch-history-failed',
  description: 'The patch-history export failed; see the state machine execution.',
  namespace: 'AWS/States',
  metricName: 'ExecutionsFailed',
  dimensions: { StateMachineArn: 'arn:aws:states:ap-northeast-1:111111111111:stateMachine:ssm-baseline-patch-history' },
};

function synthAlarm(props: Partial<TopicAlarmProps> = {}) {
  let topic!: NotificationTopic;
  let alarm!: CloudwatchMetricAlarm;
  const synth = Testing.synthScope((scope) => {
    topic = new NotificationTopic(scope, 'notifications', {
      topicName: 'ssm-baseline-notifications',
      keyAlias: 'ssm-baseline/notifications',
      accountId: ACCOUNT,
    });
    alarm = alarmWhenAboveZero(scope, 'failed-runs', topic, { ...FAILED_RUNS, ...props });
  });
  const ref = (token: string): string =>
    Tokenization.resolve(token, { scope: topic, preparing: false, resolver: new DefaultTokenResolver(new StringConcat()) });
  return { synth, topic, alarm, ref };
}

// The topic policy is `${data.aws_iam_policy_document.X.json}`, rendered by Terraform
// later; the matchers cannot follow that reference, so read it from the parsed JSON.
function topicPolicyStatements(synth: string): Array<Record<string, any>> {
  const json = JSON.parse(synth);
  const [body] = Object.values(json.resource.aws_sns_topic_policy) as Array<{ policy: string }>;
  const name = /^\$\{data\.aws_iam_policy_document\.([^.]+)\.json\}$/.exec(body.policy)![1];
  return json.data.aws_iam_policy_document[name].statement;
}

describe('alarmWhenAboveZero: the defaults', () => {
  let synth: string;
  let topic: NotificationTopic;
  let alarm: CloudwatchMetricAlarm;
  let ref: (token: string) => string;
  beforeAll(() => ({ synth, topic, alarm, ref } = synthAlarm()));

  test('fires on the first non-zero five-minute Sum and mails the topic', () => {
    expect(synth).toHaveResourceWithProperties(CloudwatchMetricAlarm, {
      alarm_name: 'ssm-baseline-patch-history-failed',
      alarm_description: FAILED_RUNS.description,
      namespace: 'AWS/States',
      metric_name: 'ExecutionsFailed',
      dimensions: FAILED_RUNS.dimensions,
      statistic: 'Sum',
      period: 300,
      evaluation_periods: 1,
      threshold: 0,
      comparison_operator: 'GreaterThanThreshold',
      alarm_actions: [ref(topic.topicArn)],
    });
  });

  test('missing data means nothing happened, not an alarm', () => {
    expect(synth).toHaveResourceWithProperties(CloudwatchMetricAlarm, { treat_missing_data: 'notBreaching' });
    expect(synth).not.toHaveResourceWithProperties(CloudwatchMetricAlarm, { treat_missing_data: 'breaching' });
  });

  test('the topic policy admits exactly this alarm', () => {
    expect(topicPolicyStatements(synth)).toContainEqual(
      expect.objectContaining({
        sid: 'AllowCloudWatchAlarms',
        principals: [{ type: 'Service', identifiers: ['cloudwatch.amazonaws.com'] }],
        condition: [
          { test: 'ArnEquals', variable: 'aws:SourceArn', values: [ref(alarm.arn)] },
          { test: 'StringEquals', variable: 'aws:SourceAccount', values: [ACCOUNT] },
        ],
      }),
    );
    // An alarm is no EventBridge rule: events.amazonaws.com stays out.
    expect(topicPolicyStatements(synth).map((s) => s.sid)).not.toContain('AllowEventBridgeRules');
  });
});

describe('alarmWhenAboveZero: overrides', () => {
  test('periodSeconds and statistic change the evaluation', () => {
    const { synth } = synthAlarm({ periodSeconds: 3600, statistic: 'Maximum' });
    expect(synth).toHaveResourceWithProperties(CloudwatchMetricAlarm, { period: 3600, statistic: 'Maximum', evaluation_periods: 1 });
    expect(synth).not.toHaveResourceWithProperties(CloudwatchMetricAlarm, { period: 300 });
  });
});
