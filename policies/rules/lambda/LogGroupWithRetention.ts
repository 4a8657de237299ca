// Every function writes to a log group the stack manages, with a retention.
import { Rule, Violation } from '../../types';
import { block } from '../../statements';

export const LogGroupWithRetention: Rule = {
  id: 'SSMB-LAMBDA-002',
  name: 'LogGroupWithRetention',
  service: 'lambda',
  title: 'Function log group managed, with retention',
  severity: 'medium',
  rationale:
    'Lambda otherwise creates /aws/lambda/<name> itself on first run: never expiring, untagged, and outside Terraform (a destroy leaves it behind).',
  fix: 'Declare aws_cloudwatch_log_group for the function (logging_config.log_group or /aws/lambda/<function_name>) with retention_in_days (NotifierFunction does).',
  check(stack) {
    const out: Violation[] = [];
    for (const fn of stack.byType('aws_lambda_function')) {
      const configured = block(fn.values.logging_config)?.log_group;
      const wanted = configured ?? (typeof fn.values.function_name === 'string' ? `/aws/lambda/${fn.values.function_name}` : undefined);
      const group = stack
        .byType('aws_cloudwatch_log_group')
        .find((g) => (configured !== undefined && stack.refersTo(configured, g)) || g.values.name === wanted);
      if (!group) {
        out.push({ address: fn.address, message: `has no managed log group (${wanted ?? 'unknown name'})` });
      } else if (!(Number(group.values.retention_in_days) > 0)) {
        out.push({ address: fn.address, message: `log group ${group.address} never expires (no retention_in_days)` });
      }
    }
    return out;
  },
};
