// Every key policy delegates to the account root, so IAM policies govern the key and it never becomes unmanageable.
import { Rule, Violation } from '../../types';
import { coversAction, isAccountRoot } from '../../statements';

export const RootDelegation: Rule = {
  id: 'SSMB-KMS-002',
  name: 'RootDelegation',
  service: 'kms',
  title: 'Key policy delegates to the account root',
  severity: 'high',
  rationale:
    "The statement `Allow kms:* to arn:aws:iam::<account>:root` is the default key policy's delegation: without it no IAM policy can grant key use, " +
    'and a key nobody can administer can only be recovered by AWS Support. This is the accepted exception to SSMB-IAM-001.',
  fix: 'Start the key policy with Allow, Principal AWS = arn:aws:iam::<account>:root, Action kms:*, Resource * (CustomerKey does).',
  check(stack) {
    const out: Violation[] = [];
    // A key's own `policy`, or an aws_kms_key_policy resource that sets it.
    for (const key of [...stack.byType('aws_kms_key'), ...stack.byType('aws_kms_key_policy')]) {
      const use = stack.policies().uses.find((u) => u.resource === key);
      if (!use) {
        // A policy the checks cannot read (SSMB-POL-001 names why) may lack the delegation.
        const error = stack.policies().errors.find((e) => e.resource === key);
        if (error) out.push({ address: key.address, outcome: 'unknown', message: `key policy cannot be read (${error.error})` });
        // No policy: AWS applies the default key policy, which is exactly this delegation.
        continue;
      }
      const delegates = use.statements.some(
        (st) =>
          st.effect === 'Allow' &&
          (st.principals?.AWS ?? []).some((p) => isAccountRoot(p, stack.accountId)) &&
          coversAction(st, 'kms:PutKeyPolicy') &&
          coversAction(st, 'kms:Decrypt') &&
          st.resources.includes('*') &&
          st.conditions.length === 0,
      );
      if (!delegates) {
        out.push({
          address: key.address,
          message: `key policy has no unconditioned Allow of kms:* to ${stack.accountRoot ?? 'the account root'}`,
        });
      }
    }
    return out;
  },
};
