import { DUCKDB, namedQueries } from '../../stacks/capabilities/patch-history/queries';
import { INSTANCES_FAILED_ERROR } from '../../stacks/capabilities/patch-history/definition';
import { Fleet, Node, Patch, RunResult, fleet, node, patch, patchState, runSnapshot } from '../../scripts/patch-history-executor';
import { PatchHistoryDb } from '../helpers/duckdb';

// The saved queries on what executed runs of the state machine wrote: three weekly runs
// of the local executor (parent, distributed Map stand-in, child executions) over a fleet
// that changes between runs, every object loaded into DuckDB as Athena reads it.
// What this does not prove: the stand-in's limits (scripts/patch-history-executor.ts,
// header) — how the service schedules child executions, the exact ResultWriter files,
// IAM of the children — and Athena itself (only the partition-date fragment of the text
// differs, see query-sql.test.ts; the OpenX SerDe is emulated by the DuckDB loader).
const WIN = 'i-0123456789abcdef0'; // a missing patch installed between the first and second run
const LNX = 'i-0fedcba9876543210'; // compliant every week
const RESET = 'i-0a1b2c3d4e5f60718'; // scanned in the first run, no patch state afterwards (not_scanned)
const BIG = 'i-0b2c3d4e5f6a7b8c9'; // two pages of patches; fails on its second page in the second run
const HYB = 'mi-0123456789abcdef0'; // on-premises node (hybrid activation), one patch missing every week
const GONE = 'i-09f8e7d6c5b4a3210'; // listed, deregistered before it is read (unmanaged)

// Weekly runs, Mondays; the second starts just before midnight and its children after it:
// every record lands in the partition of the run's start.
const R1 = {
  runId: '5f0d3a52-7c1e-4b8a-9d2f-0e6b1c4a7d31',
  startTime: '2025-03-03T03:00:00.123Z',
  finishedTime: '2025-03-03T03:04:12.310Z',
};
const R2 = {
  runId: 'a9c41e07-2b6d-4f53-8e1a-7d2c9b0f4e68',
  startTime: '2025-03-10T23:59:58.412Z',
  childStartTime: '2025-03-11T00:00:03.051Z',
  finishedTime: '2025-03-11T00:05:40.902Z',
};
const R3 = {
  runId: 'e3b7f2c8-6a15-4d90-b4e2-1c8f5a3d9b07',
  startTime: '2025-03-17T03:00:00.215Z',
  finishedTime: '2025-03-17T03:03:55.004Z',
};

/** The node's patch state after the scan that ended at `end` (two hours before the run, say). */
const scanned = (id: string, end: string) =>
  patchState(id, { OperationStartTime: end.replace(/:\d\d\.\d+Z$/, ':00.000Z'), OperationEndTime: end });
const missing = (n: number): Patch => patch(n, 'Missing');
/** 150 patches: two pages of DescribeInstancePatches (100 a page); 100 missing on page 1, 240 on page 2. */
const bigPatches = (installed100: boolean): Patch[] =>
  Array.from({ length: 150 }, (_, i) => (i === 0 ? (installed100 ? patch(100) : missing(100)) : i === 140 ? missing(240) : patch(100 + i)));

const SCAN1 = '2025-03-03T01:12:40.678Z';
const SCAN2 = '2025-03-10T01:09:05.114Z';
const SCAN3 = '2025-03-17T01:15:31.902Z';

function week(scan: string, nodes: Record<string, Omit<Node, 'id' | 'patchState'> & { patchState?: null }>, extra: Partial<Fleet> = {}) {
  return fleet({
    nodes: Object.entries(nodes).map(([id, n]) => node(id, { patchState: n.patchState === null ? null : scanned(id, scan), ...n })),
    ...extra,
  });
}

