import { Construct } from 'constructs';
import { CloudwatchEventRule } from '@cdktf/provider-aws/lib/cloudwatch-event-rule';
import { CloudwatchEventTarget } from '@cdktf/provider-aws/lib/cloudwatch-event-target';
import type { DeadLetterQueue } from './dead-letter-queue';
import type { NotificationTopic } from './notification-topic';
import type { NotifierFunction } from './notifier-function';
import type { LambdaPermission } from '@cdktf/provider-aws/lib/lambda-permission';

/** EventBridge retries a target for up to 24 h (185 attempts) before dead-lettering. */
export const TARGET_RETRY = { maximumEventAgeInSeconds: 86400, maximumRetryAttempts: 185 } as const;

export type EventRuleTarget =
  | { readonly kind: 'lambda'; readonly fn: NotifierFunction }
  | {
      readonly kind: 'topic';
      readonly topic: NotificationTopic;
      /** Readable text instead of raw event JSON (EventBridge input transformer). */
      readonly inputPaths: Record<string, string>;
      readonly inputTemplate: string;
    }
  | {
      /** Another event bus (another account's or region's): EventBridge puts the event there as it is. */
      readonly kind: 'eventBus';
      readonly busArn: string;
      /** The role EventBridge assumes to put events on that bus (bus targets take a role, not a resource grant). */
      readonly roleArn: string;
    };

export interface EventRuleProps {
  /** Physical rule name. */
  readonly ruleName: string;
  /** Short name of what the rule is for; names the Lambda permission (`AllowEventBridge-<purpose>`). */
  readonly purpose: string;
  readonly description: string;
  /** The event pattern, as EventBridge documents it. */
  readonly eventPattern: Record<string, unknown>;
  readonly target: EventRuleTarget;
  /** Where events land that the target did not accept after every retry. */
  readonly deadLetterQueue: DeadLetterQueue;
  /** How long and how often the target is retried. @default TARGET_RETRY (24 hours, 185 attempts) */
  readonly retryPolicy?: { readonly maximumEventAgeInSeconds: number; readonly maximumRetryAttempts: number };
  /** The bus the rule listens on (name, or ARN of a custom bus). @default - the account-region's default bus */
  readonly eventBusName?: string;
}

/**
 * A rule on the default bus (or `eventBusName`) whose one target (the notification topic,
 * a notifier Lambda or another event bus) retries for a day and then dead-letters, with
 * the target's resource policy admitting exactly this rule. SNS and Lambda targets take
 * no role; a bus target takes the role the caller gives.
 */
export class EventRule extends Construct {
  readonly rule: CloudwatchEventRule;
  readonly ruleArn: string;
  readonly ruleName: string;
  readonly eventPattern: Record<string, unknown>;
  /** The rule's one target, for a resource that must wait until events are delivered. */
  readonly target: CloudwatchEventTarget;
  /** The Lambda permission admitting the rule, when the target is a function. @default - none (topic target) */
  readonly permission?: LambdaPermission;

  constructor(scope: Construct, id: string, props: EventRuleProps) {
    super(scope, id);
    this.eventPattern = props.eventPattern;
    this.rule = new CloudwatchEventRule(this, 'rule', {
      name: props.ruleName,
      description: props.description,
      eventPattern: JSON.stringify(props.eventPattern),
      eventBusName: props.eventBusName,
    });
    this.ruleArn = this.rule.arn;
    this.ruleName = this.rule.name;
    props.deadLetterQueue.allowEventBridgeRule(this.ruleArn);

    const common = {
      rule: this.rule.name,
      eventBusName: props.eventBusName,
      targetId: { lambda: 'notifier', topic: 'topic', eventBus: 'hub' }[props.target.kind],
      retryPolicy: { ...(props.retryPolicy ?? TARGET_RETRY) },
      deadLetterConfig: { arn: props.deadLetterQueue.queueArn },
    };
    if (props.target.kind === 'lambda') {
      this.permission = props.target.fn.allowEventBridgeRule(props.purpose, this.ruleArn);
      this.target = new CloudwatchEventTarget(this, 'target', {
        ...common,
        arn: props.target.fn.functionArn,
        dependsOn: [this.permission],
      });
    } else if (props.target.kind === 'eventBus') {
      this.target = new CloudwatchEventTarget(this, 'target', { ...common, arn: props.target.busArn, roleArn: props.target.roleArn });
    } else {
      props.target.topic.allowEventBridgeRule(this.ruleArn);
      this.target = new CloudwatchEventTarget(this, 'target', {
        ...common,
        arn: props.target.topic.topicArn,
        inputTransformer: { inputPaths: props.target.inputPaths, inputTemplate: props.target.inputTemplate },
      });
    }
  }
}
