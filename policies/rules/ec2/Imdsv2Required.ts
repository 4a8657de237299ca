// Every instance and launch template requires IMDSv2 session tokens. An instance without
// metadata_options of its own gets its launch template's.
import { Rule, Violation } from '../../types';
import { Values } from '../../model';
import { block } from '../../statements';
import { effective, fromTemplate, launchTemplateOf } from './launch-template';

function imdsProblem(m: Values | undefined): string | undefined {
  if (m?.http_endpoint === 'disabled') return undefined;
  if (m?.http_tokens !== 'required') return `does not require IMDSv2 (http_tokens = ${m?.http_tokens ?? 'unset'})`;
  return undefined;
}

export const Imdsv2Required: Rule = {
  id: 'SSMB-EC2-001',
  name: 'Imdsv2Required',
  service: 'ec2',
  title: 'IMDSv2 required',
  severity: 'high',
  rationale: "IMDSv1 answers any request that reaches 169.254.169.254, so an SSRF bug hands out the instance role's credentials.",
  fix: 'Set metadata_options { http_tokens = "required" } (http_endpoint enabled, hop limit 1 or 2).',
  check(stack) {
    const out: Violation[] = [];
    for (const i of stack.byType('aws_instance')) {
      const m = effective(i, launchTemplateOf(stack, i), (v) => block(v.metadata_options));
      const problem = imdsProblem(m.value);
      if (problem) out.push({ address: i.address, message: `${problem}${fromTemplate(m)}` });
    }
    for (const t of stack.byType('aws_launch_template')) {
      const problem = imdsProblem(block(t.values.metadata_options));
      if (problem) out.push({ address: t.address, message: problem });
    }
    return out;
  },
};
