// No instance is launched with an SSH key pair: access goes through Session Manager only.
import { Rule, Violation } from '../../types';
import { effective, fromTemplate, launchTemplateOf } from './launch-template';

export const NoKeyPair: Rule = {
  id: 'SSMB-EC2-004',
  name: 'NoKeyPair',
  service: 'ec2',
  title: 'No key pair on instances',
  severity: 'high',
  rationale:
    'A key pair is a credential outside IAM: not audited by Session Manager, not revoked with the user, and usable if a port is ever opened.',
  fix: 'Remove key_name (and aws_key_pair); connect with `aws ssm start-session`.',
  check(stack) {
    const out: Violation[] = [];
    for (const i of stack.byType('aws_instance')) {
      // key_name "" on the instance does not override the template's key.
      const key = effective(i, launchTemplateOf(stack, i), (v) => v.key_name || undefined);
      if (key.value) out.push({ address: i.address, message: `uses key pair ${key.value}${fromTemplate(key)}` });
    }
    for (const t of stack.byType('aws_launch_template')) {
      if (t.values.key_name) out.push({ address: t.address, message: `uses key pair ${t.values.key_name}` });
    }
    for (const k of stack.byType('aws_key_pair')) out.push({ address: k.address, message: 'declares an SSH key pair' });
    return out;
  },
};
