// Every bucket has default server-side encryption.
import { Rule, Violation } from '../../types';
import { block, blocks } from '../../statements';
import { bucketParts } from './bucket-parts';

const ALGORITHMS = ['AES256', 'aws:kms', 'aws:kms:dsse'];

export const DefaultEncryption: Rule = {
  id: 'SSMB-S3-003',
  name: 'DefaultEncryption',
  service: 's3',
  title: 'Default encryption configured',
  severity: 'high',
  rationale:
    'An explicit encryption configuration documents the choice (SSE-S3 or SSE-KMS with a key the baseline controls) and survives account-level changes.',
  fix: 'Add aws_s3_bucket_server_side_encryption_configuration with a rule applying AES256 or aws:kms by default (SecureBucket does).',
  check(stack) {
    const out: Violation[] = [];
    for (const bucket of stack.byType('aws_s3_bucket')) {
      const configs = bucketParts(stack, bucket, 'aws_s3_bucket_server_side_encryption_configuration').map((c) => c.values);
      const legacy = block(bucket.values.server_side_encryption_configuration);
      if (legacy) configs.push(legacy);
      const ok = configs.some((c) =>
        blocks(c.rule).some((r) => ALGORITHMS.includes(block(r.apply_server_side_encryption_by_default)?.sse_algorithm)),
      );
      if (!ok) out.push({ address: bucket.address, message: 'has no default server-side encryption (AES256 or aws:kms)' });
    }
    return out;
  },
};
