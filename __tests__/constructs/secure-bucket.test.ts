import { DefaultTokenResolver, StringConcat, Testing, Tokenization } from 'cdktf';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketAcl } from '@cdktf/provider-aws/lib/s3-bucket-acl';
import { S3BucketLifecycleConfiguration } from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration';
import { S3BucketOwnershipControls } from '@cdktf/provider-aws/lib/s3-bucket-ownership-controls';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import { S3BucketVersioningA } from '@cdktf/provider-aws/lib/s3-bucket-versioning';
import { S3BucketObjectLockConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-object-lock-configuration';
import { SecureBucket } from '../../stacks';

const BUCKET = 'ssm-baseline-logs-111111111111-ap-northeast-1';
const KEY_ARN = 'arn:aws:kms:ap-northeast-1:111111111111:key/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b';

/** Synthesizes one SecureBucket; `ref` resolves its tokens to the `${...}` references in the JSON. */
function synthBucket(props: Partial<ConstructorParameters<typeof SecureBucket>[2]> = {}, after?: (b: SecureBucket) => void) {
  let bucket!: SecureBucket;
  const synth = Testing.synthScope((scope) => {
    bucket = new SecureBucket(scope, 'logs', { bucketName: BUCKET, ...props });
    after?.(bucket);
  });
  const ref = (token: string): string =>
    Tokenization.resolve(token, { scope: bucket, preparing: false, resolver: new DefaultTokenResolver(new StringConcat()) });
  return { synth, bucket, ref };
}

// The policy is `${data.aws_iam_policy_document.X.json}`, rendered by Terraform later;
// the matchers cannot follow that reference, so read the document from the parsed JSON.
function bucketPolicyStatements(synth: string): Array<Record<string, any>> {
  const json = JSON.parse(synth);
  const [policy] = Object.values(json.resource.aws_s3_bucket_policy) as Array<{ policy: string }>;
  const name = /^\$\{data\.aws_iam_policy_document\.([^.]+)\.json\}$/.exec(policy.policy)![1];
  return json.data.aws_iam_policy_document[name].statement;
}

describe('SecureBucket: the defaults', () => {
  let synth: string;
  let ref: (token: string) => string;
  let bucket: SecureBucket;
  beforeAll(() => ({ synth, ref, bucket } = synthBucket()));

  test('creates the named bucket that Terraform refuses to empty on destroy', () => {
    expect(synth).toHaveResourceWithProperties(S3Bucket, { bucket: BUCKET, force_destroy: false });
    // prevent_destroy is opt-in (state buckets only).
    expect(synth).not.toHaveResourceWithProperties(S3Bucket, { lifecycle: expect.anything() });
  });

  test('blocks every kind of public access', () => {
    expect(synth).toHaveResourceWithProperties(S3BucketPublicAccessBlock, {
      bucket: ref(bucket.bucket.id),
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
  });

  test('disables ACLs: the owner owns every object and no ACL is set', () => {
    expect(synth).toHaveResourceWithProperties(S3BucketOwnershipControls, {
      bucket: ref(bucket.bucket.id),
      rule: { object_ownership: 'BucketOwnerEnforced' },
    });
    expect(synth).not.toHaveResource(S3BucketAcl);
  });

  test('encrypts with SSE-S3 when no key is given', () => {
    expect(synth).toHaveResourceWithProperties(S3BucketServerSideEncryptionConfigurationA, {
      bucket: ref(bucket.bucket.id),
      rule: [{ apply_server_side_encryption_by_default: { sse_algorithm: 'AES256' } }],
    });
  });

  test('turns versioning on', () => {
    expect(synth).toHaveResourceWithProperties(S3BucketVersioningA, {
      bucket: ref(bucket.bucket.id),
      versioning_configuration: { status: 'Enabled' },
    });
  });

  test('keeps current versions, expires noncurrent ones after 90 days and aborts uploads after 7', () => {
    // Nested values match exactly: the rule has no expiration and no transition.
    expect(synth).toHaveResourceWithProperties(S3BucketLifecycleConfiguration, {
      bucket: ref(bucket.bucket.id),
      rule: [
        {
          id: 'baseline-retention',
          status: 'Enabled',
          filter: [{ prefix: '' }],
          abort_incomplete_multipart_upload: [{ days_after_initiation: 7 }],
          noncurrent_version_expiration: [{ noncurrent_days: 90 }],
        },
      ],
      depends_on: [expect.stringMatching(/^aws_s3_bucket_versioning\./)],
    });
  });

  test('the bucket policy denies every request without TLS, on the bucket and its objects', () => {
    expect(synth).toHaveResourceWithProperties(S3BucketPolicy, { bucket: ref(bucket.bucket.id) });
    expect(bucketPolicyStatements(synth)).toEqual([
      {
        sid: 'DenyInsecureTransport',
        effect: 'Deny',
        actions: ['s3:*'],
        resources: [ref(bucket.bucketArn), `${ref(bucket.bucketArn)}/*`],
        principals: [{ type: '*', identifiers: ['*'] }],
        condition: [{ test: 'Bool', variable: 'aws:SecureTransport', values: ['false'] }],
      },
    ]);
  });

  test('arnForObjects scopes grants to a key prefix', () => {
    expect(ref(bucket.arnForObjects('AWSLogs/111111111111/'))).toBe(`${ref(bucket.bucketArn)}/AWSLogs/111111111111/*`);
  });
});

describe('SecureBucket: overrides', () => {
  test('a KMS key switches to SSE-KMS with S3 Bucket Keys', () => {
    const { synth } = synthBucket({ kmsKeyArn: KEY_ARN });
    expect(synth).toHaveResourceWithProperties(S3BucketServerSideEncryptionConfigurationA, {
      rule: [
        { apply_server_side_encryption_by_default: { sse_algorithm: 'aws:kms', kms_master_key_id: KEY_ARN }, bucket_key_enabled: true },
      ],
    });
    expect(synth).not.toHaveResourceWithProperties(S3BucketServerSideEncryptionConfigurationA, {
      rule: [{ apply_server_side_encryption_by_default: { sse_algorithm: 'AES256' } }],
    });
  });

  test('retention props shape the lifecycle rule', () => {
    const { synth } = synthBucket({
      abortIncompleteMultipartUploadDays: 1,
      noncurrentVersionExpirationDays: 30,
      expirationDays: 400,
      glacierTransitionDays: 90,
    });
    expect(synth).toHaveResourceWithProperties(S3BucketLifecycleConfiguration, {
      rule: [
        {
          id: 'baseline-retention',
          status: 'Enabled',
          filter: [{ prefix: '' }],
          abort_incomplete_multipart_upload: [{ days_after_initiation: 1 }],
          noncurrent_version_expiration: [{ noncurrent_days: 30 }],
          expiration: [{ days: 400 }],
          transition: [{ days: 90, storage_class: 'GLACIER' }],
        },
      ],
    });
  });

  test('objectLock enables Object Lock at creation and sets the default retention after versioning', () => {
    const { synth, ref, bucket } = synthBucket({ objectLock: { mode: 'GOVERNANCE', days: 400 } });
    expect(synth).toHaveResourceWithProperties(S3Bucket, { bucket: BUCKET, object_lock_enabled: true });
    expect(synth).toHaveResourceWithProperties(S3BucketObjectLockConfigurationA, {
      bucket: ref(bucket.bucket.id),
      rule: { default_retention: { mode: 'GOVERNANCE', days: 400 } },
    });
    const json = JSON.parse(synth);
    const [lock] = Object.values(json.resource.aws_s3_bucket_object_lock_configuration) as Array<{ depends_on: string[] }>;
    expect(lock.depends_on).toEqual([expect.stringMatching(/^aws_s3_bucket_versioning\./)]);
  });

  test('without objectLock the bucket leaves Object Lock unset and has no lock configuration', () => {
    const { synth } = synthBucket();
    expect(JSON.stringify(JSON.parse(synth).resource.aws_s3_bucket)).not.toContain('object_lock_enabled');
    expect(synth).not.toHaveResource(S3BucketObjectLockConfigurationA);
  });

  test('preventDestroy protects the bucket from terraform destroy', () => {
    const { synth } = synthBucket({ preventDestroy: true });
    expect(synth).toHaveResourceWithProperties(S3Bucket, { bucket: BUCKET, lifecycle: { prevent_destroy: true } });
  });

  test('grants from the props and from addToPolicy join the TLS-only deny', () => {
    const { synth, ref, bucket } = synthBucket(
      {
        policyStatements: [
          {
            sid: 'CloudTrailAclCheck',
            actions: ['s3:GetBucketAcl'],
            resources: ['arn:aws:s3:::' + BUCKET],
            principals: [{ type: 'Service', identifiers: ['cloudtrail.amazonaws.com'] }],
          },
        ],
      },
      (b) =>
        b.addToPolicy({
          sid: 'CloudTrailWrite',
          actions: ['s3:PutObject'],
          resources: [b.arnForObjects('AWSLogs/111111111111/')],
          principals: [{ type: 'Service', identifiers: ['cloudtrail.amazonaws.com'] }],
          conditions: [{ test: 'StringEquals', variable: 's3:x-amz-acl', values: ['bucket-owner-full-control'] }],
        }),
    );
    const statements = bucketPolicyStatements(synth);
    expect(statements.map((s) => s.sid)).toEqual(['DenyInsecureTransport', 'CloudTrailAclCheck', 'CloudTrailWrite']);
    expect(statements[2]).toEqual({
      sid: 'CloudTrailWrite',
      effect: 'Allow',
      actions: ['s3:PutObject'],
      resources: [`${ref(bucket.bucketArn)}/AWSLogs/111111111111/*`],
      principals: [{ type: 'Service', identifiers: ['cloudtrail.amazonaws.com'] }],
      condition: [{ test: 'StringEquals', variable: 's3:x-amz-acl', values: ['bucket-owner-full-control'] }],
    });
  });
});
