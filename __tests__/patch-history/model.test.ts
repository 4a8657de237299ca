import { INSTANCES_PER_PAGE } from '../../stacks/capabilities/patch-history/definition';
import {
  DEFAULT_PROPS,
  PARTITION,
  RUN_ID,
  START_TIME,
  patch,
  reservation,
  runSnapshot,
  syntheticFleet,
} from '../../scripts/patch-history-executor';
import {
  HISTORY_EVENT_LIMIT,
  PAYLOAD_LIMIT_BYTES,
  PayloadShapes,
  maxInstancesWithinEvents,
  modelRun,
  statesEntered,
} from '../../scripts/patch-history-model';

const INSTANCE = 'i-00000000000000000';
const SHAPES: PayloadShapes = {
  patch: patch(50),
  reservation: reservation('r-00', [INSTANCE], DEFAULT_PROPS.tagKey),
  runId: RUN_ID,
  startTime: START_TIME,
  partition: PARTITION,
  instanceId: INSTANCE,
};

describe('patch-history run model against the local executor', () => {
  // Small fleets the executor runs: one instance page and several, one patch page and several.
  test.each([
    [0, 1],
    [1, 1],
    [1, 3],
    [3, 2],
    [INSTANCES_PER_PAGE + 5, 1],
    [2 * INSTANCES_PER_PAGE, 2],
  ])('%i instances x %i patch pages: states entered per type, iterations and peak payload', async (n, p) => {
    const run = await runSnapshot(syntheticFleet(n, p));
    expect(run.status).toBe('SUCCEEDED');
    const model = modelRun(SHAPES, n, p);
    const entered = Object.fromEntries(Object.entries(model.entered).filter(([, v]) => v > 0));
    expect(run.enteredByType).toEqual(entered);
    expect(run.mapIterations).toBe(model.mapIterations);
    // Patch titles differ in their digits from page to page: the model uses one representative patch.
    if (n === 0) expect(model.peakPayloadBytes).toBe(0);
    else expect(Math.abs(model.peakPayloadBytes - run.peakPayloadBytes) / run.peakPayloadBytes).toBeLessThan(0.01);
  });

  test('the counts grow by the per-page and per-instance figures the execution history shows', () => {
    const a = modelRun(SHAPES, 1000, 1).historyEvents;
    // Per extra patch page per instance: two Tasks (5 events each), a Pass and a Choice (2 each).
    expect(modelRun(SHAPES, 1000, 2).historyEvents - a).toBe(1000 * 14);
    expect(statesEntered(1000, 1).Map).toBe(1000 / INSTANCES_PER_PAGE);
  });
});

describe('the current design at fleet scale', () => {
  test('10,000 instances x 20 patch pages exceed the 25,000 history events of one execution', () => {
    const m = modelRun(SHAPES, 10_000, 20);
    expect(m.historyEvents).toBeGreaterThan(HISTORY_EVENT_LIMIT);
    // The largest fleet one execution can read: about a thousand instances at one page, far fewer at 20.
    expect(maxInstancesWithinEvents(1)).toBeLessThan(1100);
    expect(maxInstancesWithinEvents(20)).toBeLessThan(100);
  });

  test('a page of patches with 120 CVE ids each, held twice in state, exceeds the 256 KiB payload', () => {
    const cves = Array.from({ length: 120 }, (_, i) => `CVE-2025-${String(10000 + i)}`).join(',');
    const heavy = { ...SHAPES, patch: { ...SHAPES.patch, CVEIds: cves } };
    expect(modelRun(SHAPES, 10_000, 20).peakPayloadBytes).toBeLessThan(PAYLOAD_LIMIT_BYTES);
    expect(modelRun(heavy, 10_000, 20).peakPayloadBytes).toBeGreaterThan(PAYLOAD_LIMIT_BYTES);
  });
});
