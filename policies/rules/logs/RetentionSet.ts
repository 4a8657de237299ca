// Every log group has a retention.
import { Rule, Violation } from '../../types';

export const RetentionSet: Rule = {
  id: 'SSMB-LOGS-001',
  name: 'RetentionSet',
  service: 'logs',
  title: 'Log group retention set',
  severity: 'medium',
  rationale: 'Log groups default to "never expire": cost grows forever and logs outlive the retention the organization promised.',
  fix: 'Set retention_in_days (config logRetentionDays; default 365).',
  check(stack) {
    return stack
      .byType('aws_cloudwatch_log_group')
      .filter((g) => !(Number(g.values.retention_in_days) > 0))
      .map((g): Violation => ({ address: g.address, message: 'never expires (retention_in_days unset or 0)' }));
  },
};
