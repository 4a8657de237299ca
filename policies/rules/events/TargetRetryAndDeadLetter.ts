// Every EventBridge target has a retry policy and a dead-letter queue.
import { Rule, Violation } from '../../types';
import { block } from '../../statements';

export const TargetRetryAndDeadLetter: Rule = {
  id: 'SSMB-EVENTS-001',
  name: 'TargetRetryAndDeadLetter',
  service: 'events',
  title: 'Targets retry and dead-letter',
  severity: 'high',
  rationale:
    'Without a dead-letter queue, an event EventBridge could not deliver (throttling, a KMS or policy mistake) is dropped after retries with no trace.',
  fix: 'Set retry_policy (maximum_event_age_in_seconds, maximum_retry_attempts) and dead_letter_config.arn on the target (EventRule does).',
  check(stack) {
    const out: Violation[] = [];
    for (const t of stack.byType('aws_cloudwatch_event_target')) {
      if (!block(t.values.retry_policy)) out.push({ address: t.address, subject: 'retry_policy', message: 'has no retry_policy' });
      if (!block(t.values.dead_letter_config)?.arn)
        out.push({ address: t.address, subject: 'dead_letter_config', message: 'has no dead_letter_config' });
    }
    return out;
  },
};
