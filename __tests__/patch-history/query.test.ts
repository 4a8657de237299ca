import { DUCKDB, namedQueries } from '../../stacks/capabilities/patch-history/queries';
import { PatchHistoryDb } from '../helpers/duckdb';
import { FleetRecords, linuxPatch, windowsPatch } from '../helpers/patch-records';

// The saved queries, executed: the DuckDB rendering of the very text deployed to Athena
// (only the partition-date fragment differs, see query-sql.test.ts), run on a fleet
// written in the records layout of the state machine.
const WIN = 'i-0123456789abcdef0'; // Windows Server, missing patches every week
const LNX = 'i-0fedcba9876543210'; // Amazon Linux, compliant
const HYB = 'mi-0123456789abcdef0'; // on-premises Linux node (hybrid activation)
const FLAKY = 'i-0b2c3d4e5f6a7b8c9'; // complete once, then failing
const NEW = 'i-0a1b2c3d4e5f60718'; // managed, never scanned
const GONE = 'i-09f8e7d6c5b4a3210'; // tagged, not a managed node
const LATE = 'i-0c3d4e5f6a7b8c9d0'; // first snapshot in the third week

const R1 = '2025-02-24T03:00:00.123Z'; // weekly runs, Mondays 03:00 UTC
const R2 = '2025-03-03T03:00:00.087Z';
const R3 = '2025-03-10T03:00:00.215Z';
const R4 = '2025-03-10T15:30:12.004Z'; // a manual run the same day

const installed = (p: ReturnType<typeof windowsPatch>) => ({ ...p, State: 'Installed', InstalledTime: '2025-02-12T04:10:31Z' });
const openssl = linuxPatch('openssl-libs.x86_64:1:3.0.8-1.amzn2023.0.18', { Severity: 'Critical' });
const kernel = linuxPatch('kernel.x86_64:0:6.1.128-136.201.amzn2023', { CVEIds: 'CVE-2024-53104' });
const sudo = linuxPatch('sudo.x86_64:0:1.9.15-1.p5.amzn2023.0.2', { Severity: 'Critical', CVEIds: 'CVE-2025-32463' });
const curl = linuxPatch('curl-minimal.x86_64:0:8.11.1-4.amzn2023.0.1', { Severity: 'Medium', CVEIds: 'CVE-2025-0167' });
const KB87 = windowsPatch('KB5051987');
const KB94 = installed(windowsPatch('KB5050094'));
const KB06 = windowsPatch('KB5052006', { Severity: 'Important' });
const KB96 = windowsPatch('KB5053596');
const KB85 = windowsPatch('KB5048685');
const KB17 = windowsPatch('KB5046617'); // only ever on a failed run's partial page

function fleet(): FleetRecords {
  const f = new FleetRecords();
  f.run(R1)
    .complete(WIN, [KB87, KB94])
    .complete(LNX, [installed(openssl)])
    .complete(HYB, [openssl])
    .complete(FLAKY, [KB85])
    .unmanaged(GONE)
    .finish();
  f.run(R2)
    .complete(WIN, [KB87, KB06, KB94])
    .complete(LNX, [installed(openssl)])
    .complete(HYB, [installed(openssl)])
    .failed(FLAKY, [KB85, KB17])
    .notScanned(NEW)
    .unmanaged(GONE)
    .finish();
  f.run(R3)
    .complete(WIN, [installed(KB87), KB06, KB96, KB94])
    .complete(LNX, [installed(openssl), curl])
    .failed(HYB, [])
    .failed(FLAKY, [])
    .complete(LATE, [KB96])
    .notScanned(NEW)
    .unmanaged(GONE)
    .finish();
  // The manual run: LNX and HYB complete, WIN fails after one page (all of it installed).
  f.run(R4)
    .complete(LNX, [installed(openssl), installed(curl)])
    .complete(HYB, [installed(openssl), kernel, sudo], { scanTime: '2025-03-10T15:02:44.511Z', baselineId: 'pb-0a1b2c3d4e5f67890' })
    .failed(WIN, [installed(KB06), installed(KB96)])
    .finish();
  return f;
}

