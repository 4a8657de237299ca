import { Construct } from 'constructs';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
import { S3BucketOwnershipControls } from '@cdktf/provider-aws/lib/s3-bucket-ownership-controls';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import { S3BucketVersioningA } from '@cdktf/provider-aws/lib/s3-bucket-versioning';
import {
  S3BucketLifecycleConfiguration,
  S3BucketLifecycleConfigurationRule,
} from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { S3BucketObjectLockConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-object-lock-configuration';
import { PolicyDocument, PolicyStatement, denyInsecureTransport } from './policy-document';

export interface SecureBucketProps {
  /** Physical bucket name (see Naming.bucket). */
  readonly bucketName: string;
  /**
   * Delete current object versions this many days after creation.
   * @default - current versions are kept (state buckets)
   */
  readonly expirationDays?: number;
  /** Move current versions to S3 Glacier Flexible Retrieval after this many days. @default - no transition */
  readonly glacierTransitionDays?: number;
  /** Delete noncurrent versions this many days after they become noncurrent. @default 90 */
  readonly noncurrentVersionExpirationDays?: number;
  /** Encrypt with this KMS key (SSE-KMS with S3 Bucket Keys). @default - SSE-S3 (AES256) */
  readonly kmsKeyArn?: string;
  /** Abort unfinished multipart uploads after this many days. @default 7 */
  readonly abortIncompleteMultipartUploadDays?: number;
  /** Refuse `terraform destroy` of the bucket (state buckets). @default false */
  readonly preventDestroy?: boolean;
  /** Statements merged into the bucket policy next to the TLS-only deny. @default - none */
  readonly policyStatements?: PolicyStatement[];
  /**
   * S3 Object Lock with this default retention for every new object version (WORM).
   * Enabled when the bucket is created: adding or removing it later replaces the bucket.
   * @default - no Object Lock
   */
  readonly objectLock?: SecureBucketObjectLock;
}

/** Default retention of an Object Lock bucket. */
export interface SecureBucketObjectLock {
  /** GOVERNANCE: principals with s3:BypassGovernanceRetention may still delete; COMPLIANCE: nobody, not even root. */
  readonly mode: 'GOVERNANCE' | 'COMPLIANCE';
  /** Days each new object version is locked. */
  readonly days: number;
}

/**
 * An S3 bucket with the baseline's non-negotiable defaults: all public access
 * blocked, ACLs disabled (owner enforced), default encryption, versioning, a
 * lifecycle, and a bucket policy that denies non-TLS requests. Callers add grants
 * with `addToPolicy`; the defaults cannot be switched off.
 */
export class SecureBucket extends Construct {
  readonly bucket: S3Bucket;
  readonly bucketName: string;
  readonly bucketArn: string;
  /** The bucket policy resource, for services that check it when they are configured (depends_on). */
  readonly bucketPolicy: S3BucketPolicy;
  private readonly policy: PolicyDocument;

  constructor(scope: Construct, id: string, props: SecureBucketProps) {
    super(scope, id);
    this.bucket = new S3Bucket(this, 'bucket', {
      bucket: props.bucketName,
      forceDestroy: false,
      // Only set when wanted: unset, the provider leaves an existing bucket as it is.
      objectLockEnabled: props.objectLock ? true : undefined,
      lifecycle: props.preventDestroy ? { preventDestroy: true } : undefined,
    });
    this.bucketName = this.bucket.bucket;
    this.bucketArn = this.bucket.arn;

    new S3BucketPublicAccessBlock(this, 'public-access-block', {
      bucket: this.bucket.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    new S3BucketOwnershipControls(this, 'ownership', {
      bucket: this.bucket.id,
      rule: { objectOwnership: 'BucketOwnerEnforced' },
    });
    new S3BucketServerSideEncryptionConfigurationA(this, 'encryption', {
      bucket: this.bucket.id,
      rule: [
        props.kmsKeyArn
          ? { applyServerSideEncryptionByDefault: { sseAlgorithm: 'aws:kms', kmsMasterKeyId: props.kmsKeyArn }, bucketKeyEnabled: true }
          : { applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' } },
      ],
    });
    const versioning = new S3BucketVersioningA(this, 'versioning', {
      bucket: this.bucket.id,
      versioningConfiguration: { status: 'Enabled' },
    });

    if (props.objectLock) {
      // S3 accepts a default retention only on a versioned bucket.
      new S3BucketObjectLockConfigurationA(this, 'object-lock', {
        bucket: this.bucket.id,
        rule: { defaultRetention: { mode: props.objectLock.mode, days: props.objectLock.days } },
        dependsOn: [versioning],
      });
    }

    const rule: S3BucketLifecycleConfigurationRule = {
      id: 'baseline-retention',
      status: 'Enabled',
      filter: [{ prefix: '' }],
      abortIncompleteMultipartUpload: [{ daysAfterInitiation: props.abortIncompleteMultipartUploadDays ?? 7 }],
      noncurrentVersionExpiration: [{ noncurrentDays: props.noncurrentVersionExpirationDays ?? 90 }],
      ...(props.expirationDays !== undefined ? { expiration: [{ days: props.expirationDays }] } : {}),
      ...(props.glacierTransitionDays !== undefined
        ? { transition: [{ days: props.glacierTransitionDays, storageClass: 'GLACIER' }] }
        : {}),
    };
    // Versioning must be on before a lifecycle with noncurrent rules is accepted.
    new S3BucketLifecycleConfiguration(this, 'lifecycle', { bucket: this.bucket.id, rule: [rule], dependsOn: [versioning] });

    this.policy = new PolicyDocument(this, 'policy-document', [
      denyInsecureTransport(['s3:*'], [this.bucketArn, `${this.bucketArn}/*`]),
      ...(props.policyStatements ?? []),
    ]);
    this.bucketPolicy = new S3BucketPolicy(this, 'policy', { bucket: this.bucket.id, policy: this.policy.json });
  }

  /** Merge statements into the bucket policy. */
  addToPolicy(...statements: PolicyStatement[]): void {
    this.policy.addStatements(...statements);
  }

  /** ARN of the objects under a key prefix (`prefix` without leading "/"). */
  arnForObjects(prefix = ''): string {
    return `${this.bucketArn}/${prefix}*`;
  }
}
