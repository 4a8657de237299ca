import { readFileSync } from 'fs';
import { join } from 'path';
import { patchHistoryModelMarkdown } from '../../scripts/bench/state-machine';
import { EXECUTION_TIMEOUT_SECONDS, NODES_PER_PAGE } from '../../stacks/capabilities/patch-history/definition';
import { modelShapes, runSnapshot, syntheticFleet } from '../../scripts/patch-history-executor';
import {
  HISTORY_EVENT_LIMIT,
  PAYLOAD_LIMIT_BYTES,
  PayloadShapes,
  childStatesEntered,
  costRows,
  limits,
  modelRun,
  parentStatesEntered,
} from '../../scripts/patch-history-model';

const SHAPES: PayloadShapes = modelShapes();
const nonZero = (e: Record<string, number | undefined>) => Object.fromEntries(Object.entries(e).filter(([, v]) => v));

describe('patch-history run model against the local executor (parent and every child)', () => {
  // Small fleets the executor runs: one listing page and several, one patch page and several.
  test.each([
    [0, 1],
    [1, 1],
    [1, 3],
    [3, 2],
    [NODES_PER_PAGE + 5, 1],
  ])('%i nodes x %i patch pages: states entered per execution, transitions and peak payloads', async (n, p) => {
    const run = await runSnapshot(syntheticFleet(n, p));
    expect(run.status).toBe('SUCCEEDED');
    const model = modelRun(SHAPES, n, p);
    expect(run.enteredByType).toEqual(nonZero(model.parent.entered));
    expect(run.children).toHaveLength(n);
    for (const c of run.children) expect(c.enteredByType).toEqual(nonZero(model.child.entered));
    expect(run.totalTransitions).toBe(model.transitions);
    expect(run.mapRuns).toHaveLength(n === 0 ? 0 : Math.ceil(n / NODES_PER_PAGE));
    if (n === 0) return;
    // Patch titles differ in their digits from page to page: the model uses one representative patch.
    const childPeak = Math.max(...run.children.map((c) => c.peakPayloadBytes), run.peakTaskInputBytes);
    expect(Math.abs(model.child.peakPayloadBytes - childPeak) / childPeak).toBeLessThan(0.03);
    // The parent's listing token and counters differ from the model's fixed stand-ins by a few bytes.
    expect(Math.abs(model.parent.peakPayloadBytes - run.peakPayloadBytes) / run.peakPayloadBytes).toBeLessThan(0.03);
  });

  test('S3 requests: a page per patch page, a record per node, a manifest, two result files per Map Run', async () => {
    const run = await runSnapshot(syntheticFleet(3, 2));
    expect(run.calls.filter((c) => c.startsWith('s3:PutObject'))).toHaveLength(modelRun(SHAPES, 3, 2).puts);
  });

  test('a never-scanned node enters the states the model says', async () => {
    const run = await runSnapshot({ nodes: [{ id: 'i-new', patchState: null }] });
    expect(run.children[0].enteredByType).toEqual(nonZero(childStatesEntered(1, false)));
  });
});

describe('the design at fleet scale: 10,000 nodes x 20 patch pages', () => {
  const m = modelRun(SHAPES, 10_000, 20);

  test('every execution stays inside 25,000 history events', () => {
    expect(parentStatesEntered(10_000).Map).toBe(200);
    expect(m.parent.historyEvents).toBe(4817);
    expect(m.child.historyEvents).toBe(384);
    expect(m.parent.historyEvents).toBeLessThan(HISTORY_EVENT_LIMIT);
    expect(m.child.historyEvents).toBeLessThan(HISTORY_EVENT_LIMIT);
    // Headroom: the parent holds about 52,000 nodes, a child about 1,380 pages of patches.
    expect(limits().maxNodes).toBeGreaterThan(50_000);
    expect(limits().maxPatchPages).toBeGreaterThan(1000);
  });

  test('no state payload reaches 256 KiB, even with 120 CVE ids per patch', () => {
    expect(m.parent.peakPayloadBytes).toBeLessThan(PAYLOAD_LIMIT_BYTES / 4);
    expect(modelRun(modelShapes(120), 10_000, 20).child.peakPayloadBytes).toBeLessThan(PAYLOAD_LIMIT_BYTES);
  });

  test('the run finishes well inside its timeout at the default concurrency (estimate)', () => {
    expect(m.estimatedSeconds).toBeLessThan(EXECUTION_TIMEOUT_SECONDS);
  });
});

describe('cost per month at the weekly default', () => {
  test('grows linearly with the fleet, transitions counted in parent and children', () => {
    const rows = costRows(SHAPES);
    expect(rows.map((r) => r.nodes)).toEqual([100, 1000, 10_000]);
    expect(rows[2].transitionsPerRun).toBe(modelRun(SHAPES, 10_000, 1).transitions);
    expect(rows[2].usdPerMonth).toBeGreaterThan(rows[1].usdPerMonth * 9);
  });
});

describe('BENCHMARKS.md', () => {
  test("the patch-history limits and cost tables are the model's current figures", () => {
    const md = readFileSync(join(__dirname, '..', '..', 'BENCHMARKS.md'), 'utf8');
    expect(md).toContain(patchHistoryModelMarkdown());
  });
});