describe('patch-history queries in an embedded engine (DuckDB)', () => {
  let db: PatchHistoryDb;
  const sql = (id: string) => namedQueries(db.database, DUCKDB).find((q) => q.id === id)!.query;
  const run = (id: string, ...params: Array<string | number>) => db.query(sql(id), params);
  const asOf = (id: string, date: string, lookback: number) => run(id, date, lookback, date, lookback);
  const byId = (rows: Array<Record<string, unknown>>) => Object.fromEntries(rows.map((r) => [r.instance_id as string, r]));

  beforeAll(async () => {
    db = await PatchHistoryDb.create();
    const f = fleet();
    // Objects no table reads: an older run summary, and a month folder Athena does not project.
    f.objects.set('patch-history/_runs/year=2025/month=02/day=17/3f1c0b2a/summary.json', '{"run_id":"3f1c0b2a"}');
    f.objects.set(`patch-history/year=2025/month=3/day=10/instanceid=${WIN}/x-1.json`, '{"instance_id":"bogus"}');
    const loaded = await db.load(f.objects);
    expect(loaded.rows).toEqual({ snapshots: 14, instance_snapshots: 21, runs: 4 });
    expect(loaded.ignored).toHaveLength(2);
  });
  afterAll(() => db.close());

  test('every named query runs with exactly its documented parameters', async () => {
    for (const q of namedQueries(db.database, DUCKDB)) {
      expect(q.query.split('?').length - 1).toBe(q.parameters.length);
      const values = q.parameters.map((p) => (/date|as_of/.test(p) ? '2025-03-10' : /lookback/.test(p) ? 14 : 2));
      await expect(db.query(q.query, values)).resolves.toBeDefined();
    }
  });

  describe('missing patches as of a date', () => {
    test('between weekly snapshots the answer is the previous snapshot, not nothing', async () => {
      const thursday = await asOf('missing-as-of', '2025-03-06', 14);
      const monday = await asOf('missing-as-of', '2025-03-03', 14);
      expect(thursday).toEqual(monday);
      expect(thursday.filter((r) => r.instance_id === WIN).map((r) => r.kbid)).toEqual(['KB5051987', 'KB5052006']);
      expect(thursday.find((r) => r.instance_id === WIN)).toMatchObject({
        snapshot_time: R2,
        scan_time: '2025-03-03T02:00:00.087Z',
        operation: 'Scan',
        baseline_id: 'pb-0123456789abcdef0',
      });
    });

    test("a failed run's partial pages never count: the previous complete snapshot answers", async () => {
      const rows = await asOf('missing-as-of', '2025-03-06', 14);
      expect(rows.filter((r) => r.instance_id === FLAKY)).toEqual([
        expect.objectContaining({ kbid: 'KB5048685', snapshot_time: R1, severity: 'Critical', classification: 'SecurityUpdates' }),
      ]);
      expect(rows.map((r) => r.kbid)).not.toContain('KB5046617');
    });

    test('two runs in one day: the later complete one wins, a later failed one does not', async () => {
      const rows = await asOf('missing-as-of', '2025-03-10', 7);
      // HYB failed in the morning run and completed in the manual one.
      expect(rows.filter((r) => r.instance_id === HYB).map((r) => [r.kbid, r.snapshot_time, r.scan_time, r.baseline_id])).toEqual([
        [sudo.KBId, R4, '2025-03-10T15:02:44.511Z', 'pb-0a1b2c3d4e5f67890'],
        [kernel.KBId, R4, '2025-03-10T15:02:44.511Z', 'pb-0a1b2c3d4e5f67890'],
      ]);
      // LNX's curl was missing in the morning and installed by the afternoon.
      expect(rows.filter((r) => r.instance_id === LNX)).toEqual([]);
      // WIN failed in the manual run (its partial page says installed): the morning snapshot stands.
      expect(rows.filter((r) => r.instance_id === WIN).map((r) => [r.kbid, r.snapshot_time])).toEqual([
        ['KB5053596', R3],
        ['KB5052006', R3],
      ]);
    });

    test('nothing before the first run, and nothing from snapshots older than the window', async () => {
      expect(await asOf('missing-as-of', '2025-02-20', 30)).toEqual([]);
      expect((await asOf('missing-as-of', '2025-03-10', 7)).map((r) => r.instance_id)).not.toContain(FLAKY);
    });
  });

  describe('fleet status as of a date', () => {
    test('every instance seen in the window: compliant, non_compliant or unknown with its reason', async () => {
      const rows = byId(await asOf('fleet-status-as-of', '2025-03-10', 7));
      expect(Object.fromEntries(Object.entries(rows).map(([id, r]) => [id, [r.status, r.unknown_reason, r.noncompliant_patches]]))).toEqual(
        {
          [WIN]: ['non_compliant', null, 2],
          [LATE]: ['non_compliant', null, 1],
          [HYB]: ['non_compliant', null, 2],
          [LNX]: ['compliant', null, 0],
          [FLAKY]: ['unknown', 'failed', null],
          [NEW]: ['unknown', 'not_scanned', null],
          [GONE]: ['unknown', 'unmanaged', null],
        },
      );
      // The latest attempt is shown next to the snapshot that answers.
      expect(rows[WIN]).toMatchObject({ snapshot_time: R3, latest_status: 'failed', latest_snapshot_time: R4, missing_count: 2 });
      expect(rows[HYB]).toMatchObject({ snapshot_time: R4, scan_time: '2025-03-10T15:02:44.511Z', latest_status: 'complete' });
    });

    test('a never-scanned instance is unknown, never compliant', async () => {
      for (const [date, lookback] of [
        ['2025-03-03', 7],
        ['2025-03-10', 30],
      ] as const) {
        const rows = byId(await asOf('fleet-status-as-of', date, lookback));
        expect(rows[NEW]).toMatchObject({ status: 'unknown', unknown_reason: 'not_scanned', snapshot_time: null, scan_time: null });
      }
    });

    test('a complete snapshot older than the lookback window makes the instance unknown', async () => {
      expect(byId(await asOf('fleet-status-as-of', '2025-03-06', 14))[FLAKY]).toMatchObject({
        status: 'non_compliant',
        snapshot_time: R1,
        noncompliant_patches: 1,
      });
      expect(byId(await asOf('fleet-status-as-of', '2025-03-06', 7))[FLAKY]).toMatchObject({
        status: 'unknown',
        unknown_reason: 'failed',
        snapshot_time: null,
        latest_snapshot_time: R2,
      });
    });

    test('as of a date between weekly snapshots', async () => {
      const rows = byId(await asOf('fleet-status-as-of', '2025-03-06', 14));
      expect(rows[HYB]).toMatchObject({ status: 'compliant', snapshot_time: R2 });
      expect(rows[WIN]).toMatchObject({ status: 'non_compliant', snapshot_time: R2, noncompliant_patches: 2 });
      expect(rows[LATE]).toBeUndefined();
    });
  });

  test('fleet view per classification and severity, with the fleet totals', async () => {
    const rows = await asOf('fleet-by-classification-as-of', '2025-03-10', 7);
    expect(rows.map((r) => [r.classification, r.severity, r.instances, r.patches])).toEqual([
      ['(all)', '(all)', 3, 5],
      ['Security', 'Critical', 1, 1],
      ['Security', 'Important', 1, 1],
      ['SecurityUpdates', 'Critical', 2, 2],
      ['SecurityUpdates', 'Important', 1, 1],
    ]);
    for (const r of rows)
      expect(r).toMatchObject({ instances_seen: 7, instances_compliant: 1, instances_non_compliant: 3, instances_unknown: 3 });
    // No data in the window: one totals row of zeros, not an empty (all clear looking) answer.
    expect(await asOf('fleet-by-classification-as-of', '2025-02-20', 3)).toEqual([
      {
        classification: '(all)',
        severity: '(all)',
        instances: 0,
        patches: 0,
        instances_seen: 0,
        instances_compliant: 0,
        instances_non_compliant: 0,
        instances_unknown: 0,
      },
    ]);
  });

  describe('non-compliant streak', () => {
    const streak = (date: string, lookback: number, n: number) => run('noncompliant-streak', date, lookback, date, lookback, n);

    test('the last N complete snapshots, failed runs skipped', async () => {
      expect(await streak('2025-03-10', 21, 3)).toEqual([{ instance_id: WIN, since: R1, latest: R3, noncompliant_patches_now: 2 }]);
      // HYB: non-compliant in R1 and R4, compliant in R2 in between.
      expect((await streak('2025-03-10', 21, 2)).map((r) => r.instance_id)).toEqual([WIN]);
      expect((await streak('2025-03-10', 21, 1)).map((r) => r.instance_id)).toEqual([WIN, FLAKY, LATE, HYB]);
    });

    test('bounded by the window: snapshots before it do not count', async () => {
      expect(await streak('2025-03-10', 14, 3)).toEqual([]);
      expect(await streak('2025-03-10', 14, 2)).toEqual([{ instance_id: WIN, since: R2, latest: R3, noncompliant_patches_now: 2 }]);
      expect(await streak('2025-03-06', 14, 1)).toEqual([WIN, FLAKY].map((id) => expect.objectContaining({ instance_id: id })));
    });
  });

  test('what changed between two dates: their as-of snapshots compared', async () => {
    const rows = await run('changes-between', '2025-03-06', 7, '2025-03-06', 7, '2025-03-12', 7, '2025-03-12', 7);
    expect(rows.map((r) => [r.instance_id, r.kbid, r.state_a, r.state_b, r.change])).toEqual([
      [WIN, 'KB5051987', 'Missing', 'Installed', 'changed'],
      [WIN, 'KB5053596', null, 'Missing', 'appeared'],
      [LATE, 'KB5053596', null, 'Missing', 'no_snapshot_a'],
      [LNX, curl.KBId, null, 'Installed', 'appeared'],
      [HYB, kernel.KBId, null, 'Missing', 'appeared'],
      [HYB, sudo.KBId, null, 'Missing', 'appeared'],
    ]);
    expect(rows.find((r) => r.instance_id === HYB)).toMatchObject({ snapshot_a: R2, snapshot_b: R4 });
  });
});