const WEEK1 = week(SCAN1, {
  [WIN]: { patches: [missing(1), patch(2)] },
  [LNX]: { patches: [patch(10), patch(11)] },
  [RESET]: { patches: [missing(20)] },
  [BIG]: { patches: bigPatches(false) },
  [HYB]: { patches: [missing(30)] },
  [GONE]: { deregistered: true },
});
const WEEK2 = week(
  SCAN2,
  {
    [WIN]: { patches: [patch(1), patch(2)] },
    [LNX]: { patches: [patch(10), patch(11)] },
    [RESET]: { patchState: null },
    // Its first page (100 installed) is written before the second page fails.
    [BIG]: { patches: bigPatches(true) },
    [HYB]: { patches: [missing(30)] },
    [GONE]: { deregistered: true },
  },
  { ssmFailsAfterPages: { [BIG]: { pages: 1, error: 'Ssm.ThrottlingException' } } },
);
const WEEK3 = week(SCAN3, {
  [WIN]: { patches: [patch(1), patch(2), missing(3)] },
  [LNX]: { patches: [patch(10), patch(11)] },
  [RESET]: { patchState: null },
  [BIG]: { patches: bigPatches(true) },
  [HYB]: { patches: [missing(30)] },
  [GONE]: { deregistered: true },
});

const kb = (n: number) => `KB${5000000 + n}`;

