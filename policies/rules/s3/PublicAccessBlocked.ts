// Every bucket has a public access block with all four settings on.
import { Rule, Violation } from '../../types';
import { isTrue } from '../../statements';
import { bucketParts } from './bucket-parts';

const FLAGS = ['block_public_acls', 'block_public_policy', 'ignore_public_acls', 'restrict_public_buckets'];

export const PublicAccessBlocked: Rule = {
  id: 'SSMB-S3-001',
  name: 'PublicAccessBlocked',
  service: 's3',
  title: 'All four S3 public-access blocks on',
  severity: 'critical',
  rationale: 'Session transcripts, association output and patch history must never become public through an ACL or a policy mistake.',
  fix: 'Use SecureBucket, or add aws_s3_bucket_public_access_block with block_public_acls, block_public_policy, ignore_public_acls and restrict_public_buckets = true.',
  check(stack) {
    const out: Violation[] = [];
    for (const bucket of stack.byType('aws_s3_bucket')) {
      const blocks = bucketParts(stack, bucket, 'aws_s3_bucket_public_access_block');
      if (blocks.length === 0) {
        out.push({ address: bucket.address, message: 'has no aws_s3_bucket_public_access_block' });
        continue;
      }
      for (const b of blocks) {
        const off = FLAGS.filter((f) => !isTrue(b.values[f]));
        if (off.length) out.push({ address: b.address, message: `leaves ${off.join(', ')} off for ${bucket.address}` });
      }
    }
    return out;
  },
};
