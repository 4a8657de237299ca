// Every bucket enforces bucket-owner ownership (ACLs disabled) and no ACL is set on it.
import { Rule, Violation } from '../../types';
import { block } from '../../statements';
import { bucketParts } from './bucket-parts';

export const OwnershipEnforced: Rule = {
  id: 'SSMB-S3-002',
  name: 'OwnershipEnforced',
  service: 's3',
  title: 'Object ownership BucketOwnerEnforced, no ACLs',
  severity: 'high',
  rationale:
    'With ACLs enabled, an object written by another account or service can stay owned by the writer and escape the bucket policy.',
  fix: 'Add aws_s3_bucket_ownership_controls with object_ownership = "BucketOwnerEnforced" and remove aws_s3_bucket_acl / the bucket `acl` argument.',
  check(stack) {
    const out: Violation[] = [];
    for (const bucket of stack.byType('aws_s3_bucket')) {
      const controls = bucketParts(stack, bucket, 'aws_s3_bucket_ownership_controls');
      if (!controls.some((c) => block(c.values.rule)?.object_ownership === 'BucketOwnerEnforced')) {
        out.push({
          address: controls[0]?.address ?? bucket.address,
          message: `does not enforce BucketOwnerEnforced ownership for ${bucket.address}`,
        });
      }
      if (bucket.values.acl !== undefined && bucket.values.acl !== null) {
        out.push({ address: bucket.address, message: `sets the legacy acl "${bucket.values.acl}"` });
      }
      for (const acl of bucketParts(stack, bucket, 'aws_s3_bucket_acl'))
        out.push({ address: acl.address, message: `sets an ACL on ${bucket.address}` });
    }
    return out;
  },
};
