// No instance gets a public IP address.
import { Rule, Violation } from '../../types';
import { blocks, isTrue } from '../../statements';
import { effective, fromTemplate, launchTemplateOf } from './launch-template';

export const NoPublicIp: Rule = {
  id: 'SSMB-EC2-003',
  name: 'NoPublicIp',
  service: 'ec2',
  title: 'No public IP',
  severity: 'high',
  rationale:
    "Session Manager needs no inbound path; a public address only adds exposure. Left unset, the subnet's auto-assign setting decides, so it must be explicitly false.",
  fix: 'Set associate_public_ip_address = false and reach the instance through Session Manager (VPC endpoints or a NAT for egress).',
  check(stack) {
    const out: Violation[] = [];
    for (const i of stack.byType('aws_instance')) {
      // Unset on the instance, the template's primary network interface decides, unless
      // the instance names a subnet: then the provider sends a network interface of its
      // own (subnet, groups, public IP setting), which replaces the template's.
      const template = i.values.subnet_id === undefined ? launchTemplateOf(stack, i) : undefined;
      const v = effective(
        i,
        template,
        (values) =>
          values.associate_public_ip_address ??
          blocks(values.network_interfaces).find((ni) => Number(ni.device_index ?? 0) === 0)?.associate_public_ip_address,
      );
      if (v.value !== false && v.value !== 'false')
        out.push({
          address: i.address,
          message: `associate_public_ip_address is ${v.value ?? 'unset (the subnet decides)'}${fromTemplate(v)}`,
        });
    }
    for (const t of stack.byType('aws_launch_template')) {
      for (const ni of blocks(t.values.network_interfaces)) {
        if (isTrue(ni.associate_public_ip_address)) out.push({ address: t.address, message: 'a network interface associates a public IP' });
      }
    }
    return out;
  },
};
