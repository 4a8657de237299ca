import { DefaultTokenResolver, StringConcat, Testing, Tokenization } from 'cdktf';
import { CloudwatchEventRule } from '@cdktf/provider-aws/lib/cloudwatch-event-rule';
import { CloudwatchEventTarget } from '@cdktf/provider-aws/lib/cloudwatch-event-target';
import { LambdaPermission } from '@cdktf/provider-aws/lib/lambda-permission';
import { DeadLetterQueue, EventRule, type EventRuleProps, NotificationTopic, NotifierFunction, TARGET_RETRY } from '../../stacks';

const ACCOUNT = '111111111111';
const PATTERN = {
  source: ['aws.ssm'],
  'detail-type': ['EC2 Command Status-change Notification'],
  detail: { 'document-name': ['AWS-UpdateSSMAgent'], status: ['Success', 'Failed', 'TimedOut'] },
};

type Built = { rule: EventRule; dlq: DeadLetterQueue; topic: NotificationTopic; fn: NotifierFunction };

function synthRule(kind: 'lambda' | 'topic', props: Partial<EventRuleProps> = {}) {
  const built = {} as Built;
  const synth = Testing.synthScope((scope) => {
    built.topic = new NotificationTopic(scope, 'notifications', {
      topicName: 'ssm-baseline-notifications',
      keyAlias: 'ssm-baseline/notifications',
      accountId: ACCOUNT,
    });
    built.dlq = new DeadLetterQueue(scope, 'dlq', { queueName: 'ssm-baseline-notifications-dlq', accountId: ACCOUNT });
    built.fn = new NotifierFunction(scope, 'notifier', {
      bundle: 'agent-update',
      functionName: 'ssm-baseline-agent-update-notifier',
      roleName: 'ssm-baseline-agent-update-notifier',
      policyName: 'notify',
      description: 'Mails the outcome of SSM Agent updates',
      logRetentionDays: 90,
      deadLetterQueue: built.dlq,
      statements: built.topic.publishGrant(),
    });
    built.rule = new EventRule(scope, 'agent-update', {
      ruleName: 'ssm-baseline-agent-update',
      purpose: 'agent-update',
      description: 'SSM Agent update command finished',
      eventPattern: PATTERN,
      target:
        kind === 'lambda'
          ? { kind: 'lambda', fn: built.fn }
          : {
              kind: 'topic',
              topic: built.topic,
              inputPaths: { instance: '$.detail.instance-id', status: '$.detail.status' },
              inputTemplate: '"SSM Agent update on <instance>: <status>"',
            },
      deadLetterQueue: built.dlq,
      ...props,
    });
  });
  const ref = (token: string): string =>
    Tokenization.resolve(token, { scope: built.rule, preparing: false, resolver: new DefaultTokenResolver(new StringConcat()) });
  return { synth, ...built, ref };
}

// Resource policies are `${data.aws_iam_policy_document.X.json}`, rendered by Terraform
// later; the matchers cannot follow that reference, so read them from the parsed JSON.
function statementsOf(synth: string, type: 'aws_sqs_queue_policy' | 'aws_sns_topic_policy'): Array<Record<string, any>> {
  const json = JSON.parse(synth);
  const [body] = Object.values(json.resource[type]) as Array<{ policy: string }>;
  const name = /^\$\{data\.aws_iam_policy_document\.([^.]+)\.json\}$/.exec(body.policy)![1];
  return json.data.aws_iam_policy_document[name].statement;
}

