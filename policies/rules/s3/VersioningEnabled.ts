// Every bucket has versioning enabled.
import { Rule, Violation } from '../../types';
import { block, isTrue } from '../../statements';
import { bucketParts } from './bucket-parts';

export const VersioningEnabled: Rule = {
  id: 'SSMB-S3-004',
  name: 'VersioningEnabled',
  service: 's3',
  title: 'Versioning enabled',
  severity: 'medium',
  rationale: 'Versions make an overwrite or delete of state, transcripts or history recoverable.',
  fix: 'Add aws_s3_bucket_versioning with versioning_configuration.status = "Enabled" (SecureBucket does) and a lifecycle that expires noncurrent versions.',
  check(stack) {
    const out: Violation[] = [];
    for (const bucket of stack.byType('aws_s3_bucket')) {
      const enabled =
        bucketParts(stack, bucket, 'aws_s3_bucket_versioning').some(
          (v) => block(v.values.versioning_configuration)?.status === 'Enabled',
        ) || isTrue(block(bucket.values.versioning)?.enabled);
      if (!enabled) out.push({ address: bucket.address, message: 'does not have versioning enabled' });
    }
    return out;
  },
};
