// Identity policies never allow `kms:Decrypt` on every key.
import { Rule, Violation } from '../../types';
import { allowsCovering, statementLabel } from '../../statements';

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
    for (const { use, statement: st, index: i } of allowsCovering(identity, 'kms:Decrypt')) {
      const broad = st.notResources.length ? ['NotResource'] : st.resources.filter(anyKey);
      if (broad.length) {
        out.push({ address: use.resource.address, subject: 'kms:Decrypt', message: `${use.attribute} statement ${statementLabel(st, i)} allows kms:Decrypt on ${broad.join(', ')}` });
      }
    }
    return out;
  },
};
