// The S3 state backend uses no DynamoDB lock table.
import { Rule } from '../../types';
import { backendAddress, s3Backend } from './backend';

export const NoDynamoDbLock: Rule = {
  id: 'SSMB-BACKEND-003',
  name: 'NoDynamoDbLock',
  service: 'backend',
  title: 'No DynamoDB lock table',
  severity: 'low',
  rationale:
    'DynamoDB locking is deprecated in favour of use_lockfile; a table is one more resource per account to bootstrap, secure and pay for.',
  fix: 'Remove dynamodb_table (and dynamodb_endpoint); keep use_lockfile = true.',
  check(stack) {
    const b = s3Backend(stack);
    return b && (b.dynamodb_table || b.dynamodb_endpoint)
      ? [{ address: backendAddress(stack), message: `uses the DynamoDB lock table ${b.dynamodb_table ?? b.dynamodb_endpoint}` }]
      : [];
  },
};
