// No field of a state machine holds more intrinsic function calls than Step Functions accepts.
import { Rule, Violation } from '../../types';
import { intrinsicCalls, readableMachines, pathFields } from './machine';

/**
 * Step Functions service quotas ("Quotas related to state machine executions"):
 * at most 10 intrinsic functions in one field, nested calls included.
 * https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html
 */
export const MAX_INTRINSICS_PER_FIELD = 10;

export const IntrinsicsPerField: Rule = {
  id: 'SSMB-STATES-001',
  name: 'IntrinsicsPerField',
  service: 'states',
  title: `At most ${MAX_INTRINSICS_PER_FIELD} intrinsic function calls in one field`,
  severity: 'high',
  rationale:
    'Step Functions rejects a definition with more intrinsic functions in one field than its quota allows; local executors and validators accept it, so the failure would first show at apply.',
  fix: 'Split the computation: compute intermediate values in one field (or Pass state) and combine them in the next.',
  check(stack) {
    const out: Violation[] = [];
    for (const m of readableMachines(stack, out)) {
      for (const { path, state } of m.states) {
        for (const { field, expression } of pathFields(state)) {
          const n = intrinsicCalls(expression);
          if (n > MAX_INTRINSICS_PER_FIELD)
            out.push({
              address: m.resource.address,
              subject: `${path}.${field}`,
              message: `state ${path} field ${field} holds ${n} intrinsic function calls (at most ${MAX_INTRINSICS_PER_FIELD})`,
            });
        }
      }
    }
    return out;
  },
};
