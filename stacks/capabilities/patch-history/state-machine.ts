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
import { archiveBucketName, archiveKeyGrant, patchHistoryPrefix } from '../../organization/archive-names';

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

    const records = recordsLocation(cfg, shared, props.bucketName);
    this.definition = snapshotDefinition({
      bucket: records.bucket,
      prefix: records.prefix,
      runsFolder: RUNS_FOLDER,
      // With a hub the records go to the archive; the Map's own result files stay here.
      ...(shared.hub ? { results: { bucket: props.bucketName, prefix: cfg.s3Prefix } } : {}),
      tagKey: cfg.tagKey,
      tagValue: cfg.tagValue,
      classifications: cfg.classifications,
      patchStates: cfg.patchStates,
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
      description: 'Patch-history state machine: list tagged managed nodes, read their patch state, write snapshots',
      assumeRolePolicy: trust.json,
    });
    const policy = new PolicyDocument(this, 'policy', snapshotStatements(cfg, shared, props.bucket, this.stateMachineName));
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
        description: `A patch-history snapshot run ${metric.replace(/^Executions/, '').toLowerCase()} in ${shared.region}: see the execution in the Step Functions console (${this.stateMachineName}); nodes that failed have instance records with status failed under s3://${records.bucket}/${records.prefix}/instances/.`,
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
  machineName: string,
): PolicyStatement[] {
  return [
    // DescribeInstanceInformation has no resource-level permissions.
    { sid: 'ListInstances', actions: ['ssm:DescribeInstanceInformation'], resources: ['*'] },
    // Managed nodes of this account-region: EC2 instances and hybrid (mi-) nodes.
    {
      sid: 'ReadPatchState',
      actions: ['ssm:DescribeInstancePatchStates', 'ssm:DescribeInstancePatches'],
      resources: [arn(shared, 'ec2', 'instance/*'), arn(shared, 'ssm', 'managed-instance/*')],
    },
    ...(shared.hub ? archiveWriteStatements(cfg, shared, bucket) : localWriteStatements(cfg, bucket)),
    // The distributed Map starts child executions of this machine and watches them.
    { sid: 'RunChildExecutions', actions: ['states:StartExecution'], resources: [arn(shared, 'states', `stateMachine:${machineName}`)] },
    {
      sid: 'WatchChildExecutions',
      actions: ['states:DescribeExecution', 'states:StopExecution'],
      resources: [arn(shared, 'states', `execution:${machineName}/*`)],
    },
    { sid: 'CountMapRuns', actions: ['states:DescribeMapRun'], resources: [arn(shared, 'states', `mapRun:${machineName}/*`)] },
    { sid: 'DeliverLogs', actions: [...LOG_DELIVERY_ACTIONS], resources: ['*'] },
    { sid: 'Trace', actions: [...XRAY_ACTIONS], resources: ['*'] },
  ];
}

/** Where the records (pages, instance records, run manifests) go: the hub archive when there is one. */
export function recordsLocation(
  cfg: Pick<PatchHistoryConfig, 's3Prefix'>,
  shared: Pick<SharedResources, 'hub' | 'accountId' | 'region'>,
  bucketName: string,
): { readonly bucket: string; readonly prefix: string } {
  const archive = shared.hub?.archive;
  if (!archive) return { bucket: bucketName, prefix: cfg.s3Prefix };
  return { bucket: archiveBucketName(archive), prefix: patchHistoryPrefix(shared.accountId, shared.region) };
}

/** Without a hub: everything under the prefix of this account-region's bucket. */
function localWriteStatements(cfg: Pick<PatchHistoryConfig, 's3Prefix'>, bucket: SecureBucket): PolicyStatement[] {
  return [
    // Pages, instance records, run manifests and the Map Run's result files all live under the prefix.
    { sid: 'WriteSnapshots', actions: ['s3:PutObject'], resources: [bucket.arnForObjects(`${cfg.s3Prefix}/`)] },
    // The distributed Map's ResultWriter also reads back and cleans up its multipart uploads
    // (Step Functions developer guide, "IAM policies for using Distributed Map states").
    {
      sid: 'WriteMapResults',
      actions: ['s3:GetObject', 's3:ListMultipartUploadParts', 's3:AbortMultipartUpload'],
      resources: [bucket.arnForObjects(`${cfg.s3Prefix}/${RUNS_FOLDER}/`)],
    },
  ];
}

/**
 * With a hub: the records go to this account-region's folder of the archive, the Map
 * Run's result files stay here. The archive's default encryption (SSE-KMS, its own key)
 * applies to a PutObject that sends no encryption headers; S3 then asks KMS for a data
 * key as the caller, so the caller needs kms:GenerateDataKey on that key, through S3 in
 * the hub region. kms:Decrypt is not needed: Step Functions' putObject is a single PUT
 * (a state's payload is at most 256 KiB), never a multipart upload.
 */
function archiveWriteStatements(
  cfg: Pick<PatchHistoryConfig, 's3Prefix'>,
  shared: Pick<SharedResources, 'hub' | 'accountId' | 'region'>,
  bucket: SecureBucket,
): PolicyStatement[] {
  const archive = shared.hub!.archive;
  const key = archiveKeyGrant(archive);
  return [
    {
      sid: 'WriteSnapshotsToArchive',
      actions: ['s3:PutObject'],
      resources: [`arn:aws:s3:::${archiveBucketName(archive)}/${patchHistoryPrefix(shared.accountId, shared.region)}/*`],
    },
    {
      sid: 'EncryptWithArchiveKey',
      actions: ['kms:GenerateDataKey'],
      resources: [key.resource],
      conditions: [
        { test: 'StringEquals', variable: 'kms:ViaService', values: [`s3.${archive.hubRegion}.amazonaws.com`] },
        { test: 'ForAnyValue:StringEquals', variable: 'kms:ResourceAliases', values: [key.alias] },
      ],
    },
    // See localWriteStatements: the ResultWriter writes, reads back and cleans up here.
    {
      sid: 'WriteMapResults',
      actions: ['s3:PutObject', 's3:GetObject', 's3:ListMultipartUploadParts', 's3:AbortMultipartUpload'],
      resources: [bucket.arnForObjects(`${cfg.s3Prefix}/${RUNS_FOLDER}/`)],
    },
  ];
}
