// SNS and Lambda targets take no `role_arn`: EventBridge reaches them through their resource policies.
import { Rule, Violation } from '../../types';
import { arnOfKind, isUnresolved } from '../../statements';

export const NoRoleOnResourcePolicyTargets: Rule = {
  id: 'SSMB-EVENTS-002',
  name: 'NoRoleOnResourcePolicyTargets',
  service: 'events',
  title: 'No `role_arn` on SNS or Lambda targets',
  severity: 'medium',
  rationale:
    'SNS topics and Lambda functions authorize EventBridge by resource policy scoped to the rule ARN. A role on such a target is an extra, broader ' +
    'grant to maintain, and hides a missing resource-policy statement.',
  fix: 'Remove role_arn; admit the rule in the topic policy (aws:SourceArn) or with aws_lambda_permission (source_arn).',
  check(stack) {
    const out: Violation[] = [];
    for (const t of stack.byType('aws_cloudwatch_event_target')) {
      const arn = String(t.values.arn ?? '');
      const kind = arnOfKind(arn, /^arn:aws[a-z-]*:sns:/, ['aws_sns_topic'])
        ? 'SNS topic'
        : arnOfKind(arn, /^arn:aws[a-z-]*:lambda:/, ['aws_lambda_function', 'aws_lambda_alias'])
          ? 'Lambda function'
          : undefined;
      if (!t.values.role_arn) continue;
      if (kind) out.push({ address: t.address, message: `targets a ${kind} with role_arn ${t.values.role_arn}` });
      else if (isUnresolved(arn))
        out.push({
          address: t.address,
          outcome: 'unknown',
          message: `has role_arn ${t.values.role_arn} and targets ${arn}, known only at apply; it may be an SNS topic or a Lambda function`,
        });
    }
    return out;
  },
};
