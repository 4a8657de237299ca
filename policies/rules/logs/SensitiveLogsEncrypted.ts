// Log groups holding sensitive data (Session Manager transcripts, or tagged DataClassification sensitive/confidential) are encrypted with a KMS key.
import { Rule, Violation } from '../../types';
import type { Resource, StackModel } from '../../model';

const SENSITIVE_CLASSIFICATIONS = ['sensitive', 'confidential', 'restricted'];

/** Why a log group counts as sensitive, or undefined. */
function sensitivity(stack: StackModel, group: Resource): string | undefined {
  const tags = { ...(group.values.tags ?? {}) } as Record<string, unknown>;
  const classification = Object.entries(tags).find(([k]) => k.toLowerCase() === 'dataclassification')?.[1];
  if (typeof classification === 'string' && SENSITIVE_CLASSIFICATIONS.includes(classification.toLowerCase()))
    return `tagged DataClassification=${classification}`;
  const name = group.values.name;
  for (const doc of stack.byType('aws_ssm_document')) {
    if (doc.values.document_type !== 'Session' || typeof doc.values.content !== 'string') continue;
    const content = doc.values.content;
    if (content.includes(`${group.type}.${group.name}.`) || (typeof name === 'string' && content.includes(JSON.stringify(name)))) {
      return `receives Session Manager transcripts (${doc.address})`;
    }
  }
  return undefined;
}

export const SensitiveLogsEncrypted: Rule = {
  id: 'SSMB-LOGS-002',
  name: 'SensitiveLogsEncrypted',
  service: 'logs',
  title: 'Sensitive log groups encrypted with KMS',
  severity: 'high',
  rationale:
    'Session transcripts contain everything typed and printed on the bastion, secrets included. A customer-managed key adds an access check ' +
    "(and an audit trail) on top of the log group's IAM permissions.",
  fix: 'Set kms_key_id to a CustomerKey whose policy allows logs.<region>.amazonaws.com with the kms:EncryptionContext:aws:logs:arn condition.',
  check(stack) {
    const out: Violation[] = [];
    for (const group of stack.byType('aws_cloudwatch_log_group')) {
      const why = sensitivity(stack, group);
      if (why && !group.values.kms_key_id) out.push({ address: group.address, message: `${why} but is not encrypted with a KMS key` });
    }
    return out;
  },
};
