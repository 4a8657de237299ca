import { Construct } from 'constructs';
import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import type { NotificationTopic } from './notification-topic';

export interface TopicAlarmProps {
  readonly alarmName: string;
  /** What happened and what to do: it is the body of the mail. */
  readonly description: string;
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Record<string, string>;
  /** @default 'Sum' */
  readonly statistic?: 'Sum' | 'Maximum';
  /** Length of one evaluation period. @default 300 (five minutes) */
  readonly periodSeconds?: number;
}

/**
 * An alarm that mails the notification topic as soon as a metric is above zero in a
 * five-minute period (a dead letter waiting, a failed run), with the topic policy
 * admitting exactly this alarm. No data counts as "nothing happened".
 */
export function alarmWhenAboveZero(scope: Construct, id: string, topic: NotificationTopic, props: TopicAlarmProps): CloudwatchMetricAlarm {
  const alarm = new CloudwatchMetricAlarm(scope, id, {
    alarmName: props.alarmName,
    alarmDescription: props.description,
    namespace: props.namespace,
    metricName: props.metricName,
    dimensions: props.dimensions,
    statistic: props.statistic ?? 'Sum',
    period: props.periodSeconds ?? 300,
    evaluationPeriods: 1,
    threshold: 0,
    comparisonOperator: 'GreaterThanThreshold',
    treatMissingData: 'notBreaching',
    alarmActions: [topic.topicArn],
  });
  topic.allowCloudWatchAlarm(alarm.arn);
  return alarm;
}
