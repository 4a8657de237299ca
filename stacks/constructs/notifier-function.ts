import { Construct } from 'constructs';
import { AssetType, TerraformAsset } from 'cdktf';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function';
import { LambdaFunctionEventInvokeConfig } from '@cdktf/provider-aws/lib/lambda-function-event-invoke-config';
import { LambdaPermission } from '@cdktf/provider-aws/lib/lambda-permission';
import { bundleLambda } from '../../tooling/lambda-bundle';
import type { DeadLetterQueue } from './dead-letter-queue';
import { PolicyDocument, PolicyStatement, serviceTrust } from './policy-document';

/** Runtime for every function: nodejs20.x reached end of support in 2026. */
export const LAMBDA_RUNTIME = 'nodejs22.x';

/** The defaults of every notifier function; each one can be overridden by a prop of the same name. */
export const NOTIFIER_FUNCTION_DEFAULTS = {
  timeoutSeconds: 30,
  memorySize: 256,
  /** Graviton: cheaper per millisecond, and the handlers have no native code. */
  architecture: 'arm64',
  /** Lambda's asynchronous retries before the event goes to the dead-letter queue. */
  maximumRetryAttempts: 2,
  /** Events older than this are dead-lettered instead of retried (6 hours). */
  maximumEventAgeInSeconds: 6 * 3600,
} as const;

export interface NotifierFunctionProps {
  /** Folder under `lambda/` holding `index.ts`. */
  readonly bundle: string;
  /** Physical function name; the log group is `/aws/lambda/<functionName>`. */
  readonly functionName: string;
  /** Physical name of the function's role. */
  readonly roleName: string;
  /** Name of the role's inline policy. */
  readonly policyName: string;
  readonly description: string;
  /** Retention of the function's log group (days). */
  readonly logRetentionDays: number;
  /** Where failed asynchronous invocations land. */
  readonly deadLetterQueue: DeadLetterQueue;
  /** Environment variables. @default - none */
  readonly environment?: Record<string, string>;
  /** What the function may do besides writing its logs and dead letters. */
  readonly statements: PolicyStatement[];
  /** @default 30 */
  readonly timeoutSeconds?: number;
  /** @default 256 */
  readonly memorySize?: number;
  /** @default arm64 */
  readonly architecture?: 'arm64' | 'x86_64';
  /** @default 2 */
  readonly maximumRetryAttempts?: number;
  /** @default 21600 (6 hours) */
  readonly maximumEventAgeInSeconds?: number;
}

/**
 * A bundled TypeScript Lambda with the baseline's defaults: its own log group with
 * retention (JSON logs), a role with exactly the given statements plus its logs, and
 * asynchronous invocations retried twice, then sent to the dead-letter queue.
 */
export class NotifierFunction extends Construct {
  readonly function: LambdaFunction;
  readonly functionName: string;
  readonly functionArn: string;
  readonly role: IamRole;
  readonly logGroup: CloudwatchLogGroup;

  constructor(scope: Construct, id: string, props: NotifierFunctionProps) {
    super(scope, id);
    const d = NOTIFIER_FUNCTION_DEFAULTS;
    const functionName = props.functionName;
    this.logGroup = new CloudwatchLogGroup(this, 'logs', {
      name: `/aws/lambda/${functionName}`,
      retentionInDays: props.logRetentionDays,
    });

    const trust = new PolicyDocument(this, 'trust', [serviceTrust('lambda.amazonaws.com')]);
    this.role = new IamRole(this, 'role', {
      name: props.roleName,
      description: props.description,
      assumeRolePolicy: trust.json,
    });
    const policy = new PolicyDocument(this, 'policy', [
      // The log group exists before the function, so CreateLogGroup is not needed.
      { sid: 'WriteOwnLogs', actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [`${this.logGroup.arn}:log-stream:*`] },
      props.deadLetterQueue.sendGrant(),
      ...props.statements,
    ]);
    const rolePolicy = new IamRolePolicy(this, 'role-policy', { name: props.policyName, role: this.role.id, policy: policy.json });

    // One deterministic zip per process, copied into each stack (stacks stay self-contained).
    const bundle = bundleLambda(props.bundle);
    const asset = new TerraformAsset(this, 'code', { path: bundle.zipPath, type: AssetType.FILE, assetHash: bundle.sha256Hex });
    this.function = new LambdaFunction(this, 'function', {
      functionName,
      description: props.description,
      role: this.role.arn,
      runtime: LAMBDA_RUNTIME,
      architectures: [props.architecture ?? d.architecture],
      handler: 'index.handler',
      filename: asset.path,
      sourceCodeHash: bundle.sourceCodeHash,
      timeout: props.timeoutSeconds ?? d.timeoutSeconds,
      memorySize: props.memorySize ?? d.memorySize,
      environment: { variables: { NODE_OPTIONS: '--enable-source-maps', ...(props.environment ?? {}) } },
      loggingConfig: { logFormat: 'JSON', logGroup: this.logGroup.name },
      // The role's policy must exist before the first invocation can log or dead-letter.
      dependsOn: [rolePolicy, this.logGroup],
    });
    this.functionName = this.function.functionName;
    this.functionArn = this.function.arn;

    new LambdaFunctionEventInvokeConfig(this, 'async', {
      functionName: this.function.functionName,
      maximumRetryAttempts: props.maximumRetryAttempts ?? d.maximumRetryAttempts,
      maximumEventAgeInSeconds: props.maximumEventAgeInSeconds ?? d.maximumEventAgeInSeconds,
      destinationConfig: { onFailure: { destination: props.deadLetterQueue.queueArn } },
    });
  }

  /** Let an EventBridge rule invoke the function (permission scoped by `source_arn`). */
  allowEventBridgeRule(id: string, ruleArn: string): LambdaPermission {
    return new LambdaPermission(this, `allow-${id}`, {
      statementId: `AllowEventBridge-${id}`,
      action: 'lambda:InvokeFunction',
      functionName: this.function.functionName,
      principal: 'events.amazonaws.com',
      sourceArn: ruleArn,
    });
  }
}
