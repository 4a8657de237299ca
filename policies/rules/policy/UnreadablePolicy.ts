// Every policy document is one the checks can read: an aws_iam_policy_document or a JSON string.
import { Rule } from '../../types';

export const UnreadablePolicy: Rule = {
  id: 'SSMB-POL-001',
  name: 'UnreadablePolicy',
  service: 'policy',
  title: 'Policy documents readable by the checks',
  severity: 'high',
  rationale:
    'A policy the checks cannot parse (an HCL jsonencode(...) expression, malformed JSON) is a policy nobody reviewed; every other rule would pass it silently. ' +
    "Every resource attribute the AWS provider's schema names as a policy is read (policies/policy-attributes.json); one not yet classified as identity, trust, resource or boundary is reported as could not tell.",
  fix:
    'Build the document with PolicyDocument (aws_iam_policy_document) or pass a JSON string (JSON.stringify), not Fn.jsonencode. ' +
    'A policy attribute the checks have not classified: add it to CLASSIFICATION in scripts/policy-attributes.ts and regenerate policies/policy-attributes.json.',
  check(stack) {
    // A policy of an unclassified kind may be fine: the checks could not tell.
    return stack.policies().errors.map((e) => ({
      address: e.resource.address,
      subject: e.attribute,
      message: `${e.attribute}: ${e.error}`,
      ...(e.unclassified ? { outcome: 'unknown' as const } : {}),
    }));
  },
};
