import { Construct } from 'constructs';
import { CloudwatchEventRule } from '@cdktf/provider-aws/lib/cloudwatch-event-rule';
import { CloudwatchEventTarget } from '@cdktf/provider-aws/lib/cloudwatch-event-target';
import { StackContext } from '../platform/shared';
import type { NotifierFunction } from './notifier-function';

/** EventBridge retries a target for up to 24 h (185 attempts) before dead-lettering. */
export const TARGET_RETRY = { maximumEventAgeInSeconds: 86400, maximumRetryAttempts: 185 } as const;

export type EventRuleTarget =
  | { readonly kind: 'lambda'; readonly fn: NotifierFunction }
  | {
      readonly kind: 'topic';
      /** Readable text instead of raw event JSON (EventBridge input transformer). */
      readonly inputPaths: Record<string, string>;
      readonly inputTemplate: string;
    };

export interface EventRuleProps {
  readonly ctx: StackContext;
  /** Purpose used in the rule's physical name. */
  readonly purpose: string;
  readonly description: string;
  /** The event pattern, as EventBridge documents it. */
  readonly eventPattern: Record<string, unknown>;
  readonly target: EventRuleTarget;
}

/**
 * A rule on the default bus whose one target (the notification topic or a notifier
 * Lambda) retries for a day and then dead-letters, with the target's resource
 * policy admitting exactly this rule. SNS and Lambda targets take no role.
 */
export class EventRule extends Construct {
  readonly rule: CloudwatchEventRule;
  readonly ruleArn: string;
  readonly ruleName: string;
  readonly eventPattern: Record<string, unknown>;

  constructor(scope: Construct, id: string, props: EventRuleProps) {
    super(scope, id);
    const { ctx } = props;
    this.eventPattern = props.eventPattern;
    this.rule = new CloudwatchEventRule(this, 'rule', {
      name: ctx.naming.regional(props.purpose, 'eventRule'),
      description: props.description,
      eventPattern: JSON.stringify(props.eventPattern),
    });
    this.ruleArn = this.rule.arn;
    this.ruleName = this.rule.name;
    ctx.dlq.allowEventBridgeRule(this.ruleArn);

    const common = {
      rule: this.rule.name,
      targetId: props.target.kind === 'lambda' ? 'notifier' : 'topic',
      retryPolicy: { ...TARGET_RETRY },
      deadLetterConfig: { arn: ctx.dlq.queueArn },
    };
    if (props.target.kind === 'lambda') {
      const permission = props.target.fn.allowEventBridgeRule(props.purpose, this.ruleArn);
      new CloudwatchEventTarget(this, 'target', { ...common, arn: props.target.fn.functionArn, dependsOn: [permission] });
    } else {
      ctx.topic.allowEventBridgeRule(this.ruleArn);
      new CloudwatchEventTarget(this, 'target', {
        ...common,
        arn: ctx.topic.topicArn,
        inputTransformer: { inputPaths: props.target.inputPaths, inputTemplate: props.target.inputTemplate },
      });
    }
  }
}
