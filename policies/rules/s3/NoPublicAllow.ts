// No bucket policy statement allows `*` principals.
import { Rule, Violation } from '../../types';
import { hasAnyPrincipal, statementLabel, unresolvedPrincipals } from '../../statements';
import { bucketPolicyStatements } from './bucket-parts';

export const NoPublicAllow: Rule = {
  id: 'SSMB-S3-007',
  name: 'NoPublicAllow',
  service: 's3',
  title: 'No Allow to `*` principals in bucket policies',
  severity: 'critical',
  rationale:
    'The baseline\'s buckets are written by its own roles and by AWS services named as service principals; an Allow to "*" (even conditioned) ' +
    'is one condition typo away from public and is refused by the public access block anyway.',
  fix: 'Name the principal: a role ARN, or a Service principal with aws:SourceAccount / aws:SourceArn conditions.',
  check(stack) {
    const out: Violation[] = [];
    for (const bucket of stack.byType('aws_s3_bucket')) {
      for (const { resource, statement: st, index } of bucketPolicyStatements(stack, bucket)) {
        if (st.effect === 'Allow' && hasAnyPrincipal(st)) {
          out.push({
            address: resource.address,
            subject: statementLabel(st, index),
            message: `statement ${statementLabel(st, index)} allows "*" principals on ${bucket.address}`,
          });
        } else if (st.effect === 'Allow' && unresolvedPrincipals(st).length) {
          out.push({
            address: resource.address,
            subject: statementLabel(st, index),
            outcome: 'unknown',
            message: `statement ${statementLabel(st, index)} allows ${unresolvedPrincipals(st).join(', ')}, known only at apply, on ${bucket.address}; it may be "*"`,
          });
        }
      }
    }
    return out;
  },
};
