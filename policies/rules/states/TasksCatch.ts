// Every Task and Map inside an iteration catches its errors; at top level, one without a Catch says it fails the run on purpose.
import { Rule, Violation } from '../../types';
import { readableMachines } from './machine';

/** What a top-level Task or Map without a Catch must say in its Comment: its error ends the run, on purpose. */
export const FAILS_RUN_MARKER = 'Fails the run:';

export const TasksCatch: Rule = {
  id: 'SSMB-STATES-003',
  name: 'TasksCatch',
  service: 'states',
  title: 'Tasks and Maps catch errors where the run must survive them',
  severity: 'high',
  rationale:
    "An uncaught error inside a Map iteration fails the whole Map and the run with it: one bad item loses every other item. At top level an uncaught error ends the run, which must be the definition's stated intent, not an accident.",
  fix: `Add a Catch (States.ALL or the specific errors) that records the failure and ends the iteration normally; at top level either catch, or start the state's Comment with "${FAILS_RUN_MARKER}" and the reason.`,
  check(stack) {
    const out: Violation[] = [];
    for (const m of readableMachines(stack, out)) {
      for (const { path, state, nested } of m.states) {
        if (state.Type !== 'Task' && state.Type !== 'Map') continue;
        if (Array.isArray(state.Catch) && state.Catch.some((c: any) => Array.isArray(c?.ErrorEquals) && c.ErrorEquals.length > 0)) continue;
        if (nested) {
          out.push({
            address: m.resource.address,
            subject: path,
            message: `${state.Type} ${path} runs inside an iteration without a Catch: one error fails every other item`,
          });
        } else if (!(typeof state.Comment === 'string' && state.Comment.startsWith(FAILS_RUN_MARKER))) {
          out.push({
            address: m.resource.address,
            subject: path,
            message: `${state.Type} ${path} has no Catch and its Comment does not start with "${FAILS_RUN_MARKER}"`,
          });
        }
      }
    }
    return out;
  },
};
