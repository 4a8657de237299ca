// No key policy allows a `*` principal without an account, organization or source condition.
import { Rule, Violation } from '../../types';
import { isPublicAllow, mayBePublicAllow, statementLabel, unresolvedPrincipals } from '../../statements';

export const NoPublicPrincipal: Rule = {
  id: 'SSMB-KMS-003',
  name: 'NoPublicPrincipal',
  service: 'kms',
  title: 'No unconditioned `*` principal in key policies',
  severity: 'critical',
  rationale:
    'A key policy Allow to "*" lets every AWS account use (or administer) the key, so encryption no longer limits who reads the data.',
  fix: 'Name the principals (the account root, service principals) or restrict "*" with kms:CallerAccount / aws:PrincipalOrgID.',
  check(stack) {
    const out: Violation[] = [];
    for (const use of stack.policies().uses) {
      if (use.guards !== 'aws_kms_key') continue;
      use.statements.forEach((st, i) => {
        if (isPublicAllow(st))
          out.push({
            address: use.resource.address,
            subject: statementLabel(st, i),
            message: `key policy statement ${statementLabel(st, i)} allows ${st.actions.join(', ')} to "*"`,
          });
        else if (mayBePublicAllow(st)) {
          out.push({
            address: use.resource.address,
            subject: statementLabel(st, i),
            outcome: 'unknown',
            message: `key policy statement ${statementLabel(st, i)} allows ${st.actions.join(', ')} to ${unresolvedPrincipals(st).join(', ')}, known only at apply, without an account condition`,
          });
        }
      });
    }
    return out;
  },
};