describe('EventRule: a notifier Lambda as target', () => {
  let s: ReturnType<typeof synthRule>;
  beforeAll(() => (s = synthRule('lambda')));

  test('matches the event pattern on the default bus', () => {
    expect(s.synth).toHaveResourceWithProperties(CloudwatchEventRule, {
      name: 'ssm-baseline-agent-update',
      description: 'SSM Agent update command finished',
      event_pattern: JSON.stringify(PATTERN),
    });
    expect(s.synth).not.toHaveResourceWithProperties(CloudwatchEventRule, { event_bus_name: expect.anything() });
  });

  test('retries the target for 24 hours (185 attempts), then dead-letters', () => {
    expect(TARGET_RETRY).toEqual({ maximumEventAgeInSeconds: 86400, maximumRetryAttempts: 185 });
    expect(s.synth).toHaveResourceWithProperties(CloudwatchEventTarget, {
      rule: s.ref(s.rule.ruleName),
      target_id: 'notifier',
      arn: s.ref(s.fn.functionArn),
      retry_policy: { maximum_event_age_in_seconds: 86400, maximum_retry_attempts: 185 },
      dead_letter_config: { arn: s.ref(s.dlq.queueArn) },
    });
  });

  test('the function admits exactly this rule, before the target is created', () => {
    expect(s.synth).toHaveResourceWithProperties(LambdaPermission, {
      statement_id: 'AllowEventBridge-agent-update',
      principal: 'events.amazonaws.com',
      source_arn: s.ref(s.rule.ruleArn),
    });
    expect(s.synth).toHaveResourceWithProperties(CloudwatchEventTarget, {
      depends_on: [expect.stringMatching(/^aws_lambda_permission\./)],
    });
  });

  test('a Lambda target takes no role and no input transformer', () => {
    expect(s.synth).not.toHaveResourceWithProperties(CloudwatchEventTarget, { role_arn: expect.anything() });
    expect(s.synth).not.toHaveResourceWithProperties(CloudwatchEventTarget, { input_transformer: expect.anything() });
  });

  test('the dead-letter queue admits exactly this rule', () => {
    expect(statementsOf(s.synth, 'aws_sqs_queue_policy')).toContainEqual(
      expect.objectContaining({
        sid: 'AllowEventBridgeRuleDeadLetters',
        actions: ['sqs:SendMessage'],
        condition: [
          { test: 'ArnEquals', variable: 'aws:SourceArn', values: [s.ref(s.rule.ruleArn)] },
          { test: 'StringEquals', variable: 'aws:SourceAccount', values: [ACCOUNT] },
        ],
      }),
    );
  });

  test('the topic is not opened to EventBridge when the Lambda is the target', () => {
    expect(statementsOf(s.synth, 'aws_sns_topic_policy').map((st) => st.sid)).not.toContain('AllowEventBridgeRules');
  });
});

describe('EventRule: the notification topic as target', () => {
  let s: ReturnType<typeof synthRule>;
  beforeAll(() => (s = synthRule('topic')));

  test('publishes readable text through an input transformer, and dead-letters', () => {
    expect(s.synth).toHaveResourceWithProperties(CloudwatchEventTarget, {
      target_id: 'topic',
      arn: s.ref(s.topic.topicArn),
      input_transformer: {
        input_paths: { instance: '$.detail.instance-id', status: '$.detail.status' },
        input_template: '"SSM Agent update on <instance>: <status>"',
      },
      retry_policy: { maximum_event_age_in_seconds: 86400, maximum_retry_attempts: 185 },
      dead_letter_config: { arn: s.ref(s.dlq.queueArn) },
    });
  });

  test('the topic admits exactly this rule; the function gets no permission', () => {
    expect(statementsOf(s.synth, 'aws_sns_topic_policy')).toContainEqual(
      expect.objectContaining({
        sid: 'AllowEventBridgeRules',
        principals: [{ type: 'Service', identifiers: ['events.amazonaws.com'] }],
        condition: [
          { test: 'ArnEquals', variable: 'aws:SourceArn', values: [s.ref(s.rule.ruleArn)] },
          { test: 'StringEquals', variable: 'aws:SourceAccount', values: [ACCOUNT] },
        ],
      }),
    );
    expect(s.synth).not.toHaveResource(LambdaPermission);
  });
});

describe('EventRule: retryPolicy', () => {
  test('overrides how long and how often the target is retried', () => {
    const { synth } = synthRule('lambda', { retryPolicy: { maximumEventAgeInSeconds: 3600, maximumRetryAttempts: 10 } });
    expect(synth).toHaveResourceWithProperties(CloudwatchEventTarget, {
      retry_policy: { maximum_event_age_in_seconds: 3600, maximum_retry_attempts: 10 },
    });
    expect(synth).not.toHaveResourceWithProperties(CloudwatchEventTarget, {
      retry_policy: { maximum_event_age_in_seconds: 86400, maximum_retry_attempts: 185 },
    });
  });
});
