// No resource or trust policy lets anyone in: a `*` principal or a NotPrincipal in an Allow needs a condition that pins an account, organization or source.
import { Rule, Violation } from '../../types';
import type { PolicyUse, StackModel } from '../../model';
import { anyoneLabel, isPublicAllow, mayBePublicAllow, statementLabel, unresolvedPrincipals } from '../../statements';

/** Resources whose own rule already reports public statements (so one finding, one suppression). */
export const PUBLIC_RULE_OF: Record<string, string> = {
  aws_s3_bucket: 'SSMB-S3-007',
  aws_sns_topic: 'SSMB-SNS-003',
  aws_kms_key: 'SSMB-KMS-003',
};

/** SSMB-S3-007 reads bucket policies through the stack's buckets: a policy for a bucket declared elsewhere is this rule's. */
function coveredElsewhere(stack: StackModel, use: PolicyUse): boolean {
  if (use.guards !== 'aws_s3_bucket' || use.resource.type === 'aws_s3_bucket') return true;
  return stack.byType('aws_s3_bucket').some((b) => stack.refersTo(use.resource.values.bucket, b));
}

export const PublicResourcePolicy: Rule = {
  id: 'SSMB-POL-003',
  name: 'PublicResourcePolicy',
  service: 'policy',
  title: 'No resource or trust policy open to anyone',
  severity: 'critical',
  rationale:
    'An Allow to Principal "*" (or {"AWS": "*"}), or with NotPrincipal, admits every AWS account and, for many services, anonymous callers: ' +
    'a public queue, repository, secret or a role anyone can assume. Only aws:SourceAccount, aws:SourceArn, aws:SourceOwner, ' +
    'aws:PrincipalAccount, aws:PrincipalOrgID, aws:PrincipalArn, aws:SourceVpc(e) or kms:CallerAccount with a value that names one ' +
    'account, organization or resource restrict it; wildcard values (`*`, `arn:*`, `arn:aws:iam::*:*`, `o-*`) do not. ' +
    "The stack's own buckets, topics and keys have their own rules (SSMB-S3-007, SSMB-SNS-003, SSMB-KMS-003); boundaries (VPC endpoint, session policies) grant nothing.",
  fix: 'Name the principals (role ARNs, the account root, service principals), or add a condition pinning "*" to your account or organization (`StringEquals aws:PrincipalOrgID = o-...`).',
  check(stack) {
    const out: Violation[] = [];
    for (const use of stack.policies().uses) {
      if (use.kind !== 'resource' && use.kind !== 'trust') continue;
      if (use.guards && PUBLIC_RULE_OF[use.guards] && coveredElsewhere(stack, use)) continue;
      use.statements.forEach((st, i) => {
        const label = statementLabel(st, i);
        const actions = st.actions.length ? st.actions.join(', ') : `NotAction [${st.notActions.join(', ')}]`;
        if (isPublicAllow(st)) {
          out.push({
            address: use.resource.address,
            subject: label,
            message: `${use.attribute} statement ${label} allows ${actions} to ${anyoneLabel(st)}`,
          });
        } else if (mayBePublicAllow(st)) {
          out.push({
            address: use.resource.address,
            subject: label,
            outcome: 'unknown',
            message: `${use.attribute} statement ${label} allows ${actions} to ${unresolvedPrincipals(st).join(', ')}, known only at apply, without an account, organization or source condition`,
          });
        }
      });
    }
    return out;
  },
};
