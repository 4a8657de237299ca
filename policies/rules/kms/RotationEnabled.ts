// Every symmetric customer-managed key rotates its key material.
import { Rule, Violation } from '../../types';
import { isTrue } from '../../statements';

export const RotationEnabled: Rule = {
  id: 'SSMB-KMS-001',
  name: 'RotationEnabled',
  service: 'kms',
  title: 'Key rotation on',
  severity: 'medium',
  rationale: 'Automatic rotation limits how much data one key version protects; AWS keeps old versions, so nothing breaks.',
  fix: 'Set enable_key_rotation = true (CustomerKey does).',
  check(stack) {
    const out: Violation[] = [];
    for (const key of stack.byType('aws_kms_key')) {
      const spec = key.values.customer_master_key_spec ?? 'SYMMETRIC_DEFAULT';
      // Asymmetric and HMAC keys cannot rotate automatically.
      if (spec !== 'SYMMETRIC_DEFAULT') continue;
      if (!isTrue(key.values.enable_key_rotation))
        out.push({ address: key.address, message: 'does not rotate (enable_key_rotation is not true)' });
    }
    return out;
  },
};
