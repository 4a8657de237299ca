// Every bucket policy denies requests that do not use TLS, for the bucket and all its objects.
import { Rule, Violation } from '../../types';
import { type Resource, type StackModel, isExpression } from '../../model';
import { coversAction, hasAnyPrincipal } from '../../statements';
import { bucketPolicyStatements } from './bucket-parts';

/** A whole `${...}` reference, not a template such as `${aws_s3_bucket.x.arn}/*`. */
const WHOLE_REFERENCE = /^\$\{[^{}]*\}$/;

/** Does `resources` name the bucket itself and every object (or `*`)? */
function coversBucketAndObjects(stack: StackModel, bucket: Resource, resources: string[]): boolean {
  if (resources.includes('*')) return true;
  const isBucket = (r: string, suffix: string) => {
    if (!r.endsWith(suffix)) return false;
    const base = r.slice(0, r.length - suffix.length);
    const name = bucket.values.bucket;
    // `refersTo` matches any string holding a reference to the bucket: only a whole reference is the bucket's ARN.
    if (isExpression(base)) return WHOLE_REFERENCE.test(base) && stack.refersTo(base, bucket);
    return stack.refersTo(base, bucket) || (typeof name === 'string' && base === `arn:aws:s3:::${name}`);
  };
  return resources.some((r) => isBucket(r, '')) && resources.some((r) => isBucket(r, '/*'));
}

export const TlsOnly: Rule = {
  id: 'SSMB-S3-006',
  name: 'TlsOnly',
  service: 's3',
  title: 'Bucket policy denies non-TLS requests',
  severity: 'high',
  rationale:
    'A Deny on `aws:SecureTransport = false` is the only way to refuse plain-HTTP access, which would expose objects and credentials in transit.',
  fix: 'Add a Deny statement for Principal "*", Action "s3:*", Resource [bucket ARN, bucket ARN/*], Condition Bool aws:SecureTransport = false (SecureBucket does).',
  check(stack) {
    const out: Violation[] = [];
    for (const bucket of stack.byType('aws_s3_bucket')) {
      const ok = bucketPolicyStatements(stack, bucket).some(
        ({ statement: st }) =>
          st.effect === 'Deny' &&
          hasAnyPrincipal(st) &&
          ['s3:GetObject', 's3:PutObject', 's3:ListBucket', 's3:DeleteObject'].every((a) => coversAction(st, a)) &&
          st.conditions.some(
            (c) => /^Bool(IfExists)?$/.test(c.test) && c.variable.toLowerCase() === 'aws:securetransport' && c.values.includes('false'),
          ) &&
          coversBucketAndObjects(stack, bucket, st.resources),
      );
      if (!ok)
        out.push({
          address: bucket.address,
          message:
            'has no bucket policy statement denying requests without TLS (aws:SecureTransport = false) on the bucket and its objects',
        });
    }
    return out;
  },
};
