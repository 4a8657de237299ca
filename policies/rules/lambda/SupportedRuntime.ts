// Every function runs on a Lambda runtime that AWS still supports today; within
// WARN_DAYS of the deprecation date it is a warning, which does not fail the run, so the
// passage of time alone never turns CI red without notice.
import { Rule, Violation } from '../../types';
import { isExpression } from '../../model';

/**
 * Deprecation dates of Lambda runtimes (AWS Lambda developer guide, "Lambda runtimes").
 * A runtime is supported until its date. Runtimes missing here are reported as unknown,
 * so a new one is added deliberately.
 */
export const RUNTIME_DEPRECATION: Record<string, string> = {
  'nodejs24.x': '2028-04-30',
  'nodejs22.x': '2027-04-30',
  'nodejs20.x': '2026-04-30',
  'nodejs18.x': '2025-09-01',
  'nodejs16.x': '2024-06-12',
  'nodejs14.x': '2023-12-04',
  'nodejs12.x': '2023-03-31',
  'python3.14': '2029-06-30',
  'python3.13': '2029-06-30',
  'python3.12': '2028-10-31',
  'python3.11': '2026-06-30',
  'python3.10': '2026-06-30',
  'python3.9': '2025-12-15',
  'python3.8': '2024-10-14',
  'python3.7': '2023-12-04',
  java25: '2029-06-30',
  java21: '2029-06-30',
  java17: '2026-06-30',
  java11: '2026-06-30',
  'java8.al2': '2026-06-30',
  java8: '2024-01-08',
  dotnet10: '2028-11-14',
  dotnet8: '2026-11-10',
  dotnet6: '2024-12-20',
  'ruby3.4': '2028-03-31',
  'ruby3.3': '2027-03-31',
  'ruby3.2': '2026-03-31',
  'provided.al2023': '2029-06-30',
  'provided.al2': '2026-06-30',
  provided: '2024-01-08',
  'go1.x': '2024-01-08',
};

/** How long before a runtime's deprecation date the rule warns. */
export const WARN_DAYS = 180;

const DAY_MS = 24 * 60 * 60 * 1000;

export const SupportedRuntime: Rule = {
  id: 'SSMB-LAMBDA-001',
  name: 'SupportedRuntime',
  service: 'lambda',
  title: 'Supported Lambda runtime',
  severity: 'high',
  rationale:
    'A deprecated runtime gets no security patches, and AWS later blocks creating and updating its functions, which breaks the next deploy. ' +
    `Within ${WARN_DAYS} days of the deprecation date the rule warns without failing the run; from the date on it fails.`,
  fix: 'Move to a supported runtime (LAMBDA_RUNTIME in stacks/constructs/notifier-function.ts); update RUNTIME_DEPRECATION when AWS publishes new dates.',
  check(stack, env) {
    const out: Violation[] = [];
    const today = env.now.toISOString().slice(0, 10);
    for (const fn of stack.byType('aws_lambda_function')) {
      const runtime = fn.values.runtime;
      if (runtime === undefined || runtime === null) {
        if (fn.values.package_type !== 'Image') out.push({ address: fn.address, message: 'has no runtime' });
        continue;
      }
      if (isExpression(runtime)) {
        out.push({ address: fn.address, subject: runtime, outcome: 'unknown', message: `uses runtime ${runtime}, known only at apply` });
        continue;
      }
      const until = RUNTIME_DEPRECATION[runtime];
      if (!until) out.push({ address: fn.address, subject: runtime, message: `uses runtime ${runtime}, which this rule does not know` });
      else if (until <= today)
        out.push({ address: fn.address, subject: runtime, message: `uses runtime ${runtime}, deprecated since ${until}` });
      else {
        const days = Math.round((Date.parse(until) - Date.parse(today)) / DAY_MS);
        if (days <= WARN_DAYS)
          out.push({
            address: fn.address,
            subject: runtime,
            outcome: 'warning',
            message: `uses runtime ${runtime}, deprecated on ${until} (in ${days} days); the rule fails from that date`,
          });
      }
    }
    return out;
  },
};
