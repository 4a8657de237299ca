/**
 * What one run of the patch-snapshot machine (stacks/capabilities/patch-history/definition.ts)
 * costs in execution history events, state payload, state transitions, S3 requests and
 * time, for N managed nodes with P full pages of patches each and no errors, without
 * running it: the fleet sizes the local executor cannot run in a test (10,000 nodes) are
 * computed from the states each execution enters. `__tests__/patch-history/model.test.ts`
 * checks the states entered (parent and every child) and the peak payloads against the
 * executor for small fleets.
 *
 * A run is one parent execution plus one child execution per node (a distributed Map
 * runs each item as an execution with its own history). Each has its own 25,000-event
 * quota. Events per state type follow the history event types of the Step Functions
 * API (https://docs.aws.amazon.com/step-functions/latest/apireference/API_HistoryEvent.html):
 * a Task emits TaskStateEntered, TaskScheduled, TaskStarted, TaskSucceeded,
 * TaskStateExited; a Pass or Choice its Entered and Exited; a Succeed state its Entered
 * and Exited; a distributed Map MapStateEntered, MapStateStarted, MapRunStarted,
 * MapRunSucceeded, MapStateSucceeded, MapStateExited (its items run in child
 * executions, not in the parent's history); every execution ExecutionStarted and
 * ExecutionSucceeded. Retries add events and are left out: this is the floor of a
 * clean run. Quotas: 25,000 history events per execution and 256 KiB per state
 * payload (Step Functions developer guide, "Step Functions service quotas").
 */
import { NODES_PER_PAGE, PATCHES_PER_PAGE } from '../stacks/capabilities/patch-history/definition';

export const HISTORY_EVENT_LIMIT = 25_000;
export const PAYLOAD_LIMIT_BYTES = 256 * 1024;

/** History events per state entered, by state type. */
export const EVENTS_PER_STATE = { Task: 5, Pass: 2, Choice: 2, Map: 6, Succeed: 2, Fail: 1 } as const;
export const EVENTS_PER_EXECUTION = 2;

export type StateType = keyof typeof EVENTS_PER_STATE;
export type Entered = Partial<Record<StateType, number>>;

/** States the parent enters over `nodes` nodes listed `perPage` at a time (full pages). */
export function parentStatesEntered(nodes: number, perPage = NODES_PER_PAGE): Entered {
  if (nodes === 0) {
    // Start, Partition, BuildManifest, Done; ListNodes, WriteManifest; CountNodes, MoreNodes, AnyFailed.
    return { Pass: 4, Task: 2, Choice: 3 };
  }
  const l = Math.ceil(nodes / perPage);
  return {
    // Start, Partition, BuildManifest, Done; per listing page One/SeveralNodes and CountPage.
    Pass: 4 + 2 * l,
    // WriteManifest; per listing page List(More)Nodes and DescribeMapRun.
    Task: 1 + 2 * l,
    // AnyFailed; per listing page CountNodes and MoreNodes.
    Choice: 1 + 2 * l,
    Map: l,
  };
}

/** States a child enters for a scanned node with `pages` (>= 1) pages of patches, or a never-scanned node. */
export function childStatesEntered(pages: number, scanned = true): Entered {
  if (!scanned) return { Task: 2, Choice: 2, Pass: 1, Succeed: 1 };
  if (!Number.isInteger(pages) || pages < 1) throw new Error(`patch pages must be a positive integer, got ${pages}`);
  return {
    // ReadPatchState, WriteRecord; per page Describe(More)Patches and WritePage.
    Task: 2 + 2 * pages,
    // Scanned, Recorded; per page PageShape and MorePatches.
    Choice: 2 + 2 * pages,
    // PatchStateDefaults, PatchState, Complete; per page Build(Last)Page and PageWritten.
    Pass: 3 + 2 * pages,
    Succeed: 1,
  };
}

export function historyEvents(entered: Entered): number {
  return EVENTS_PER_EXECUTION + (Object.keys(entered) as StateType[]).reduce((s, t) => s + (entered[t] ?? 0) * EVENTS_PER_STATE[t], 0);
}

