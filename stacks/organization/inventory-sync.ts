import { Construct } from 'constructs';
import { SsmResourceDataSync } from '@cdktf/provider-aws/lib/ssm-resource-data-sync';
import { archiveBucketName, inventorySyncPrefix } from './archive-names';

export interface SpokeInventorySyncProps {
  readonly namePrefix: string;
  /** The hub account id (the archive bucket's name carries it). */
  readonly hubAccountId: string;
  /** The hub region: where the archive bucket is. */
  readonly hubRegion: string;
  /** This spoke's region (the sync is a regional resource; named in errors only). */
  readonly spokeRegion: string;
  /**
   * Have SSM name this key in each write (SSE-KMS). The archive bucket's default
   * encryption already uses the archive key, so this only pins the key explicitly.
   * Must be in the hub region (SSM user guide).
   * @default - the bucket's default encryption (the archive key)
   */
  readonly kmsKeyArn?: string;
}

/**
 * One resource data sync (SyncToDestination) of this spoke account-region's inventory
 * to the hub archive. SSM lays the objects out as
 * `inventory/AWS:<Type>/accountid=<id>/region=<r>/resourcetype=<t>/<instance>.json`.
 * Names are unique per account and region (the ARN is
 * `arn:aws:ssm:<region>:<account>:resource-data-sync/<name>`), so one name serves every
 * spoke. Every s3_destination attribute forces replacement in the provider (SSM has no
 * update for S3 destinations): a change recreates the sync, which resyncs.
 */
export class SpokeInventorySync extends Construct {
  readonly sync: SsmResourceDataSync;
  readonly syncName: string;

  constructor(scope: Construct, id: string, props: SpokeInventorySyncProps) {
    super(scope, id);
    if (props.kmsKeyArn !== undefined && !props.kmsKeyArn.includes('${') && !props.kmsKeyArn.startsWith(`arn:aws:kms:${props.hubRegion}:`))
      throw new Error(
        `SpokeInventorySync (${props.spokeRegion}): kmsKeyArn must be a KMS key in the hub region ${props.hubRegion}, got "${props.kmsKeyArn}"`,
      );
    this.syncName = `${props.namePrefix}-inventory-archive`;
    this.sync = new SsmResourceDataSync(this, 'sync', {
      name: this.syncName,
      s3Destination: {
        bucketName: archiveBucketName(props),
        region: props.hubRegion,
        prefix: inventorySyncPrefix(),
        // The provider's default too; set so the Glue tables' SerDe never depends on it.
        syncFormat: 'JsonSerDe',
        ...(props.kmsKeyArn !== undefined ? { kmsKeyArn: props.kmsKeyArn } : {}),
      },
    });
  }
}
