// Every Task calls a service integration that exists: an SDK action IAM knows, an optimized integration, a Lambda function or an activity.
import { isExpression, references } from '../../model';
import { Rule, Violation } from '../../types';
import { iamActionOf, readableMachines, sdkIntegration } from './machine';

/**
 * Optimized integrations (Step Functions developer guide, "Integrating optimized
 * services"), as `service:action`; each may end in one of its documented suffixes.
 */
export const OPTIMIZED_INTEGRATIONS: Record<string, readonly string[]> = {
  'lambda:invoke': ['', '.waitForTaskToken'],
  'sns:publish': ['', '.waitForTaskToken'],
  'sqs:sendMessage': ['', '.waitForTaskToken'],
  'dynamodb:getItem': [''],
  'dynamodb:putItem': [''],
  'dynamodb:updateItem': [''],
  'dynamodb:deleteItem': [''],
  'events:putEvents': ['', '.waitForTaskToken'],
  'states:startExecution': ['', '.sync', '.sync:2', '.waitForTaskToken'],
  'ecs:runTask': ['', '.sync', '.waitForTaskToken'],
  'batch:submitJob': ['', '.sync'],
  'glue:startJobRun': ['', '.sync'],
  'athena:startQueryExecution': ['', '.sync'],
  'athena:getQueryExecution': [''],
  'athena:getQueryResults': [''],
  'athena:stopQueryExecution': [''],
  'codebuild:startBuild': ['', '.sync'],
  'apigateway:invoke': ['', '.waitForTaskToken'],
  'http:invoke': [''],
  'bedrock:invokeModel': [''],
};

const LAMBDA_ARN = /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]+(?::[A-Za-z0-9_$-]+)?$/;
const ACTIVITY_ARN = /^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:activity:[A-Za-z0-9_-]+$/;
const OPTIMIZED = /^arn:aws[a-z-]*:states:::([a-z0-9-]+:[A-Za-z0-9]+)((?:\.[A-Za-z]+(?::\d)?)?)$/;

export const KnownIntegrations: Rule = {
  id: 'SSMB-STATES-002',
  name: 'KnownIntegrations',
  service: 'states',
  title: 'Every Task calls a known service integration',
  severity: 'high',
  rationale:
    'A misspelled service, action or integration ARN passes local executors and validators, and fails only when the run reaches the state (or when Step Functions validates the definition at apply).',
  fix: 'Use arn:aws:states:::aws-sdk:<service>:<action> with an action the service has (camelCase), a documented optimized integration, or a Lambda function / activity ARN.',
  check(stack, env) {
    const out: Violation[] = [];
    for (const m of readableMachines(stack, out)) {
      for (const { path, state } of m.states) {
        if (state.Type !== 'Task') continue;
        const r = state.Resource;
        const report = (message: string, outcome?: 'unknown') =>
          out.push({ address: m.resource.address, subject: path, message: `Task ${path} ${message}`, ...(outcome ? { outcome } : {}) });
        if (typeof r !== 'string') {
          report(`has Resource ${JSON.stringify(r)}, not an ARN`);
          continue;
        }
        if (isExpression(r)) {
          // A reference to a Lambda function of the stack is a Lambda ARN; anything else is known only at apply.
          const refs = references(r);
          if (
            refs.length === 1 &&
            refs[0].type === 'aws_lambda_function' &&
            /^\$\{[^}]+\}$/.test(r) &&
            ['arn', 'qualified_arn'].includes(refs[0].attribute ?? '')
          )
            continue;
          report(`has Resource ${r}, known only at apply`, 'unknown');
          continue;
        }
        const sdk = sdkIntegration(r);
        if (sdk) {
          const action = iamActionOf(sdk.service, sdk.action);
          const svc = action.split(':')[0];
          if (!/^[a-z]/.test(sdk.action)) report(`calls ${sdk.service}:${sdk.action}: SDK integrations spell the action in camelCase`);
          else if (!env.catalog.serviceExists(svc)) report(`calls service "${sdk.service}", which IAM does not know (${r})`);
          else if (!env.catalog.exists(action))
            report(`calls ${sdk.service}:${sdk.action}, which the service does not have (no ${action})`);
          continue;
        }
        if (LAMBDA_ARN.test(r) || ACTIVITY_ARN.test(r)) continue;
        const opt = OPTIMIZED.exec(r);
        if (opt && OPTIMIZED_INTEGRATIONS[opt[1]]?.includes(opt[2])) continue;
        report(`has Resource ${r}, which is no SDK integration, documented optimized integration, Lambda function or activity ARN`);
      }
    }
    return out;
  },
};