export const transitions = (entered: Entered): number => Object.values(entered).reduce((s, n) => s + (n ?? 0), 0);

export interface PayloadShapes {
  /** One patch as DescribeInstancePatches returns it. */
  readonly patch: object;
  /** One InstanceInformation entry as DescribeInstanceInformation returns it. */
  readonly node: object;
  /** One InstancePatchState as DescribeInstancePatchStates returns it. */
  readonly patchState: Record<string, unknown>;
  readonly bucket: string;
  readonly prefix: string;
  readonly runId: string;
  readonly startTime: string;
  readonly partition: string;
  readonly instanceId: string;
  readonly mapRunArn: string;
}

const bytes = (v: unknown) => Buffer.byteLength(JSON.stringify(v), 'utf8');

/**
 * The parent's largest state: after the Map, a full listing page (raw response), its
 * ids and the Map Run's counts. It does not grow with the fleet.
 */
export function parentPeakBytes(s: PayloadShapes, nodes: number): number {
  if (nodes === 0) return 0;
  const k = Math.min(nodes, NODES_PER_PAGE);
  return bytes({
    date: ['2025', '03', '07'],
    acc: { nodes, failed: 0, listing_pages: Math.ceil(nodes / NODES_PER_PAGE) },
    run: { id: s.runId, snapshot_time: s.startTime, partition: s.partition },
    map_results_prefix: `${s.prefix}/_runs/${s.partition}/${s.runId}/map`,
    listing: { InstanceInformationList: Array.from({ length: k }, () => s.node), NextToken: 'x'.repeat(200) },
    batch: { ids: Array.from({ length: k }, () => s.instanceId) },
    map: { map_run_arn: s.mapRunArn },
  });
}

/**
 * A child's largest payload: the state holding one raw page (Build(Last)Page's input),
 * or WritePage's request, whose Body is the page record as a JSON string. One page, never
 * two: the record replaces the raw response.
 */
export function childPeakBytes(s: PayloadShapes): number {
  const patches = Array.from({ length: PATCHES_PER_PAGE }, () => s.patch);
  const run = { id: s.runId, snapshot_time: s.startTime, partition: s.partition };
  const ps = Object.fromEntries(Object.entries(s.patchState).filter(([k]) => k !== 'InstanceId'));
  const state = {
    instance_id: s.instanceId,
    run,
    progress: { pages: 19, patches: 1900 },
    ps,
    result: { Patches: patches, NextToken: 'x'.repeat(200) },
  };
  const record = { instance_id: s.instanceId, snapshot_time: s.startTime, run_id: s.runId, page: 20, patches };
  const request = {
    Bucket: s.bucket,
    Key: `${s.prefix}/${s.partition}/instanceid=${s.instanceId}/${s.runId}-20.json`,
    Body: JSON.stringify(record),
    ContentType: 'application/json',
  };
  return Math.max(bytes(state), bytes(request));
}

/** Step Functions Standard: USD 0.025 per 1,000 state transitions after the free tier (us-east-1 list price). */
export const USD_PER_TRANSITION = 0.025 / 1000;
/** Free tier: 4,000 state transitions a month (per account, shared by every machine). */
export const FREE_TRANSITIONS_PER_MONTH = 4000;
/** S3 Standard PUT requests: USD 0.005 per 1,000 (us-east-1). */
export const USD_PER_PUT = 0.005 / 1000;
/** Runs a month with the default weekly snapshot schedule. */
export const RUNS_PER_MONTH = 52 / 12;
/** Files a Map Run's ResultWriter writes when every child succeeds: manifest.json and SUCCEEDED_0.json. */
export const RESULT_FILES_PER_MAP_RUN = 2;
/** Assumed wall time of one SDK call from a Task (request, response, state bookkeeping), for the duration estimate. */
export const SECONDS_PER_TASK = 0.25;

