import { DefaultTokenResolver, StringConcat, Testing, Tokenization } from 'cdktf';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function';
import { LambdaFunctionEventInvokeConfig } from '@cdktf/provider-aws/lib/lambda-function-event-invoke-config';
import { LambdaPermission } from '@cdktf/provider-aws/lib/lambda-permission';
import { DeadLetterQueue, LAMBDA_RUNTIME, NOTIFIER_FUNCTION_DEFAULTS, NotifierFunction, type NotifierFunctionProps } from '../../stacks';

const ACCOUNT = '111111111111';
const FUNCTION = 'ssm-baseline-agent-update-notifier';
const TOPIC_ARN = `arn:aws:sns:ap-northeast-1:${ACCOUNT}:ssm-baseline-notifications`;
const RULE_ARN = `arn:aws:events:ap-northeast-1:${ACCOUNT}:rule/ssm-baseline-agent-update`;

function synthFunction(props: Partial<NotifierFunctionProps> = {}, after?: (f: NotifierFunction) => void) {
  let fn!: NotifierFunction;
  let dlq!: DeadLetterQueue;
  const synth = Testing.synthScope((scope) => {
    dlq = new DeadLetterQueue(scope, 'dlq', { queueName: 'ssm-baseline-notifications-dlq', accountId: ACCOUNT });
    fn = new NotifierFunction(scope, 'notifier', {
      bundle: 'agent-update',
      functionName: FUNCTION,
      roleName: `${FUNCTION}-role`,
      policyName: 'notify',
      description: 'Mails the outcome of SSM Agent updates',
      logRetentionDays: 90,
      deadLetterQueue: dlq,
      environment: { TOPIC_ARN },
      statements: [{ sid: 'PublishNotifications', actions: ['sns:Publish'], resources: [TOPIC_ARN] }],
      ...props,
    });
    after?.(fn);
  });
  const ref = (token: string): string =>
    Tokenization.resolve(token, { scope: fn, preparing: false, resolver: new DefaultTokenResolver(new StringConcat()) });
  return { synth, fn, dlq, ref };
}

describe('NotifierFunction: the defaults', () => {
  let synth: string;
  let fn: NotifierFunction;
  let dlq: DeadLetterQueue;
  let ref: (token: string) => string;
  beforeAll(() => ({ synth, fn, dlq, ref } = synthFunction()));

  test('runs the bundled handler on nodejs22.x, arm64, 30 s and 256 MB', () => {
    expect(NOTIFIER_FUNCTION_DEFAULTS).toEqual({
      timeoutSeconds: 30,
      memorySize: 256,
      architecture: 'arm64',
      maximumRetryAttempts: 2,
      maximumEventAgeInSeconds: 21600,
    });
    expect(synth).toHaveResourceWithProperties(LambdaFunction, {
      function_name: FUNCTION,
      runtime: LAMBDA_RUNTIME,
      handler: 'index.handler',
      architectures: ['arm64'],
      timeout: 30,
      memory_size: 256,
      role: ref(fn.role.arn),
      filename: expect.stringMatching(/agent-update\.zip$/),
      source_code_hash: expect.stringMatching(/^[A-Za-z0-9+/]{43}=$/),
    });
    expect(LAMBDA_RUNTIME).toBe('nodejs22.x');
  });

  test('passes the environment next to source-map support', () => {
    expect(synth).toHaveResourceWithProperties(LambdaFunction, {
      environment: { variables: { NODE_OPTIONS: '--enable-source-maps', TOPIC_ARN } },
    });
  });

  test('logs JSON into its own log group with retention, created before the function', () => {
    expect(synth).toHaveResourceWithProperties(CloudwatchLogGroup, { name: `/aws/lambda/${FUNCTION}`, retention_in_days: 90 });
    expect(synth).toHaveResourceWithProperties(LambdaFunction, {
      logging_config: { log_format: 'JSON', log_group: ref(fn.logGroup.name) },
      depends_on: expect.arrayContaining([
        expect.stringMatching(/^aws_iam_role_policy\./),
        expect.stringMatching(/^aws_cloudwatch_log_group\./),
      ]),
    });
  });

  test('only Lambda may assume the role', () => {
    expect(synth).toHaveResourceWithProperties(IamRole, { name: `${FUNCTION}-role` });
    expect(synth).toHaveDataSourceWithProperties(DataAwsIamPolicyDocument, {
      statement: [
        {
          sid: 'TrustService',
          effect: 'Allow',
          actions: ['sts:AssumeRole'],
          principals: [{ type: 'Service', identifiers: ['lambda.amazonaws.com'] }],
        },
      ],
    });
  });

  test('the role may write its own log streams, send dead letters and do what the caller asked, nothing more', () => {
    expect(synth).toHaveResourceWithProperties(IamRolePolicy, { name: 'notify', role: ref(fn.role.id) });
    expect(synth).toHaveDataSourceWithProperties(DataAwsIamPolicyDocument, {
      statement: [
        {
          sid: 'WriteOwnLogs',
          effect: 'Allow',
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: [`${ref(fn.logGroup.arn)}:log-stream:*`],
        },
        { sid: 'SendDeadLetters', effect: 'Allow', actions: ['sqs:SendMessage'], resources: [ref(dlq.queueArn)] },
        { sid: 'PublishNotifications', effect: 'Allow', actions: ['sns:Publish'], resources: [TOPIC_ARN] },
      ],
    });
    // The log group is Terraform's: the function never creates one.
    expect(synth).not.toHaveDataSourceWithProperties(DataAwsIamPolicyDocument, {
      statement: expect.arrayContaining([expect.objectContaining({ actions: expect.arrayContaining(['logs:CreateLogGroup']) })]),
    });
  });

  test('retries a failed asynchronous invocation twice for up to 6 hours, then dead-letters it', () => {
    expect(synth).toHaveResourceWithProperties(LambdaFunctionEventInvokeConfig, {
      function_name: ref(fn.functionName),
      maximum_retry_attempts: 2,
      maximum_event_age_in_seconds: 21600,
      destination_config: { on_failure: { destination: ref(dlq.queueArn) } },
    });
  });

  test('no one may invoke it until a rule is allowed', () => {
    expect(synth).not.toHaveResource(LambdaPermission);
  });
});

describe('NotifierFunction: overrides and permissions', () => {
  test('every default can be overridden by the prop of the same name', () => {
    const { synth } = synthFunction({
      timeoutSeconds: 60,
      memorySize: 512,
      architecture: 'x86_64',
      maximumRetryAttempts: 0,
      maximumEventAgeInSeconds: 3600,
    });
    expect(synth).toHaveResourceWithProperties(LambdaFunction, { architectures: ['x86_64'], timeout: 60, memory_size: 512 });
    expect(synth).toHaveResourceWithProperties(LambdaFunctionEventInvokeConfig, {
      maximum_retry_attempts: 0,
      maximum_event_age_in_seconds: 3600,
    });
    expect(synth).not.toHaveResourceWithProperties(LambdaFunction, { architectures: ['arm64'] });
  });

  test('allowEventBridgeRule lets exactly that rule invoke the function', () => {
    const { synth, fn, ref } = synthFunction({}, (f) => f.allowEventBridgeRule('agent-update', RULE_ARN));
    expect(synth).toHaveResourceWithProperties(LambdaPermission, {
      statement_id: 'AllowEventBridge-agent-update',
      action: 'lambda:InvokeFunction',
      function_name: ref(fn.functionName),
      principal: 'events.amazonaws.com',
      source_arn: RULE_ARN,
    });
  });
});
