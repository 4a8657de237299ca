// Every policy document is one the checks can read: an aws_iam_policy_document or a JSON string.
import { Rule } from '../../types';

export const UnreadablePolicy: Rule = {
  id: 'SSMB-POL-001',
  name: 'UnreadablePolicy',
  service: 'policy',
  title: 'Policy documents readable by the checks',
  severity: 'high',
  rationale:
    'A policy the checks cannot parse (an HCL jsonencode(...) expression, malformed JSON) is a policy nobody reviewed; every other rule would pass it silently.',
  fix: 'Build the document with PolicyDocument (aws_iam_policy_document) or pass a JSON string (JSON.stringify), not Fn.jsonencode.',
  check(stack) {
    return stack
      .policies()
      .errors.map((e) => ({ address: e.resource.address, subject: e.attribute, message: `${e.attribute}: ${e.error}` }));
  },
};
