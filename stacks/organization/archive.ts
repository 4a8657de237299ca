import { Construct } from 'constructs';
import { SecureBucket } from '../constructs/secure-bucket';
import { CustomerKey } from '../constructs/kms-key';
import { suppress } from '../../policies/suppress';
import { archiveBucketName, archiveKeyAlias } from './archive-names';
import {
  ArchiveWriters,
  archiveBucketStatements,
  archiveKeyStatements,
  checkPolicySize,
  hubPolicySizes,
  writersProblems,
} from './archive-policy';
import { POLICY_SIZE_LIMITS } from './policy-size';

export { archiveBucketStatements, archiveKeyStatements, archivePolicySizes } from './archive-policy';
export type { ArchiveWriters } from './archive-policy';

export interface HubArchiveProps extends ArchiveWriters {
  /** Name prefix of the deployment. */
  readonly namePrefix: string;
  /** The hub account id (owner of bucket and key). */
  readonly hubAccountId: string;
  /** The hub region (bucket and key live here; the key policy names `s3.<region>.amazonaws.com`). */
  readonly hubRegion: string;
  /** Days current object versions are kept. @default 730 */
  readonly retentionDays?: number;
  /** Days noncurrent versions (replaced inventory files) are kept. @default 30 */
  readonly noncurrentVersionExpirationDays?: number;
}

/** Defaults of HubArchive, in one place. */
export const HUB_ARCHIVE_DEFAULTS = { retentionDays: 730, noncurrentVersionExpirationDays: 30 } as const;

/**
 * The hub's fleet archive: one SSE-KMS bucket (customer key) receiving patch snapshots,
 * session transcripts and the inventory Resource Data Sync from every spoke, each spoke
 * confined to its own account prefix. No Object Lock: Resource Data Sync cannot write
 * to a bucket with Object Lock (SSM user guide).
 */
export class HubArchive extends Construct {
  readonly bucket: SecureBucket;
  readonly key: CustomerKey;
  /** The bucket name (a literal: spokes compute the same one). */
  readonly bucketName: string;
  readonly bucketArn: string;
  readonly keyArn: string;
  /** Rendered sizes at synth, in bytes (for tests and the docs' limits table). */
  readonly policySizes: { readonly bucketPolicy: number; readonly keyPolicy: number };

  constructor(scope: Construct, id: string, props: HubArchiveProps) {
    super(scope, id);
    const problems = writersProblems(props.hubAccountId, props);
    if (problems.length) throw new Error(`HubArchive:\n${problems.map((p) => `  ${p}`).join('\n')}`);

    this.bucketName = archiveBucketName(props);
    // A literal ARN: the key policy names the bucket before the bucket exists.
    this.bucketArn = `arn:aws:s3:::${this.bucketName}`;
    const bucketStatements = archiveBucketStatements(this.bucketArn, props);
    const keyStatements = archiveKeyStatements(this.bucketArn, props.hubRegion, props);

    this.policySizes = hubPolicySizes(this.bucketArn, props.hubAccountId, bucketStatements, keyStatements);
    checkPolicySize('HubArchive', 'archive bucket policy', this.policySizes.bucketPolicy, POLICY_SIZE_LIMITS.bucketPolicy, props);
    checkPolicySize('HubArchive', 'archive key policy', this.policySizes.keyPolicy, POLICY_SIZE_LIMITS.keyPolicy, props);

    this.key = new CustomerKey(this, 'key', {
      accountId: props.hubAccountId,
      alias: archiveKeyAlias(props),
      description: 'Fleet archive: patch snapshots, session transcripts and inventory of every spoke (ssm-baseline)',
      statements: keyStatements,
    });
    this.keyArn = this.key.keyArn;
    this.bucket = new SecureBucket(this, 'bucket', {
      bucketName: this.bucketName,
      kmsKeyArn: this.key.keyArn,
      expirationDays: props.retentionDays ?? HUB_ARCHIVE_DEFAULTS.retentionDays,
      noncurrentVersionExpirationDays: props.noncurrentVersionExpirationDays ?? HUB_ARCHIVE_DEFAULTS.noncurrentVersionExpirationDays,
      policyStatements: bucketStatements,
    });
    suppress(
      this.bucket.bucketPolicy,
      'SSMB-S3-007',
      'cross-account writers are admitted by aws:PrincipalAccount or aws:PrincipalOrgID, fixed-value keys S3 Block Public Access counts as non-public; ' +
        "naming the spokes' role ARNs would fail while the spokes are not deployed (the hub applies first) and would not fit the policy",
      ['SpokesWriteOwnAccountPrefix'],
    );
  }
}

/** Every problem of the props at once, field by field. */
