/**
 * What one run of the patch-snapshot machine (stacks/capabilities/patch-history/definition.ts)
 * costs in execution history events and state payload, for N instances with P full pages
 * of patches each and no errors, without running it: the fleet sizes the local executor
 * cannot run in a test (10,000 instances) are computed from the states each instance and
 * page enters. `__tests__/patch-history/model.test.ts` checks the states entered and the
 * peak payload against the executor for small fleets.
 *
 * Events per state type follow the history event types of the Step Functions API
 * (https://docs.aws.amazon.com/step-functions/latest/apireference/API_HistoryEvent.html):
 * a Task emits TaskStateEntered, TaskScheduled, TaskStarted, TaskSucceeded,
 * TaskStateExited; a Pass or Choice its Entered and Exited; an inline Map MapStateEntered,
 * MapStateStarted, MapStateSucceeded, MapStateExited and, per item, MapIterationStarted
 * and MapIterationSucceeded; the execution ExecutionStarted and ExecutionSucceeded.
 * Retries add events (TaskFailed, TaskScheduled, ...) and are left out: this is the
 * floor of a clean run. Quotas: 25,000 history events per execution and 256 KiB per
 * state payload (Step Functions developer guide, "Step Functions service quotas",
 * https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html).
 */
import { INSTANCES_PER_PAGE, PATCHES_PER_PAGE } from '../stacks/capabilities/patch-history/definition';

export const HISTORY_EVENT_LIMIT = 25_000;
export const PAYLOAD_LIMIT_BYTES = 256 * 1024;

/** History events per state entered, by state type (a Map's per-item events are counted apart). */
export const EVENTS_PER_STATE = { Task: 5, Pass: 2, Choice: 2, Map: 4, Succeed: 2, Fail: 1 } as const;
export const EVENTS_PER_MAP_ITERATION = 2;
export const EVENTS_PER_EXECUTION = 2;

export type StateType = keyof typeof EVENTS_PER_STATE;

export interface RunModel {
  readonly instances: number;
  readonly patchPages: number;
  /** States entered per type, iterations included. */
  readonly entered: Record<'Task' | 'Pass' | 'Choice' | 'Map', number>;
  readonly mapIterations: number;
  readonly historyEvents: number;
  /** Largest state input or output in bytes (UTF-8 JSON). */
  readonly peakPayloadBytes: number;
}

/** States entered by a clean run over `instances` instances listed `perPage` at a time, each with `pages` patch pages (>= 1). */
export function statesEntered(instances: number, pages: number, perPage = INSTANCES_PER_PAGE): RunModel['entered'] {
  if (!Number.isInteger(pages) || pages < 1) throw new Error(`patch pages must be a positive integer, got ${pages}`);
  const n = instances;
  if (n === 0) {
    // Start, Partition, ListInstances, CountInstances, MoreInstances, LastInstancePage, BuildSummary, WriteSummary, AnyFailed, Done.
    return { Pass: 5, Task: 2, Choice: 3, Map: 0 };
  }
  const i = Math.ceil(n / perPage);
  return {
    // Start, Partition, BuildSummary, Done; per instance page: One/SeveralInstances, StartTally, Next/LastInstancePage;
    // per instance: TallyInstance, InstanceDone, and BuildPage per patch page.
    Pass: 4 + 3 * i + n * (2 + pages),
    // ListInstances / ListMoreInstances per instance page, WriteSummary; per patch page: Describe(More)Patches, WritePage.
    Task: i + 1 + n * 2 * pages,
    // CountInstances, MoreInstances and the final Tally per instance page, AnyFailed; per instance: Tally; per patch page: MorePatches.
    Choice: 3 * i + 1 + n * (1 + pages),
    Map: i,
  };
}

export function historyEvents(entered: RunModel['entered'], mapIterations: number): number {
  return (
    EVENTS_PER_EXECUTION +
    (Object.keys(entered) as Array<keyof RunModel['entered']>).reduce((sum, t) => sum + entered[t] * EVENTS_PER_STATE[t], 0) +
    mapIterations * EVENTS_PER_MAP_ITERATION
  );
}

export interface PayloadShapes {
  /** One patch as DescribeInstancePatches returns it. */
  readonly patch: object;
  /** One reservation as DescribeInstances returns it (one instance per reservation). */
  readonly reservation: Record<string, unknown>;
  readonly runId: string;
  readonly startTime: string;
  readonly partition: string;
  readonly instanceId: string;
}

const bytes = (v: unknown) => Buffer.byteLength(JSON.stringify(v), 'utf8');

/**
 * The largest state of a run, from the definition's data flow: inside an iteration, at
 * WritePage, a full patch page is held twice (`$.result.Patches` and the record being
 * written); at top level, during the tally, the raw DescribeInstances page, the ids and
 * the per-instance results. Neither grows with the number of instances or patch pages.
 */
export function peakPayloadBytes(s: PayloadShapes, instances: number, pages: number, perPage = INSTANCES_PER_PAGE): number {
  if (instances === 0) return 0;
  const page = Array.from({ length: PATCHES_PER_PAGE }, () => s.patch);
  const run = { id: s.runId, snapshot_time: s.startTime, partition: s.partition };
  const iteration = {
    instance_id: s.instanceId,
    run,
    progress: {
      pages,
      patches: pages * PATCHES_PER_PAGE,
      written_pages: pages - 1,
      written_patches: (pages - 1) * PATCHES_PER_PAGE,
      record: { instance_id: s.instanceId, snapshot_time: s.startTime, run_id: s.runId, page: pages, patches: page },
    },
    result: { Patches: page, NextToken: `${s.instanceId}-page-${pages}` },
  };
  const k = Math.min(instances, perPage);
  const top = {
    run,
    acc: { instances, pages: instances * pages, patches: instances * pages * PATCHES_PER_PAGE, failed: 0, instance_pages: 1, i: k, n: k },
    listing: { Reservations: Array.from({ length: k }, () => s.reservation), NextToken: 'ec2-page-1' },
    batch: { ids: Array.from({ length: k }, () => s.instanceId) },
    results: Array.from({ length: k }, () => [pages, pages * PATCHES_PER_PAGE, 0]),
  };
  return Math.max(bytes(iteration), bytes(top));
}

/** The whole model of one clean run. */
export function modelRun(shapes: PayloadShapes, instances: number, patchPages: number, perPage = INSTANCES_PER_PAGE): RunModel {
  const entered = statesEntered(instances, patchPages, perPage);
  return {
    instances,
    patchPages,
    entered,
    mapIterations: instances,
    historyEvents: historyEvents(entered, instances),
    peakPayloadBytes: peakPayloadBytes(shapes, instances, patchPages, perPage),
  };
}

/** Largest fleet (instances, at `patchPages` pages each) a run can read inside the history event quota. */
export function maxInstancesWithinEvents(patchPages: number, perPage = INSTANCES_PER_PAGE): number {
  let lo = 0;
  let hi = 1;
  const fits = (n: number) => historyEvents(statesEntered(n, patchPages, perPage), n) <= HISTORY_EVENT_LIMIT;
  while (fits(hi)) hi *= 2;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (fits(mid)) lo = mid;
    else hi = mid;
  }
  return lo;
}
