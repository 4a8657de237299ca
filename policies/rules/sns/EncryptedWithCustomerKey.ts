// Every topic is encrypted with a customer-managed KMS key.
import { Rule, Violation } from '../../types';
import { isExpression, references } from '../../model';
import { isUnresolved } from '../../statements';

export const EncryptedWithCustomerKey: Rule = {
  id: 'SSMB-SNS-001',
  name: 'EncryptedWithCustomerKey',
  service: 'sns',
  title: 'Topics encrypted with a customer-managed KMS key',
  severity: 'high',
  rationale:
    'Notifications carry instance names, errors and who logged in. The AWS-managed key `alias/aws/sns` cannot be used by EventBridge or CloudWatch ' +
    '(its policy cannot be changed), so only a customer-managed key gives both encryption and working publishers.',
  fix: 'Set kms_master_key_id to a CustomerKey (aws_kms_key) whose policy lets the publishing services use it (NotificationTopic does).',
  check(stack) {
    const out: Violation[] = [];
    for (const topic of stack.byType('aws_sns_topic')) {
      const key = topic.values.kms_master_key_id;
      if (typeof key !== 'string' || key === '') {
        out.push({ address: topic.address, message: 'is not encrypted (no kms_master_key_id)' });
      } else if (/alias\/aws\//.test(key)) {
        out.push({ address: topic.address, message: `uses the AWS-managed key ${key}` });
      } else if (isUnresolved(key)) {
        out.push({
          address: topic.address,
          outcome: 'unknown',
          message: `kms_master_key_id ${key} is known only at apply; it may be the AWS-managed key`,
        });
      } else if (isExpression(key) && !references(key).some((r) => r.type === 'aws_kms_key' || r.type === 'aws_kms_alias')) {
        out.push({ address: topic.address, message: `kms_master_key_id ${key} is not a KMS key of the stack` });
      }
    }
    return out;
  },
};
