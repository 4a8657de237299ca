import assert from 'node:assert/strict';
import { App, TerraformStack, Testing } from 'cdktf';
import { Construct } from 'constructs';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
import { SnsTopicSubscription } from '@cdktf/provider-aws/lib/sns-topic-subscription';
import { NotificationTopic, SecureBucket } from 'ssm-baseline';

// 1. In your own app: the baseline's building blocks next to your resources.
class AuditStack extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new AwsProvider(this, 'aws', { region: 'eu-west-1', allowedAccountIds: ['123456789012'] });
    new NotificationTopic(this, 'alerts', {
      topicName: 'audit-alerts',
      keyAlias: 'audit-alerts',
      accountId: '123456789012',
      emails: ['ops@example.com'],
    });
    new SecureBucket(this, 'reports', { bucketName: 'example-audit-reports', expirationDays: 90 });
  }
}
const app = new App({ outdir: process.env.CDKTF_OUTDIR ?? 'cdktf.out' });
new AuditStack(app, 'audit');
app.synth();

// 2. In your CI: assertions on one construct, without a whole stack.
const bucket = Testing.synthScope((scope) => {
  new SecureBucket(scope, 'reports', { bucketName: 'example-audit-reports', expirationDays: 90 });
});
assert.ok(Testing.toHaveResourceWithProperties(bucket, S3Bucket.tfResourceType, { bucket: 'example-audit-reports' }));
assert.ok(Testing.toHaveResourceWithProperties(bucket, S3BucketPublicAccessBlock.tfResourceType, { block_public_policy: true }));

const topic = Testing.synthScope((scope) => {
  new NotificationTopic(scope, 'alerts', {
    topicName: 'audit-alerts',
    keyAlias: 'audit-alerts',
    accountId: '123456789012',
    emails: ['ops@example.com'],
  });
});
assert.ok(
  Testing.toHaveResourceWithProperties(topic, SnsTopicSubscription.tfResourceType, { protocol: 'email', endpoint: 'ops@example.com' }),
);
console.log('library example: synthesized and asserted');
