import { DEFAULT_PROPS, PARTITION, RUN_ID, START_TIME, patch, reservation, stateTransitions } from '../patch-history-executor';
import { HISTORY_EVENT_LIMIT, PAYLOAD_LIMIT_BYTES, PayloadShapes, maxInstancesWithinEvents, modelRun } from '../patch-history-model';

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

export interface LimitFigure {
  instances: number;
  pagesPerInstance: number;
  /** What a patch holds (`1 CVE id`, `120 CVE ids`). */
  patchShape: string;
  historyEvents: number;
  historyEventLimit: number;
  peakPayloadBytes: number;
  payloadLimitBytes: number;
  /** Largest fleet one execution reads inside the event quota at this many pages. */
  maxInstancesWithinEvents: number;
}

/**
 * History events and peak state payload of one run of the current (inline Map)
 * definition at fleet scale, from scripts/patch-history-model.ts (checked against the
 * local executor for small fleets); too large to execute.
 */
export function limitFigures(instances = 10_000, pages = 20): LimitFigure[] {
  const shapes = (cves: number): PayloadShapes => ({
    patch: { ...patch(50), CVEIds: Array.from({ length: cves }, (_, i) => `CVE-2025-${10000 + i}`).join(',') },
    reservation: reservation('r-00', ['i-00000000000000000'], DEFAULT_PROPS.tagKey),
    runId: RUN_ID,
    startTime: START_TIME,
    partition: PARTITION,
    instanceId: 'i-00000000000000000',
  });
  return [1, 120].map((cves) => {
    const m = modelRun(shapes(cves), instances, pages);
    return {
      instances,
      pagesPerInstance: pages,
      patchShape: cves === 1 ? '1 CVE id' : `${cves} CVE ids`,
      historyEvents: m.historyEvents,
      historyEventLimit: HISTORY_EVENT_LIMIT,
      peakPayloadBytes: m.peakPayloadBytes,
      payloadLimitBytes: PAYLOAD_LIMIT_BYTES,
      maxInstancesWithinEvents: maxInstancesWithinEvents(pages),
    };
  });
}
