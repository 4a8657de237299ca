// Security groups have no ingress rules at all.
import { Rule, Violation } from '../../types';
import { blocks } from '../../statements';

export const NoIngress: Rule = {
  id: 'SSMB-EC2-005',
  name: 'NoIngress',
  service: 'ec2',
  title: 'No ingress rules',
  severity: 'high',
  rationale:
    "The baseline's instances are reached through Session Manager, which needs only outbound HTTPS; any inbound rule is an unaudited path.",
  fix: 'Remove ingress blocks and ingress rule resources; keep egress to 443 (or VPC endpoints) for the SSM Agent.',
  check(stack) {
    const out: Violation[] = [];
    for (const sg of stack.byType('aws_security_group')) {
      const n = blocks(sg.values.ingress).length;
      if (n) out.push({ address: sg.address, message: `has ${n} ingress rule(s)` });
    }
    for (const r of stack.byType('aws_security_group_rule')) {
      if (r.values.type === 'ingress') out.push({ address: r.address, message: 'is an ingress rule' });
    }
    for (const r of stack.byType('aws_vpc_security_group_ingress_rule')) out.push({ address: r.address, message: 'is an ingress rule' });
    return out;
  },
};
