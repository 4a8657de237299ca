import { Construct } from 'constructs';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { SfnStateMachine } from '@cdktf/provider-aws/lib/sfn-state-machine';
import { SharedResources, arn } from '../../platform/shared';
import { PolicyDocument, PolicyStatement, serviceTrust } from '../../constructs/policy-document';
import { SecureBucket } from '../../constructs/secure-bucket';
import { alarmWhenAboveZero } from '../../constructs/topic-alarm';
import { PatchHistoryConfig, RUNS_FOLDER } from './config';
import { snapshotDefinition } from './definition';

/**
 * Actions Step Functions calls to set up its vended log delivery; none has a
 * resource type, so they need "*" (Step Functions developer guide, "IAM policies
 * for logging to CloudWatch Logs").
 */
export const LOG_DELIVERY_ACTIONS = [
  'logs:CreateLogDelivery',
  'logs:DeleteLogDelivery',
  'logs:DescribeLogGroups',
  'logs:DescribeResourcePolicies',
  'logs:GetLogDelivery',
  'logs:ListLogDeliveries',
  'logs:PutResourcePolicy',
  'logs:UpdateLogDelivery',
];

/** X-Ray actions of a traced state machine; no resource types either. */
export const XRAY_ACTIONS = ['xray:GetSamplingRules', 'xray:GetSamplingTargets', 'xray:PutTelemetryRecords', 'xray:PutTraceSegments'];

/** Step Functions metrics that mean a run did not complete; each gets an alarm. */
export const FAILURE_METRICS = ['ExecutionsFailed', 'ExecutionsTimedOut', 'ExecutionsAborted'] as const;

export interface SnapshotStateMachineProps {
  /** The `patchHistory` section of the configuration. */
  readonly config: PatchHistoryConfig;
  readonly shared: SharedResources;
  readonly bucket: SecureBucket;
  /** The bucket's physical name, as a literal. */
  readonly bucketName: string;
}

/**
 * The Standard state machine that takes a snapshot, its role (exactly the calls the
 * definition makes, on this account-region's resources), its log group, X-Ray
 * tracing, and alarms that mail the shared topic when a run fails, times out or is
 * aborted.
 */
export class SnapshotStateMachine extends Construct {
  readonly stateMachine: SfnStateMachine;
  readonly stateMachineArn: string;
  readonly stateMachineName: string;
  readonly role: IamRole;
  readonly logGroup: CloudwatchLogGroup;
  readonly definition: Record<string, unknown>;

  constructor(scope: Construct, id: string, props: SnapshotStateMachineProps) {
    super(scope, id);
    const { config: cfg, shared } = props;
    this.stateMachineName = shared.naming.regional('patch-history', 'stateMachine');
    // Literal ARN: the trust policy needs it before the machine exists.
    const machineArn = arn(shared, 'states', `stateMachine:${this.stateMachineName}`);

    this.definition = snapshotDefinition({
      bucket: props.bucketName,
      prefix: cfg.s3Prefix,
      runsFolder: RUNS_FOLDER,
      tagKey: cfg.tagKey,
      tagValue: cfg.tagValue,
      classifications: cfg.classifications,
      maxConcurrency: cfg.maxConcurrency,
    });

    // The /aws/vendedlogs/ prefix keeps the log resource policy Step Functions writes
    // from growing with every log group (CloudWatch Logs' 5 KB policy limit).
    this.logGroup = new CloudwatchLogGroup(this, 'logs', {
      name: `/aws/vendedlogs/states/${this.stateMachineName}`,
      retentionInDays: shared.logRetentionDays,
    });

    const trust = new PolicyDocument(this, 'trust', [
      serviceTrust('states.amazonaws.com', [
        { test: 'StringEquals', variable: 'aws:SourceAccount', values: [shared.accountId] },
        { test: 'ArnLike', variable: 'aws:SourceArn', values: [machineArn] },
      ]),
    ]);
    this.role = new IamRole(this, 'role', {
      name: shared.naming.iam('patch-history'),
      description: 'Patch-history state machine: list tagged instances, read their patch state, write snapshots',
      assumeRolePolicy: trust.json,
    });
    const policy = new PolicyDocument(this, 'policy', snapshotStatements(cfg, shared, props.bucket));
    const rolePolicy = new IamRolePolicy(this, 'role-policy', { name: 'patch-snapshot', role: this.role.id, policy: policy.json });

    this.stateMachine = new SfnStateMachine(this, 'state-machine', {
      name: this.stateMachineName,
      type: 'STANDARD',
      roleArn: this.role.arn,
      definition: JSON.stringify(this.definition, null, 2),
      loggingConfiguration: {
        logDestination: `${this.logGroup.arn}:*`,
        level: cfg.logLevel,
        // Inputs and outputs are instance ids and patch titles (no secrets) and are
        // what one needs to see why a state failed.
        includeExecutionData: true,
      },
      tracingConfiguration: { enabled: true },
      // Step Functions checks the role's log permissions when the machine is created.
      dependsOn: [rolePolicy],
    });
    this.stateMachineArn = this.stateMachine.arn;

    for (const metric of FAILURE_METRICS) {
      const alarmName = shared.naming.regional(`patch-history-${metric.replace(/^Executions/, '').toLowerCase()}`, 'cloudwatchAlarm');
      alarmWhenAboveZero(this, `alarm-${metric}`, shared.topic, {
        alarmName,
        description: `A patch-history snapshot run ${metric.replace(/^Executions/, '').toLowerCase()} in ${shared.region}: see the execution in the Step Functions console (${this.stateMachineName}); instances that failed are listed under s3://${props.bucketName}/${cfg.s3Prefix}/${RUNS_FOLDER}/.`,
        namespace: 'AWS/States',
        metricName: metric,
        dimensions: { StateMachineArn: this.stateMachineArn },
      });
    }
  }
}

/** What the state machine's role may do: exactly the definition's calls, plus logging and tracing. */
export function snapshotStatements(
  cfg: Pick<PatchHistoryConfig, 's3Prefix'>,
  shared: SharedResources,
  bucket: SecureBucket,
): PolicyStatement[] {
  return [
    // DescribeInstances has no resource-level permissions.
    { sid: 'ListInstances', actions: ['ec2:DescribeInstances'], resources: ['*'] },
    // Only EC2 instances of this account-region (the snapshot lists EC2 instances only).
    { sid: 'ReadPatchState', actions: ['ssm:DescribeInstancePatches'], resources: [arn(shared, 'ec2', 'instance/*')] },
    // Snapshots, summaries and failure records all live under the prefix.
    { sid: 'WriteSnapshots', actions: ['s3:PutObject'], resources: [bucket.arnForObjects(`${cfg.s3Prefix}/`)] },
    { sid: 'DeliverLogs', actions: [...LOG_DELIVERY_ACTIONS], resources: ['*'] },
    { sid: 'Trace', actions: [...XRAY_ACTIONS], resources: ['*'] },
  ];
}
