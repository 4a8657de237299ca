// Identity policies never allow `kms:Decrypt` on every key.
import { Rule, Violation } from '../../types';
import { allowsCovering, ifCovering, isUnresolved, statementLabel } from '../../statements';

/** `*`, or a KMS ARN with a wildcard anywhere (any key, any region, any account). */
const anyKey = (resource: string) => resource === '*' || (/^arn:aws[a-z-]*:kms:/.test(resource) && resource.includes('*'));

export const NoKmsDecryptOnAnyKey: Rule = {
  id: 'SSMB-IAM-007',
  name: 'NoKmsDecryptOnAnyKey',
  service: 'iam',
  title: 'No `kms:Decrypt` on `*`',
  severity: 'high',
  rationale:
    'Decrypt on every key reads every secret, parameter, bucket and queue encrypted with a key whose policy delegates to IAM. ' +
    'Key policies are exempt: there `Resource: "*"` means the key itself.',
  fix: 'Name the key ARNs (e.g. the notification topic key) the principal decrypts with.',
  check(stack) {
    const out: Violation[] = [];
    const identity = stack.policies().uses.filter((u) => u.kind === 'identity');
    for (const at of allowsCovering(identity, 'kms:Decrypt')) {
      const { use, statement: st, index: i } = at;
      const broad = st.notResources.length ? ['NotResource'] : st.resources.filter(anyKey);
      const where = `${use.attribute} statement ${statementLabel(st, i)}`;
      // A reference to a key is that key; an expression naming no resource may be "*".
      const unresolved = st.resources.filter(isUnresolved);
      const found: Violation[] = broad.length
        ? [{ address: use.resource.address, subject: 'kms:Decrypt', message: `${where} allows kms:Decrypt on ${broad.join(', ')}` }]
        : unresolved.length
          ? [
              {
                address: use.resource.address,
                subject: 'kms:Decrypt',
                outcome: 'unknown',
                message: `${where} allows kms:Decrypt on ${unresolved.join(', ')}, known only at apply; it may be every key`,
              },
            ]
          : [];
      out.push(...ifCovering(at, 'kms:Decrypt', found));
    }
    return out;
  },
};