describe('patch-history queries on records written by executed runs of the state machine', () => {
  let runs: RunResult[];
  let objects: Map<string, string>;
  let db: PatchHistoryDb;
  const sql = (id: string) => namedQueries(db.database, DUCKDB).find((q) => q.id === id)!.query;
  const asOf = (id: string, date: string, lookback: number, ...more: Array<string | number>) =>
    db.query(sql(id), [date, lookback, date, lookback, ...more]);
  const byId = (rows: Array<Record<string, unknown>>) => Object.fromEntries(rows.map((r) => [r.instance_id as string, r]));

  beforeAll(async () => {
    runs = [await runSnapshot(WEEK1, {}, R1), await runSnapshot(WEEK2, {}, R2), await runSnapshot(WEEK3, {}, R3)];
    objects = new Map(runs.flatMap((r) => [...r.objects]));
    expect(objects.size).toBe(runs.reduce((n, r) => n + r.objects.size, 0));
    db = await PatchHistoryDb.create();
    const loaded = await db.load(objects);
    // Pages: 6 (BIG two) + 4 (BIG's partial first page; RESET none) + 5; instance records 6 a run; 3 manifests.
    expect(loaded.rows).toEqual({ snapshots: 15, instance_snapshots: 18, runs: 3 });
    // What no table reads: the distributed Map's result files under _runs/.
    expect(loaded.ignored.every((k) => k.startsWith('patch-history/_runs/'))).toBe(true);
  }, 60_000);
  afterAll(() => db?.close());

  test('the runs executed as the fleet says: the second fails after its manifest, keeping the others', () => {
    expect(runs.map((r) => [r.status, r.error?.name])).toEqual([
      ['SUCCEEDED', undefined],
      ['FAILED', INSTANCES_FAILED_ERROR],
      ['SUCCEEDED', undefined],
    ]);
    const second = [...runs[1].objects.keys()];
    expect(second).toContain(`patch-history/year=2025/month=03/day=10/instanceid=${BIG}/${R2.runId}-1.json`);
    expect(second).not.toContain(`patch-history/year=2025/month=03/day=10/instanceid=${BIG}/${R2.runId}-2.json`);
    expect(JSON.parse(objects.get(`patch-history/instances/year=2025/month=03/day=10/${R2.runId}/${BIG}.json`)!)).toMatchObject({
      status: 'failed',
      pages: 1,
      patches: 100,
      error: 'Ssm.ThrottlingException',
    });
    // Records carry the parent's start, not the children's (which started the next day).
    expect(JSON.parse(objects.get(`patch-history/instances/year=2025/month=03/day=10/${R2.runId}/${WIN}.json`)!)).toMatchObject({
      snapshot_time: R2.startTime,
      run_id: R2.runId,
    });
  });

  describe('missing patches as of a date', () => {
    test('before the first run: nothing', async () => {
      expect(await asOf('missing-as-of', '2025-03-02', 14)).toEqual([]);
    });

    test('on the first run and between runs the first snapshot answers, with its provenance', async () => {
      const monday = await asOf('missing-as-of', '2025-03-03', 14);
      expect(await asOf('missing-as-of', '2025-03-07', 14)).toEqual(monday);
      // Ordered by instance id: WIN (i-01...), RESET (i-0a...), BIG (i-0b...), HYB (mi-...).
      expect(monday.map((r) => [r.instance_id, r.kbid])).toEqual([
        [WIN, kb(1)],
        [RESET, kb(20)],
        [BIG, kb(100)],
        [BIG, kb(240)],
        [HYB, kb(30)],
      ]);
      expect(byId(monday)[HYB]).toMatchObject({
        snapshot_time: R1.startTime,
        run_id: R1.runId,
        scan_time: SCAN1,
        operation: 'Scan',
        baseline_id: 'pb-0c10e65780EXAMPLE',
        severity: 'Important',
        classification: 'SecurityUpdates',
      });
    });

    test('on the second run: the installed patch is gone; the failed node answers from its last complete snapshot', async () => {
      const rows = await asOf('missing-as-of', '2025-03-11', 14);
      expect(rows.map((r) => [r.instance_id, r.kbid, r.snapshot_time])).toEqual([
        // Within 14 days RESET's first snapshot is still the latest complete one.
        [RESET, kb(20), R1.startTime],
        // BIG's partial page of the second run says KB5000100 is installed: it does not count.
        [BIG, kb(100), R1.startTime],
        [BIG, kb(240), R1.startTime],
        [HYB, kb(30), R2.startTime],
      ]);
      expect(rows.find((r) => r.instance_id === HYB)).toMatchObject({ scan_time: SCAN2 });
    });

    test('on the third run: every node answers from the third run, the new missing patch shows', async () => {
      const rows = await asOf('missing-as-of', '2025-03-17', 7);
      expect(rows.map((r) => [r.instance_id, r.kbid, r.snapshot_time])).toEqual([
        [WIN, kb(3), R3.startTime],
        [BIG, kb(240), R3.startTime],
        [HYB, kb(30), R3.startTime],
      ]);
    });
  });

  describe('fleet status as of a date', () => {
    test('after the second run: compliant, non_compliant from an older snapshot, unknown with its reason', async () => {
      const rows = byId(await asOf('fleet-status-as-of', '2025-03-12', 14));
      expect(Object.keys(rows).sort()).toEqual([BIG, GONE, LNX, RESET, WIN, HYB].sort());
      expect(rows[WIN]).toMatchObject({ status: 'compliant', noncompliant_patches: 0, run_id: R2.runId, scan_time: SCAN2 });
      expect(rows[LNX]).toMatchObject({ status: 'compliant', run_id: R2.runId });
      expect(rows[BIG]).toMatchObject({
        status: 'non_compliant',
        noncompliant_patches: 2,
        run_id: R1.runId,
        latest_status: 'failed',
        latest_snapshot_time: R2.startTime,
        latest_error: 'Ssm.ThrottlingException',
      });
      expect(rows[RESET]).toMatchObject({ status: 'non_compliant', run_id: R1.runId, latest_status: 'not_scanned' });
      expect(rows[HYB]).toMatchObject({ status: 'non_compliant', noncompliant_patches: 1, run_id: R2.runId });
      expect(rows[GONE]).toMatchObject({
        status: 'unknown',
        unknown_reason: 'unmanaged',
        noncompliant_patches: null,
        latest_error: 'Ssm.InvalidInstanceIdException',
      });
    });

    test('a lookback shorter than the gap to the last complete snapshot: unknown, never compliant', async () => {
      const rows = byId(await asOf('fleet-status-as-of', '2025-03-17', 7));
      expect(rows[RESET]).toMatchObject({ status: 'unknown', unknown_reason: 'not_scanned', run_id: null });
      expect(rows[BIG]).toMatchObject({ status: 'non_compliant', noncompliant_patches: 1, run_id: R3.runId, latest_status: 'complete' });
      expect(rows[WIN]).toMatchObject({ status: 'non_compliant', noncompliant_patches: 1 });
    });
  });

  test('fleet view per classification and severity, as of the second run', async () => {
    const rows = await asOf('fleet-by-classification-as-of', '2025-03-11', 14);
    const counts = { instances_seen: 6, instances_compliant: 2, instances_non_compliant: 3, instances_unknown: 1 };
    expect(rows).toEqual([
      { classification: '(all)', severity: '(all)', instances: 3, patches: 4, ...counts },
      { classification: 'SecurityUpdates', severity: 'Important', instances: 3, patches: 4, ...counts },
    ]);
    const third = await asOf('fleet-by-classification-as-of', '2025-03-17', 7);
    expect(third.map((r) => [r.classification, r.severity, r.instances, r.patches])).toEqual([
      ['(all)', '(all)', 3, 3],
      ['SecurityUpdates', 'Critical', 1, 1],
      ['SecurityUpdates', 'Important', 2, 2],
    ]);
    expect(third[0]).toMatchObject({ instances_seen: 6, instances_compliant: 1, instances_non_compliant: 3, instances_unknown: 2 });
  });

  test('non-compliant streak: counts complete snapshots only, a failed run breaks no streak and adds none', async () => {
    // HYB was non-compliant in all three runs; BIG has only two complete snapshots (R1, R3).
    expect((await asOf('noncompliant-streak', '2025-03-17', 21, 3)).map((r) => r.instance_id)).toEqual([HYB]);
    const two = await asOf('noncompliant-streak', '2025-03-17', 21, 2);
    expect(two.map((r) => [r.instance_id, r.since, r.latest, r.noncompliant_patches_now])).toEqual([
      [BIG, R1.startTime, R3.startTime, 1],
      [HYB, R2.startTime, R3.startTime, 1],
    ]);
  });

  test('changes between the first and the third run', async () => {
    const rows = await db.query(sql('changes-between'), ['2025-03-03', 7, '2025-03-03', 7, '2025-03-17', 7, '2025-03-17', 7]);
    expect(rows.map((r) => [r.instance_id, r.kbid, r.state_a, r.state_b, r.change])).toEqual([
      [WIN, kb(1), 'Missing', 'Installed', 'changed'],
      [WIN, kb(3), null, 'Missing', 'appeared'],
      [RESET, kb(20), 'Missing', null, 'no_snapshot_b'],
      [BIG, kb(100), 'Missing', 'Installed', 'changed'],
    ]);
  });

  describe('runs and their completeness', () => {
    test('every executed run recorded every node it listed', async () => {
      const rows = await asOf('runs-completeness', '2025-03-17', 28);
      expect(rows).toEqual([
        {
          run_id: R3.runId,
          snapshot_time: R3.startTime,
          finished_time: R3.finishedTime,
          nodes: 6,
          instance_records: 6,
          missing_records: 0,
          complete: 4,
          not_scanned: 1,
          unmanaged: 1,
          failed: 0,
          failed_child_executions: 0,
          completeness: 'recorded',
        },
        expect.objectContaining({
          run_id: R2.runId,
          finished_time: R2.finishedTime,
          nodes: 6,
          instance_records: 6,
          complete: 3,
          not_scanned: 1,
          unmanaged: 1,
          failed: 1,
          failed_child_executions: 1,
          completeness: 'recorded',
        }),
        expect.objectContaining({ run_id: R1.runId, nodes: 6, instance_records: 6, complete: 5, unmanaged: 1, completeness: 'recorded' }),
      ]);
      // The window prunes: a week back from the second run sees only it.
      expect((await asOf('runs-completeness', '2025-03-11', 7)).map((r) => r.run_id)).toEqual([R2.runId]);
    });

    test('a run whose instance records are missing, and records without a manifest, are reported', async () => {
      const damaged = new Map(objects);
      const record = (run: typeof R1, day: string, id: string) =>
        `patch-history/instances/year=2025/month=03/day=${day}/${run.runId}/${id}.json`;
      expect(damaged.delete(record(R3, '17', WIN))).toBe(true);
      expect(damaged.delete(record(R3, '17', GONE))).toBe(true);
      expect(damaged.delete(`patch-history/runs/year=2025/month=03/day=03/${R1.runId}.json`)).toBe(true);
      const other = await PatchHistoryDb.create();
      try {
        await other.load(damaged);
        const rows = await other.query(sql('runs-completeness'), ['2025-03-17', 28, '2025-03-17', 28]);
        expect(rows.map((r) => [r.run_id, r.nodes, r.instance_records, r.missing_records, r.completeness])).toEqual([
          [R3.runId, 6, 4, 2, 'records_missing'],
          [R2.runId, 6, 6, 0, 'recorded'],
          [R1.runId, null, 6, null, 'no_manifest'],
        ]);
        expect(rows[2]).toMatchObject({ snapshot_time: R1.startTime, finished_time: null });
      } finally {
        other.close();
      }
    });
  });
});
