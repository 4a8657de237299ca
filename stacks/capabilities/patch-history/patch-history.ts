import { Construct } from 'constructs';
import { SsmAssociation } from '@cdktf/provider-aws/lib/ssm-association';
import { SharedResources } from '../../platform/shared';
import { SecureBucket } from '../../constructs/secure-bucket';
import { namedOutput } from '../../constructs/named-output';
import { scanAssociation } from './scan-association';
import { SnapshotStateMachine, recordsLocation } from './state-machine';
import { forgetPatchQueryResults } from './retire';
import { SnapshotSchedule } from './schedule';
import { PatchHistoryQuery } from './query';
import type { PatchHistoryConfig } from './config';

export interface PatchHistoryProps {
  /** The `patchHistory` section of the configuration. */
  readonly config: PatchHistoryConfig;
  readonly shared: SharedResources;
}

/**
 * Patch-compliance history. `DescribeInstancePatches` shows only the
 * latest scan, so a scheduled Step Functions run copies it into dated S3 snapshots,
 * which a Glue table with partition projection makes queryable in Athena.
 * See docs/patch-history.md.
 */
export class PatchHistory extends Construct {
  readonly bucket: SecureBucket;
  readonly scan?: SsmAssociation;
  readonly stateMachine: SnapshotStateMachine;
  readonly schedule: SnapshotSchedule;
  /** The per-account-region query layer. @default - none with a hub (the hub's fleet tables read the archive) */
  readonly query?: PatchHistoryQuery;

  constructor(scope: Construct, id: string, props: PatchHistoryProps) {
    super(scope, id);
    const { config: cfg, shared } = props;

    if (!cfg.skipScanAssociation) this.scan = scanAssociation(this, 'scan', cfg, shared);

    // SSE-S3: Athena users and the state machine need no KMS grant to read or write.
    const bucketName = shared.naming.bucket('patch-history');
    this.bucket = new SecureBucket(this, 'history', { bucketName, expirationDays: cfg.retentionDays });

    this.stateMachine = new SnapshotStateMachine(this, 'snapshot', { config: cfg, shared, bucket: this.bucket, bucketName });
    this.schedule = new SnapshotSchedule(this, 'schedule', { config: cfg, shared, stateMachineArn: this.stateMachine.stateMachineArn });
    if (shared.hub) forgetPatchQueryResults(this, id, cfg, shared);
    else
      this.query = new PatchHistoryQuery(this, 'query', {
        shared,
        bucket: this.bucket,
        bucketName,
        prefix: cfg.s3Prefix,
        resultRetentionDays: cfg.queryResultRetentionDays,
      });

    namedOutput(
      this,
      'patch_history_state_machine_arn',
      this.stateMachine.stateMachineArn,
      'Start a snapshot now: aws stepfunctions start-execution --state-machine-arn <this>',
    );
    if (!this.query) {
      // The records live in the hub archive; here stay only the Map Runs' result files.
      const records = recordsLocation(cfg, shared, bucketName);
      namedOutput(this, 'patch_history_bucket', this.bucket.bucketName, `Result files of the snapshot runs (${cfg.s3Prefix}/_runs/)`);
      namedOutput(
        this,
        'patch_history_archive',
        `s3://${records.bucket}/${records.prefix}/`,
        'Where the snapshots of this account-region go (hub archive)',
      );
      return;
    }
    namedOutput(this, 'patch_history_bucket', this.bucket.bucketName, 'Bucket of the patch-compliance snapshots');
    namedOutput(this, 'patch_history_athena_workgroup', this.query.workgroup.name, 'Athena workgroup with the saved patch-history queries');
    namedOutput(this, 'patch_history_glue_table', `${this.query.database.name}.snapshots`, 'Glue table of the snapshots (database.table)');
  }
}