export interface RunModel {
  readonly nodes: number;
  readonly patchPages: number;
  readonly parent: { entered: Entered; historyEvents: number; peakPayloadBytes: number };
  readonly child: { entered: Entered; historyEvents: number; peakPayloadBytes: number };
  /** State transitions billed for one run: the parent's and every child's. */
  readonly transitions: number;
  /** S3 PUT requests of one run: pages, instance records, the manifest, the Map Runs' result files. */
  readonly puts: number;
  /** Estimated wall time at `maxConcurrency`: listing pages one after another, each page's children `maxConcurrency` at a time. */
  readonly estimatedSeconds: number;
}

/** The whole model of one clean run (every node scanned, `patchPages` full pages each). */
export function modelRun(shapes: PayloadShapes, nodes: number, patchPages: number, maxConcurrency = 2): RunModel {
  const parentEntered = parentStatesEntered(nodes);
  const childEntered = childStatesEntered(patchPages);
  const listingPages = Math.max(1, Math.ceil(nodes / NODES_PER_PAGE));
  const mapRuns = nodes === 0 ? 0 : listingPages;
  const childSeconds = (childEntered.Task ?? 0) * SECONDS_PER_TASK;
  const perPage = Math.min(nodes, NODES_PER_PAGE);
  return {
    nodes,
    patchPages,
    parent: { entered: parentEntered, historyEvents: historyEvents(parentEntered), peakPayloadBytes: parentPeakBytes(shapes, nodes) },
    child: { entered: childEntered, historyEvents: historyEvents(childEntered), peakPayloadBytes: childPeakBytes(shapes) },
    transitions: transitions(parentEntered) + nodes * transitions(childEntered),
    puts: nodes * (patchPages + 1) + 1 + mapRuns * RESULT_FILES_PER_MAP_RUN,
    estimatedSeconds:
      (parentEntered.Task ?? 0) * SECONDS_PER_TASK + mapRuns * Math.ceil(perPage / Math.max(1, maxConcurrency)) * childSeconds,
  };
}

/** Largest fleet whose parent stays inside the event quota, and the most patch pages a child can hold. */
export function limits(): { maxNodes: number; maxPatchPages: number } {
  const perListingPage = historyEvents(parentStatesEntered(2 * NODES_PER_PAGE)) - historyEvents(parentStatesEntered(NODES_PER_PAGE));
  const parentFixed = historyEvents(parentStatesEntered(NODES_PER_PAGE)) - perListingPage;
  const perPatchPage = historyEvents(childStatesEntered(2)) - historyEvents(childStatesEntered(1));
  const childFixed = historyEvents(childStatesEntered(1)) - perPatchPage;
  return {
    maxNodes: Math.floor((HISTORY_EVENT_LIMIT - parentFixed) / perListingPage) * NODES_PER_PAGE,
    maxPatchPages: Math.floor((HISTORY_EVENT_LIMIT - childFixed) / perPatchPage),
  };
}

export interface CostRow {
  readonly nodes: number;
  readonly patchPages: number;
  readonly transitionsPerRun: number;
  readonly putsPerRun: number;
  /** USD a month at the weekly default: transitions past the free tier, plus PUT requests. */
  readonly usdPerMonth: number;
  readonly usdTransitionsPerMonth: number;
  readonly usdPutsPerMonth: number;
}

/** Cost per month at the weekly default for each fleet size (API calls themselves are free). */
export function costRows(shapes: PayloadShapes, fleets: readonly number[] = [100, 1_000, 10_000], patchPages = 1): CostRow[] {
  return fleets.map((n) => {
    const m = modelRun(shapes, n, patchPages);
    const usdTransitionsPerMonth = Math.max(0, m.transitions * RUNS_PER_MONTH - FREE_TRANSITIONS_PER_MONTH) * USD_PER_TRANSITION;
    const usdPutsPerMonth = m.puts * RUNS_PER_MONTH * USD_PER_PUT;
    return {
      nodes: n,
      patchPages,
      transitionsPerRun: m.transitions,
      putsPerRun: m.puts,
      usdTransitionsPerMonth,
      usdPutsPerMonth,
      usdPerMonth: usdTransitionsPerMonth + usdPutsPerMonth,
    };
  });
}
