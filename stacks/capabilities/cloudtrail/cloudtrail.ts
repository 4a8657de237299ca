import { Construct } from 'constructs';
import { Cloudtrail } from '@cdktf/provider-aws/lib/cloudtrail';
import { SharedResources, arn } from '../../platform/shared';
import type { CloudTrailConfig } from './config';
import { CustomerKey } from '../../constructs/kms-key';
import { SecureBucket } from '../../constructs/secure-bucket';
import { namedOutput } from '../../constructs/named-output';

export interface ManagementTrailProps {
  /** The `cloudTrail` section of the configuration. */
  readonly config: CloudTrailConfig;
  /** Only the account's home region hosts the trail: one multi-region trail covers them all. */
  readonly shared: SharedResources;
}

/**
 * The CloudTrail prerequisite of the CloudTrail-based rules (AMI alerts, login
 * alerts): a minimal multi-region trail of management events, so "AWS API Call via
 * CloudTrail" events reach EventBridge in every region. Log files are encrypted with
 * a customer-managed key and validated (digest files); the bucket and the key admit
 * CloudTrail for this trail only (`aws:SourceArn`).
 */
export class ManagementTrail extends Construct {
  readonly trail: Cloudtrail;
  readonly trailArn: string;
  readonly bucket: SecureBucket;
  readonly key: CustomerKey;

  constructor(scope: Construct, id: string, props: ManagementTrailProps) {
    super(scope, id);
    const { shared } = props;
    const trailName = shared.naming.regional('management-events', 'trail');
    // Built from names, not from the trail resource: the bucket and key policies must
    // exist before the trail (CloudTrail checks them on creation), so they cannot
    // reference its attributes.
    const trailArn = arn(shared, 'cloudtrail', `trail/${trailName}`);
    const sourceIsTrail = { test: 'StringEquals', variable: 'aws:SourceArn', values: [trailArn] };
    const cloudtrail = [{ type: 'Service' as const, identifiers: ['cloudtrail.amazonaws.com'] }];

    this.key = new CustomerKey(this, 'key', {
      accountId: shared.accountId,
      alias: shared.naming.regional('cloudtrail', 'kmsAlias'),
      description: `Encrypts the log files of the ${trailName} CloudTrail trail`,
      statements: [
        {
          sid: 'AllowTrailToEncryptLogs',
          actions: ['kms:GenerateDataKey*'],
          resources: ['*'],
          principals: cloudtrail,
          conditions: [sourceIsTrail, { test: 'StringEquals', variable: 'kms:EncryptionContext:aws:cloudtrail:arn', values: [trailArn] }],
        },
        {
          sid: 'AllowTrailToDescribeKey',
          actions: ['kms:DescribeKey'],
          resources: ['*'],
          principals: cloudtrail,
          conditions: [sourceIsTrail],
        },
        // Readers decrypt log files through IAM policies (the root delegation of the
        // key policy): no account-wide decrypt grant here.
      ],
    });

    this.bucket = new SecureBucket(this, 'logs', {
      bucketName: shared.naming.bucket('cloudtrail'),
      expirationDays: props.config.logExpirationDays,
      noncurrentVersionExpirationDays: 30,
    });
    this.bucket.addToPolicy(
      {
        sid: 'AllowTrailAclCheck',
        actions: ['s3:GetBucketAcl'],
        resources: [this.bucket.bucketArn],
        principals: cloudtrail,
        conditions: [sourceIsTrail],
      },
      {
        sid: 'AllowTrailWrite',
        actions: ['s3:PutObject'],
        // Log and digest files of this account only.
        resources: [this.bucket.arnForObjects(`AWSLogs/${shared.accountId}/`)],
        principals: cloudtrail,
        conditions: [sourceIsTrail, { test: 'StringEquals', variable: 's3:x-amz-acl', values: ['bucket-owner-full-control'] }],
      },
    );

    this.trail = new Cloudtrail(this, 'trail', {
      name: trailName,
      s3BucketName: this.bucket.bucketName,
      kmsKeyId: this.key.keyArn,
      isMultiRegionTrail: true,
      includeGlobalServiceEvents: true,
      enableLogFileValidation: true,
      enableLogging: true,
      // Write management events only: every call a rule here matches (CreateImage,
      // CreateTags, StartSession, ResumeSession) is one (CloudTrail records them with
      // readOnly false), and the read events (Describe*, Get*, List*) are the bulk of
      // the volume. No data events (they cost per event and no rule needs them).
      eventSelector: [{ readWriteType: 'WriteOnly', includeManagementEvents: true }],
      // CloudTrail refuses a bucket or key whose policy does not admit it yet.
      dependsOn: [this.bucket.bucketPolicy, this.key.key],
    });
    this.trailArn = this.trail.arn;

    namedOutput(this, 'cloudtrail_trail_arn', this.trailArn, 'Multi-region management-event trail');
    namedOutput(this, 'cloudtrail_bucket_name', this.bucket.bucketName, 'Bucket receiving the trail log files');
  }
}
