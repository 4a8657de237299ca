import { createHash } from 'node:crypto';
import { Construct } from 'constructs';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { SnsTopicPolicy } from '@cdktf/provider-aws/lib/sns-topic-policy';
import { SnsTopicSubscription } from '@cdktf/provider-aws/lib/sns-topic-subscription';
import { CustomerKey } from './kms-key';
import { moveResource } from './refactoring';
import { PolicyDocument, PolicyStatement, denyInsecureTransport } from './policy-document';

/**
 * The construct id of an address's subscription: derived from the address alone, so
 * adding or removing another address never replaces this one (an endpoint change
 * replaces a subscription, and the recipient would have to confirm again).
 */
export function subscriptionId(address: string): string {
  return `email-${createHash('sha256').update(address).digest('hex').slice(0, 16)}`;
}

export interface NotificationTopicProps {
  readonly topicName: string;
  readonly keyAlias: string;
  readonly accountId: string;
  /** E-mail addresses to subscribe (each must confirm once). @default - none */
  readonly emails?: string[];
}

/**
 * The SNS topic every capability notifies through. Encrypted with a
 * customer-managed key (EventBridge cannot publish to a topic under the AWS-managed
 * SNS key), and its policy admits only the publishers registered by ARN.
 */
export class NotificationTopic extends Construct {
  readonly topic: SnsTopic;
  readonly topicArn: string;
  readonly key: CustomerKey;
  private readonly accountId: string;
  private readonly ruleArns: string[] = [];
  private readonly alarmArns: string[] = [];

  constructor(scope: Construct, id: string, props: NotificationTopicProps) {
    super(scope, id);
    this.accountId = props.accountId;
    this.key = new CustomerKey(this, 'key', {
      accountId: props.accountId,
      alias: props.keyAlias,
      description: `Encrypts the ${props.topicName} notification topic`,
    });
    // EventBridge and CloudWatch alarms do not send source conditions with their KMS
    // calls, so a key grant cannot carry them (the topic policy does); grant each
    // service only once something of it publishes here.
    this.key.addStatementProducer(() => {
      const services = [
        ...(this.alarmArns.length ? ['cloudwatch.amazonaws.com'] : []),
        ...(this.ruleArns.length ? ['events.amazonaws.com'] : []),
      ];
      return services.length === 0
        ? []
        : [
            {
              sid: 'AllowServicePublishersToEncrypt',
              actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
              resources: ['*'],
              principals: [{ type: 'Service', identifiers: services }],
            },
          ];
    });
    this.topic = new SnsTopic(this, 'topic', { name: props.topicName, kmsMasterKeyId: this.key.keyArn });
    this.topicArn = this.topic.arn;

    const addresses = [...new Set(props.emails ?? [])].sort();
    addresses.forEach((address, i) => {
      const subscription = new SnsTopicSubscription(this, subscriptionId(address), {
        topicArn: this.topicArn,
        protocol: 'email',
        endpoint: address,
      });
      // Earlier versions keyed subscriptions by their position in the sorted list: move
      // each one from the address it had there, so upgrading re-creates none (a moved
      // block whose source is not in the state does nothing).
      moveResource(
        this,
        `aws_sns_topic_subscription.${this.formerLogicalId(`email-${i}`)}`,
        `aws_sns_topic_subscription.${subscription.friendlyUniqueId}`,
      );
    });

    const policy = new PolicyDocument(this, 'policy-document', [denyInsecureTransport(['sns:Publish'], [this.topicArn])]);
    policy.addStatementProducer(() => this.publisherStatements());
    new SnsTopicPolicy(this, 'policy', { arn: this.topicArn, policy: policy.json });
  }

  /** The logical id a subscription had at `id`: read from a construct created there and removed again. */
  private formerLogicalId(id: string): string {
    const probe = new SnsTopicSubscription(this, id, { topicArn: this.topicArn, protocol: 'email', endpoint: 'probe@example.com' });
    const logicalId = probe.friendlyUniqueId;
    this.node.tryRemoveChild(id);
    return logicalId;
  }

  /** Let one EventBridge rule publish (topic policy, scoped by `aws:SourceArn`). */
  allowEventBridgeRule(ruleArn: string): void {
    this.ruleArns.push(ruleArn);
  }

  /** Let one CloudWatch alarm publish (topic policy, scoped by `aws:SourceArn`). */
  allowCloudWatchAlarm(alarmArn: string): void {
    this.alarmArns.push(alarmArn);
  }

  /** IAM statements for a role (e.g. a Lambda's) that publishes to this topic. */
  publishGrant(): PolicyStatement[] {
    return [
      { sid: 'PublishNotifications', actions: ['sns:Publish'], resources: [this.topicArn] },
      { sid: 'EncryptNotifications', actions: ['kms:Decrypt', 'kms:GenerateDataKey'], resources: [this.key.keyArn] },
    ];
  }

  private publisherStatements(): PolicyStatement[] {
    const grant = (sid: string, service: string, arns: string[]): PolicyStatement[] =>
      arns.length === 0
        ? []
        : [
            {
              sid,
              actions: ['sns:Publish'],
              resources: [this.topicArn],
              principals: [{ type: 'Service', identifiers: [service] }],
              conditions: [
                { test: 'ArnEquals', variable: 'aws:SourceArn', values: [...arns] },
                { test: 'StringEquals', variable: 'aws:SourceAccount', values: [this.accountId] },
              ],
            },
          ];
    return [
      ...grant('AllowEventBridgeRules', 'events.amazonaws.com', this.ruleArns),
      ...grant('AllowCloudWatchAlarms', 'cloudwatch.amazonaws.com', this.alarmArns),
    ];
  }
}
