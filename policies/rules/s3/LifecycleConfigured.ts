// Every bucket has at least one enabled lifecycle rule.
import { Rule, Violation } from '../../types';
import { blocks, isTrue } from '../../statements';
import { bucketParts } from './bucket-parts';

export const LifecycleConfigured: Rule = {
  id: 'SSMB-S3-005',
  name: 'LifecycleConfigured',
  service: 's3',
  title: 'A lifecycle rule',
  severity: 'medium',
  rationale: 'Without a lifecycle, noncurrent versions and abandoned multipart uploads grow forever and retention is undocumented.',
  fix: 'Add aws_s3_bucket_lifecycle_configuration with an Enabled rule (noncurrent version expiration, abort incomplete uploads; SecureBucket does).',
  check(stack) {
    const out: Violation[] = [];
    for (const bucket of stack.byType('aws_s3_bucket')) {
      const enabled =
        bucketParts(stack, bucket, 'aws_s3_bucket_lifecycle_configuration').some((l) =>
          blocks(l.values.rule).some((r) => r.status === 'Enabled'),
        ) || blocks(bucket.values.lifecycle_rule).some((r) => isTrue(r.enabled));
      if (!enabled) out.push({ address: bucket.address, message: 'has no enabled lifecycle rule' });
    }
    return out;
  },
};
