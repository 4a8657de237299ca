import { Construct } from 'constructs';
import { SecureBucket } from '../constructs/secure-bucket';
import { CustomerKey } from '../constructs/kms-key';
import { PolicyCondition, PolicyStatement } from '../constructs/policy-document';
import type { BaselineConfig } from '../platform/config/schema';
import { suppress } from '../../policies/suppress';
import { ArchiveWriters, PRINCIPAL_ACCOUNT, checkPolicySize, hubPolicySizes, writersCondition, writersProblems } from './archive-policy';
import {
  ARCHIVE_FOLDERS,
  transcriptArchiveBucketName,
  transcriptArchiveKeyAlias,
  transcriptReplicationRoleArnPattern,
} from './archive-names';
import { POLICY_SIZE_LIMITS } from './policy-size';

export interface HubTranscriptArchiveProps extends ArchiveWriters {
  /** Name prefix of the deployment. */
  readonly namePrefix: string;
  /** The hub account id (owner of bucket and key). */
  readonly hubAccountId: string;
  /** The hub region (bucket and key; the key policy names `s3.<region>.amazonaws.com`). */
  readonly hubRegion: string;
  /** Days current transcript versions are kept. @default 400 (the spokes' `sessionManager.logBucket.retentionDays` default) */
  readonly retentionDays?: number;
  /** Default governance retention of a replica whose source carries none, in days, at most retentionDays. @default - retentionDays */
  readonly lockDays?: number;
}

/** Defaults of HubTranscriptArchive, in one place. */
export const HUB_TRANSCRIPT_ARCHIVE_DEFAULTS = { retentionDays: 400 } as const;

/** Only the spokes' replication roles, never another principal of a member account. */
function replicationRoles(p: Pick<HubTranscriptArchiveProps, 'namePrefix'>): PolicyCondition {
  return { test: 'ArnLike', variable: 'aws:PrincipalArn', values: [transcriptReplicationRoleArnPattern(p)] };
}

/**
 * The bucket's grants (besides SecureBucket's TLS-only deny): a member's replication role
 * stores replicas only below `session-transcripts/account=<its account>/` (the variable is
 * filled from the caller) and may read the bucket's versioning state. The actions are the
 * S3 user guide's for a destination in another account ("Granting permissions when the
 * source and destination buckets are owned by different AWS accounts"), narrowed:
 * s3:ReplicateDelete is left out because delete markers are not replicated, and
 * s3:PutBucketVersioning because the hub owns that setting (versioning cannot be suspended
 * on an Object Lock bucket anyway). One statement keeps the member list once: the object
 * actions match only the object ARNs, s3:GetBucketVersioning only the bucket ARN.
 */
export function transcriptArchiveBucketStatements(bucketArn: string, p: HubTranscriptArchiveProps): PolicyStatement[] {
  return [
    {
      sid: 'SpokeReplicationOwnAccountPrefix',
      actions: ['s3:GetBucketVersioning', 's3:ObjectOwnerOverrideToBucketOwner', 's3:ReplicateObject', 's3:ReplicateTags'],
      resources: [bucketArn, `${bucketArn}/${ARCHIVE_FOLDERS.sessionTranscripts}/account=${PRINCIPAL_ACCOUNT}/*`],
      principals: [{ type: '*', identifiers: ['*'] }],
      conditions: [writersCondition(p, 'principal'), replicationRoles(p)],
    },
  ];
}

/**
 * The key's grants (besides the root delegation): S3 encrypts each replica as the
 * replication role (kms:Encrypt per the S3 guide's cross-account SSE-KMS replication,
 * kms:GenerateDataKey for S3 Bucket Keys), through S3 in the hub region and with an
 * encryption context of this bucket: the bucket ARN with Bucket Keys (SecureBucket turns
 * them on), the object ARN otherwise.
 */
export function transcriptArchiveKeyStatements(bucketArn: string, p: HubTranscriptArchiveProps): PolicyStatement[] {
  return [
    {
      sid: 'SpokeReplicationThroughS3',
      actions: ['kms:Encrypt', 'kms:GenerateDataKey'],
      resources: ['*'],
      principals: [{ type: 'AWS', identifiers: ['*'] }],
      conditions: [
        writersCondition(p, 'principal'),
        replicationRoles(p),
        { test: 'StringEquals', variable: 'kms:ViaService', values: [`s3.${p.hubRegion}.amazonaws.com`] },
        {
          test: 'StringLike',
          variable: 'kms:EncryptionContext:aws:s3:arn',
          values: [bucketArn, `${bucketArn}/${ARCHIVE_FOLDERS.sessionTranscripts}/account=*`],
        },
      ],
    },
  ];
}

