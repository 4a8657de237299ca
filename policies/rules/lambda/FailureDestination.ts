// Every function sends failed asynchronous invocations to an on-failure destination or a dead-letter queue.
import { Rule, Violation } from '../../types';
import { block } from '../../statements';

export const FailureDestination: Rule = {
  id: 'SSMB-LAMBDA-003',
  name: 'FailureDestination',
  service: 'lambda',
  title: 'On-failure destination or dead-letter queue',
  severity: 'high',
  rationale:
    "An asynchronous invocation that still fails after Lambda's retries is dropped; a notification the function could not send would vanish silently.",
  fix: 'Add aws_lambda_function_event_invoke_config with destination_config.on_failure.destination (the shared DLQ; NotifierFunction does), or dead_letter_config.target_arn.',
  check(stack) {
    const out: Violation[] = [];
    for (const fn of stack.byType('aws_lambda_function')) {
      const dlq = block(fn.values.dead_letter_config)?.target_arn;
      const onFailure = stack
        .byType('aws_lambda_function_event_invoke_config')
        .filter((c) => stack.refersTo(c.values.function_name, fn))
        .some((c) => !!block(block(block(c.values.destination_config)?.on_failure))?.destination);
      if (!dlq && !onFailure)
        out.push({
          address: fn.address,
          message: 'drops failed asynchronous invocations (no on-failure destination, no dead-letter queue)',
        });
    }
    return out;
  },
};
