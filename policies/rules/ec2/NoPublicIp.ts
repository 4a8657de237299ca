// No instance gets a public IP address.
import { Rule, Violation } from '../../types';
import { blocks, isTrue } from '../../statements';

export const NoPublicIp: Rule = {
  id: 'SSMB-EC2-003',
  name: 'NoPublicIp',
  service: 'ec2',
  title: 'No public IP',
  severity: 'high',
  rationale: 'Session Manager needs no inbound path; a public address only adds exposure. Left unset, the subnet\'s auto-assign setting decides, so it must be explicitly false.',
  fix: 'Set associate_public_ip_address = false and reach the instance through Session Manager (VPC endpoints or a NAT for egress).',
  check(stack) {
    const out: Violation[] = [];
    for (const i of stack.byType('aws_instance')) {
      const v = i.values.associate_public_ip_address;
      if (v !== false && v !== 'false') out.push({ address: i.address, message: `associate_public_ip_address is ${v ?? 'unset (the subnet decides)'}` });
    }
    for (const t of stack.byType('aws_launch_template')) {
      for (const ni of blocks(t.values.network_interfaces)) {
        if (isTrue(ni.associate_public_ip_address)) out.push({ address: t.address, message: 'a network interface associates a public IP' });
      }
    }
    return out;
  },
};
