// Every permission that lets an AWS service invoke a function names the source (`source_arn`).
import { Rule, Violation } from '../../types';
import { isExpression } from '../../model';

export const InvokePermissionScoped: Rule = {
  id: 'SSMB-LAMBDA-004',
  name: 'InvokePermissionScoped',
  service: 'lambda',
  title: 'Invoke permissions carry `source_arn`',
  severity: 'high',
  rationale:
    'A permission for events.amazonaws.com without source_arn lets any EventBridge rule of any account invoke the function (confused deputy).',
  fix: 'Set source_arn to the rule (or bucket, topic) ARN; for S3 also source_account (NotifierFunction.allowEventBridgeRule does).',
  check(stack) {
    const out: Violation[] = [];
    for (const p of stack.byType('aws_lambda_permission')) {
      const principal = String(p.values.principal ?? '');
      if (isExpression(principal)) {
        out.push({
          address: p.address,
          subject: principal,
          outcome: 'unknown',
          message: `lets ${principal}, known only at apply, invoke the function${p.values.source_arn ? '' : ' without source_arn'}`,
        });
      } else if (principal === '*') {
        out.push({ address: p.address, subject: principal, message: 'lets anyone invoke the function' });
      } else if (principal.endsWith('.amazonaws.com') && !p.values.source_arn) {
        out.push({ address: p.address, subject: principal, message: `lets ${principal} invoke the function without source_arn` });
      }
    }
    return out;
  },
};
