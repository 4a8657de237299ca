import { stateTransitions } from '../patch-history-executor';

/** Step Functions Standard: USD 0.025 per 1,000 state transitions (us-east-1 list price). */
export const USD_PER_TRANSITION = 0.025 / 1000;
/** Runs a month with the default weekly snapshot schedule. */
export const RUNS_PER_MONTH = 52 / 12;

export interface StateMachineFigure {
  instances: number;
  pagesPerInstance: number;
  transitions: number;
  costPerRun: number;
  costPerMonth: number;
}

/**
 * Transitions per run of the patch-history machine, counted by executing the real
 * definition in the execution tests' local executor (states entered plus retries,
 * which Step Functions bills alike).
 */
export async function stateMachineFigures(instances = [1, 10, 100], pages = [1, 3]): Promise<StateMachineFigure[]> {
  const out: StateMachineFigure[] = [];
  for (const n of instances) {
    for (const p of pages) {
      const transitions = await stateTransitions(n, p);
      const costPerRun = transitions * USD_PER_TRANSITION;
      out.push({ instances: n, pagesPerInstance: p, transitions, costPerRun, costPerMonth: costPerRun * RUNS_PER_MONTH });
    }
  }
  return out;
}
