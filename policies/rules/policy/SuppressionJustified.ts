// Every suppression names a known rule and gives a reason of at least 10 characters.
import { Rule, Violation } from '../../types';
import { validateSuppressions } from '../../suppressions';
import { backendAddress } from '../backend/backend';

export const SuppressionJustified: Rule = {
  id: 'SSMB-POL-002',
  name: 'SuppressionJustified',
  service: 'policy',
  title: 'Suppressions carry a reason',
  severity: 'high',
  rationale:
    'A suppression is an accepted risk; without a written reason (and a rule that exists) nobody can review or revisit it. An invalid suppression suppresses nothing.',
  fix: 'Call suppress(resource, "<rule id>", "<why this is acceptable, at least 10 characters>", [subjects]).',
  // A suppression of this rule would hide the invalid suppression it reports.
  suppressible: false,
  check(stack, env) {
    const out: Violation[] = [];
    const report = (address: string, raw: unknown[]) => {
      for (const problem of validateSuppressions(raw, env.ruleIds).problems) out.push({ address, message: problem });
    };
    for (const r of stack.resources) report(r.address, r.suppressions);
    report(backendAddress(stack), stack.stackSuppressions);
    return out;
  },
};
