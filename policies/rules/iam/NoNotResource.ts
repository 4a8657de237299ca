// Allow statements name their resources: never NotResource, which grants every resource but the listed ones.
import { Rule, Violation } from '../../types';
import { statementLabel } from '../../statements';

export const NoNotResource: Rule = {
  id: 'SSMB-IAM-008',
  name: 'NoNotResource',
  service: 'iam',
  title: 'No NotResource in Allow statements',
  severity: 'high',
  rationale:
    'An Allow with NotResource grants its actions on every resource except the listed ones, including every resource created later and ' +
    'those of other accounts a resource policy lets in; the rules that judge Resource (SSMB-IAM-003, -004, -007) cannot bound it. ' +
    'Deny statements may use NotResource ("deny everything except").',
  fix: 'Replace NotResource with Resource naming the ARNs the principal uses; keep exceptions in a Deny.',
  check(stack) {
    const out: Violation[] = [];
    for (const use of stack.policies().uses) {
      use.statements.forEach((st, i) => {
        if (st.effect !== 'Allow' || st.notResources.length === 0) return;
        const label = statementLabel(st, i);
        const actions = st.actions.length ? st.actions.join(', ') : `NotAction [${st.notActions.join(', ')}]`;
        out.push({
          address: use.resource.address,
          subject: st.sid ?? 'NotResource',
          message: `${use.attribute} statement ${label} allows ${actions} on NotResource [${st.notResources.join(', ')}]: every other resource`,
        });
      });
    }
    return out;
  },
};
