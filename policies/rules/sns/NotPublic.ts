// No topic policy lets anyone (a `*` principal without an account, organization or source condition) use the topic.
import { Rule, Violation } from '../../types';
import { isPublicAllow, mayBePublicAllow, statementLabel, unresolvedPrincipals } from '../../statements';

export const NotPublic: Rule = {
  id: 'SSMB-SNS-003',
  name: 'NotPublic',
  service: 'sns',
  title: 'Topics never public',
  severity: 'critical',
  rationale: "A public topic lets anyone publish (spam with the baseline's name) or subscribe (read every notification).",
  fix: 'Replace the "*" principal with named principals, or restrict it with aws:SourceAccount / aws:PrincipalOrgID / aws:SourceArn.',
  check(stack) {
    const out: Violation[] = [];
    for (const use of stack.policies().uses) {
      if (use.guards !== 'aws_sns_topic') continue;
      use.statements.forEach((st, i) => {
        if (isPublicAllow(st))
          out.push({
            address: use.resource.address,
            subject: statementLabel(st, i),
            message: `statement ${statementLabel(st, i)} allows ${st.actions.join(', ')} to anyone`,
          });
        else if (mayBePublicAllow(st)) {
          out.push({
            address: use.resource.address,
            subject: statementLabel(st, i),
            outcome: 'unknown',
            message: `statement ${statementLabel(st, i)} allows ${st.actions.join(', ')} to ${unresolvedPrincipals(st).join(', ')}, known only at apply, without a source condition`,
          });
        }
      });
    }
    return out;
  },
};