/**
 * The hub's copy of every spoke's Session Manager transcripts: a bucket with Object Lock
 * (governance) that S3 Replication fills from the spokes' locked transcript buckets, with
 * its own customer key. Separate from the fleet archive because S3 replicates Object Lock
 * objects only into an Object Lock bucket, which the archive cannot be. Bucket and key
 * refuse `terraform destroy`, like the spokes' transcript bucket and key.
 */
export class HubTranscriptArchive extends Construct {
  readonly bucket: SecureBucket;
  readonly key: CustomerKey;
  /** The bucket name (a literal: spokes compute the same one). */
  readonly bucketName: string;
  readonly bucketArn: string;
  readonly keyArn: string;
  /** Rendered sizes at synth, in bytes. */
  readonly policySizes: { readonly bucketPolicy: number; readonly keyPolicy: number };

  constructor(scope: Construct, id: string, props: HubTranscriptArchiveProps) {
    super(scope, id);
    const problems = validate(props);
    if (problems.length) throw new Error(`HubTranscriptArchive:\n${problems.map((p) => `  ${p}`).join('\n')}`);

    this.bucketName = transcriptArchiveBucketName(props);
    // A literal ARN: the key policy names the bucket before the bucket exists.
    this.bucketArn = `arn:aws:s3:::${this.bucketName}`;
    const bucketStatements = transcriptArchiveBucketStatements(this.bucketArn, props);
    const keyStatements = transcriptArchiveKeyStatements(this.bucketArn, props);
    this.policySizes = hubPolicySizes(this.bucketArn, props.hubAccountId, bucketStatements, keyStatements);
    checkPolicySize('HubTranscriptArchive', 'bucket policy', this.policySizes.bucketPolicy, POLICY_SIZE_LIMITS.bucketPolicy, props);
    checkPolicySize('HubTranscriptArchive', 'key policy', this.policySizes.keyPolicy, POLICY_SIZE_LIMITS.keyPolicy, props);

    this.key = new CustomerKey(this, 'key', {
      accountId: props.hubAccountId,
      alias: transcriptArchiveKeyAlias(props),
      description: 'Session Manager transcripts replicated from every spoke (ssm-baseline)',
      statements: keyStatements,
    });
    // Deleting the key would make every replica unreadable.
    this.key.key.lifecycle = { ...this.key.key.lifecycle, preventDestroy: true };
    this.keyArn = this.key.keyArn;
    const retentionDays = props.retentionDays ?? HUB_TRANSCRIPT_ARCHIVE_DEFAULTS.retentionDays;
    this.bucket = new SecureBucket(this, 'bucket', {
      bucketName: this.bucketName,
      kmsKeyArn: this.keyArn,
      expirationDays: retentionDays,
      preventDestroy: true,
      // Replicas keep their source's retain-until date; this default covers replicas whose source had none.
      objectLock: { mode: 'GOVERNANCE', days: props.lockDays ?? retentionDays },
      policyStatements: bucketStatements,
    });
    suppress(
      this.bucket.bucketPolicy,
      'SSMB-S3-007',
      "the spokes' replication roles are admitted by aws:PrincipalAccount or aws:PrincipalOrgID and aws:PrincipalArn, fixed-value keys " +
        "S3 Block Public Access counts as non-public; naming the roles' ARNs would fail while the spokes are not deployed (the hub applies first)",
      ['SpokeReplicationOwnAccountPrefix'],
    );
  }
}

/** The hub stack's props for it: every configured account, the spokes' retention settings. */
export function hubTranscriptArchiveProps(config: BaselineConfig): HubTranscriptArchiveProps {
  const hub = config.hub!;
  const logBucket = config.sessionManager.logBucket;
  return {
    namePrefix: config.namePrefix,
    hubAccountId: hub.account,
    hubRegion: hub.region,
    memberAccountIds: config.accounts.map((a) => a.id),
    organizationId: hub.organizationId,
    retentionDays: logBucket.retentionDays,
    lockDays: logBucket.objectLock.retentionDays ?? logBucket.retentionDays,
  };
}

/** Every problem of the props at once, field by field. */
function validate(p: HubTranscriptArchiveProps): string[] {
  const out = writersProblems(p.hubAccountId, p);
  const retention = p.retentionDays ?? HUB_TRANSCRIPT_ARCHIVE_DEFAULTS.retentionDays;
  if (p.lockDays !== undefined && (p.lockDays < 1 || p.lockDays > retention))
    out.push(`lockDays: must be between 1 and retentionDays (${retention}), got ${p.lockDays}`);
  return out;
}
