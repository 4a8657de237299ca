// Every instance and launch template requires IMDSv2 session tokens.
import { Rule, Violation } from '../../types';
import { block } from '../../statements';

export const Imdsv2Required: Rule = {
  id: 'SSMB-EC2-001',
  name: 'Imdsv2Required',
  service: 'ec2',
  title: 'IMDSv2 required',
  severity: 'high',
  rationale: 'IMDSv1 answers any request that reaches 169.254.169.254, so an SSRF bug hands out the instance role\'s credentials.',
  fix: 'Set metadata_options { http_tokens = "required" } (http_endpoint enabled, hop limit 1 or 2).',
  check(stack) {
    const out: Violation[] = [];
    for (const r of [...stack.byType('aws_instance'), ...stack.byType('aws_launch_template')]) {
      const m = block(r.values.metadata_options);
      if (m?.http_endpoint === 'disabled') continue;
      if (m?.http_tokens !== 'required') out.push({ address: r.address, message: `does not require IMDSv2 (http_tokens = ${m?.http_tokens ?? 'unset'})` });
    }
    return out;
  },
};
