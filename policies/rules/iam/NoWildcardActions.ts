// Allow statements name their actions: never `*`, never every action of a service (`s3:*`), never NotAction.
import { Rule, Violation } from '../../types';
import { isAccountRoot, isFullWildcard, statementLabel } from '../../statements';
import type { NormalStatement } from '../../document';
import { type StackModel, type PolicyUse, isExpression } from '../../model';

/**
 * The default key policy's root delegation (`kms:*` to the account root on the key
 * itself) is how a KMS key lets IAM policies decide; it grants nothing by itself, so
 * it is the one accepted `service:*`.
 */
function isKeyRootDelegation(stack: StackModel, use: PolicyUse, st: NormalStatement): boolean {
  if (use.guards !== 'aws_kms_key') return false;
  const principals = Object.entries(st.principals ?? {});
  return (
    principals.length === 1 &&
    principals[0][0] === 'AWS' &&
    principals[0][1].every((p) => isAccountRoot(p, stack.accountId)) &&
    st.actions.every((a) => a.toLowerCase() === 'kms:*') &&
    st.conditions.length === 0
  );
}

export const NoWildcardActions: Rule = {
  id: 'SSMB-IAM-001',
  name: 'NoWildcardActions',
  service: 'iam',
  title: 'No `*`, `service:*` or NotAction in Allow statements',
  severity: 'high',
  rationale:
    'A wildcard grants every action the service has or will ever add, including destructive and privilege-escalating ones. ' +
    'The KMS key-policy delegation of `kms:*` to the account root is accepted: it only lets IAM policies grant key use.',
  fix: 'List the exact actions the principal calls (see the service authorization reference); Deny statements may keep `service:*`.',
  check(stack) {
    const out: Violation[] = [];
    // A boundary (VPC endpoint, session policy) grants nothing: "*" there is AWS's default, not a grant.
    for (const use of stack.policies().uses.filter((u) => u.kind !== 'boundary')) {
      use.statements.forEach((st, i) => {
        if (st.effect !== 'Allow') return;
        const where = `${use.attribute} statement ${statementLabel(st, i)}`;
        if (st.notActions.length) {
          out.push({
            address: use.resource.address,
            subject: st.sid ?? 'NotAction',
            message: `${where} allows NotAction [${st.notActions.join(', ')}]: everything else is granted`,
          });
        }
        if (isKeyRootDelegation(stack, use, st)) return;
        for (const action of st.actions.filter(isFullWildcard)) {
          out.push({ address: use.resource.address, subject: action, message: `${where} allows "${action}"` });
        }
        for (const action of st.actions.filter(isExpression)) {
          out.push({
            address: use.resource.address,
            subject: action,
            outcome: 'unknown',
            message: `${where} allows "${action}", a Terraform expression known only at apply; it may be a wildcard`,
          });
        }
      });
    }
    return out;
  },
};
