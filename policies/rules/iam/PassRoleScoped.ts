// `iam:PassRole` names the roles it passes and the service it passes them to (`iam:PassedToService`).
import { Rule, Violation } from '../../types';
import { allowsCovering, arnOfKind, ifCovering, conditionValues, statementLabel } from '../../statements';

export const PassRoleScoped: Rule = {
  id: 'SSMB-IAM-004',
  name: 'PassRoleScoped',
  service: 'iam',
  title: '`iam:PassRole` only on named roles, with `iam:PassedToService`',
  severity: 'critical',
  rationale:
    'Passing any role to any service is privilege escalation: the caller can hand an administrator role to a Lambda or an EC2 instance it controls.',
  fix: 'Set Resource to the exact role ARNs and add a condition `StringEquals iam:PassedToService = <service>.amazonaws.com`.',
  check(stack) {
    const out: Violation[] = [];
    const identity = stack.policies().uses.filter((u) => u.kind === 'identity');
    for (const at of allowsCovering(identity, 'iam:PassRole')) {
      const { use, statement: st, index: i } = at;
      const where = `${use.attribute} statement ${statementLabel(st, i)}`;
      const loose = st.notResources.length
        ? ['NotResource']
        : st.resources.filter((r) => r.includes('*') || !arnOfKind(r, /^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/, ['aws_iam_role']));
      const found: Violation[] = [];
      if (loose.length || st.resources.length === 0) {
        found.push({
          address: use.resource.address,
          subject: 'iam:PassRole',
          message: `${where} passes roles other than named ones: ${loose.join(', ') || '(no Resource)'}`,
        });
      }
      if (conditionValues(st, 'iam:PassedToService').filter((v) => !v.includes('*')).length === 0) {
        found.push({
          address: use.resource.address,
          subject: 'iam:PassRole',
          message: `${where} allows iam:PassRole without an iam:PassedToService condition`,
        });
      }
      out.push(...ifCovering(at, 'iam:PassRole', found));
    }
    return out;
  },
};
