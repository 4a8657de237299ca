import { Construct } from 'constructs';
import { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue';
import { SqsQueuePolicy } from '@cdktf/provider-aws/lib/sqs-queue-policy';
import { PolicyDocument, PolicyStatement, denyInsecureTransport } from './policy-document';
import type { NotificationTopic } from './notification-topic';
import { alarmWhenAboveZero } from './topic-alarm';

export interface DeadLetterQueueProps {
  readonly queueName: string;
  readonly accountId: string;
  /** Topic that hears when anything lands in the queue. @default - no alarm */
  readonly alarmTopic?: NotificationTopic;
  /** Name of that alarm. @default <queueName>-not-empty */
  readonly alarmName?: string;
  /** How long a dead letter is kept. @default DLQ_RETENTION_SECONDS (14 days, SQS's maximum) */
  readonly messageRetentionSeconds?: number;
}

/** SQS keeps messages at most 14 days; a dead letter must outlive a long weekend. */
export const DLQ_RETENTION_SECONDS = 14 * 24 * 3600;

/**
 * Where undeliverable events (EventBridge targets, schedules) and failed async Lambda
 * invocations land, so nothing is lost silently. Encrypted (SSE-SQS), TLS-only, and
 * an alarm notifies as soon as one message arrives.
 */
export class DeadLetterQueue extends Construct {
  readonly queue: SqsQueue;
  readonly queueArn: string;
  readonly queueUrl: string;
  private readonly accountId: string;
  private readonly ruleArns: string[] = [];

  constructor(scope: Construct, id: string, props: DeadLetterQueueProps) {
    super(scope, id);
    this.accountId = props.accountId;
    this.queue = new SqsQueue(this, 'queue', {
      name: props.queueName,
      sqsManagedSseEnabled: true,
      messageRetentionSeconds: props.messageRetentionSeconds ?? DLQ_RETENTION_SECONDS,
    });
    this.queueArn = this.queue.arn;
    this.queueUrl = this.queue.url;

    const policy = new PolicyDocument(this, 'policy-document', [denyInsecureTransport(['sqs:*'], [this.queueArn])]);
    policy.addStatementProducer(() =>
      this.ruleArns.length === 0
        ? []
        : [
            {
              sid: 'AllowEventBridgeRuleDeadLetters',
              actions: ['sqs:SendMessage'],
              resources: [this.queueArn],
              principals: [{ type: 'Service', identifiers: ['events.amazonaws.com'] }],
              conditions: [
                { test: 'ArnEquals', variable: 'aws:SourceArn', values: [...this.ruleArns] },
                { test: 'StringEquals', variable: 'aws:SourceAccount', values: [this.accountId] },
              ],
            },
          ],
    );
    new SqsQueuePolicy(this, 'policy', { queueUrl: this.queueUrl, policy: policy.json });

    if (props.alarmTopic) {
      alarmWhenAboveZero(this, 'alarm', props.alarmTopic, {
        alarmName: props.alarmName ?? `${props.queueName}-not-empty`,
        description: `Undeliverable notifications are waiting in ${props.queueName}; inspect and redrive them.`,
        namespace: 'AWS/SQS',
        metricName: 'ApproximateNumberOfMessagesVisible',
        dimensions: { QueueName: this.queue.name },
        statistic: 'Maximum',
      });
    }
  }

  /** Let an EventBridge rule's target send dead letters here (queue policy by `aws:SourceArn`). */
  allowEventBridgeRule(ruleArn: string): void {
    this.ruleArns.push(ruleArn);
  }

  /** IAM statement for a role (Lambda on-failure destination, Scheduler) that sends dead letters. */
  sendGrant(): PolicyStatement {
    return { sid: 'SendDeadLetters', actions: ['sqs:SendMessage'], resources: [this.queueArn] };
  }
}
