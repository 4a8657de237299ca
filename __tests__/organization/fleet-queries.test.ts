import { FLEET_DUCKDB, archiveTables, fleetQueries } from '../../stacks/organization/archive-query';
import { archiveBucketName, inventorySyncPrefix, patchHistoryPrefix } from '../../stacks/organization/archive-names';
import { ArchiveDb } from '../helpers/duckdb';
import { FleetRecords, linuxPatch, windowsPatch } from '../helpers/patch-records';

// The fleet questions, executed: the DuckDB rendering of the text deployed to Athena (only
// the dialect's fragments differ, see fleet-sql.test.ts), on objects in the hub archive's
// key layout: each spoke writes the patch-history records contract below its
// account/region prefix, and Resource Data Sync writes its own layout under inventory/.
const A = '222222222222';
const B = '333333333333';
const TOKYO = 'ap-northeast-1';
const VIRGINIA = 'us-east-1';
const BUCKET = archiveBucketName({ namePrefix: 'ssmb', hubAccountId: '111111111111', hubRegion: TOKYO });
const DB = 'ssmb_fleet_archive';

const WIN_A = 'i-0123456789abcdef0'; // A/Tokyo: Windows, a critical KB missing every week
const FLAKY_A = 'i-0b2c3d4e5f6a7b8c9'; // A/Tokyo: compliant, then a failed run whose partial page lists a missing critical KB
const LNX_A = 'i-0fedcba9876543210'; // A/Virginia: compliant Amazon Linux
const NEW_A = 'i-0a1b2c3d4e5f60718'; // A/Virginia: managed, never scanned
const WIN_B = 'i-0d4e5f6a7b8c9d0e1'; // B/Tokyo: only an Important KB missing
const LNX_B = 'i-0e5f6a7b8c9d0e1f2'; // B/Virginia: a critical package missing
const GONE_B = 'i-09f8e7d6c5b4a3210'; // B/Virginia: tagged, not a managed node

const R1 = '2025-03-03T03:00:00.123Z';
const R2 = '2025-03-10T03:00:00.215Z';

const installed = <T extends { State: string }>(p: T) => ({ ...p, State: 'Installed', InstalledTime: '2025-02-12T04:10:31Z' });
const KB87 = windowsPatch('KB5051987'); // Critical
const KB06 = windowsPatch('KB5052006', { Severity: 'Important' });
const KB96 = windowsPatch('KB5053596'); // Critical, only on the failed run's partial page
const sudo = linuxPatch('sudo.x86_64:0:1.9.15-1.p5.amzn2023.0.2', { Severity: 'Critical', CVEIds: 'CVE-2025-32463' });
const curl = linuxPatch('curl-minimal.x86_64:0:8.11.1-4.amzn2023.0.1', { Severity: 'Medium', CVEIds: 'CVE-2025-0167' });

/** Each spoke account-region writes the records contract under its own prefix; run ids repeat across spokes. */
function patchObjects(): Map<string, string> {
  const objects = new Map<string, string>();
  const spoke = (account: string, region: string) => new FleetRecords(patchHistoryPrefix(account, region));
  const aTokyo = spoke(A, TOKYO);
  aTokyo
    .run(R1)
    .complete(WIN_A, [KB87, installed(KB06)])
    .complete(FLAKY_A, [installed(KB87)])
    .finish();
  aTokyo
    .run(R2)
    .complete(WIN_A, [KB87, KB06])
    .failed(FLAKY_A, [installed(KB87), KB96])
    .finish();
  const aVirginia = spoke(A, VIRGINIA);
  aVirginia
    .run(R2)
    .complete(LNX_A, [installed(sudo), installed(curl)])
    .notScanned(NEW_A)
    .finish();
  const bTokyo = spoke(B, TOKYO);
  bTokyo
    .run(R2)
    .complete(WIN_B, [installed(KB87), KB06])
    .finish();
  const bVirginia = spoke(B, VIRGINIA);
  bVirginia.run(R2).complete(LNX_B, [sudo, curl]).unmanaged(GONE_B).finish();
  for (const f of [aTokyo, aVirginia, bTokyo, bVirginia]) for (const [k, v] of f.objects) objects.set(k, v);
  return objects;
}

/** Resource Data Sync's key: `<prefix>/AWS:<Type>/accountid=<id>/region=<r>/resourcetype=ManagedInstanceInventory/<instance>.json`. */
const syncKey = (type: string, account: string, region: string, instance: string) =>
  `${inventorySyncPrefix()}/${type}/accountid=${account}/region=${region}/resourcetype=ManagedInstanceInventory/${instance}.json`;

/** One line per item: the inventory type's fields as SSM names them, plus resourceId, captureTime and schemaVersion. */
const lines = (items: Array<Record<string, string>>) => items.map((i) => JSON.stringify(i)).join('\n') + '\n';

function instanceInformation(instance: string, agent: string, platform: 'Linux' | 'Windows', region: string): string {
  const ip = `10.0.${instance.charCodeAt(3) % 250}.${instance.charCodeAt(4) % 250}`;
  return lines([
    {
      AgentType: 'amazon-ssm-agent',
      AgentVersion: agent,
      ComputerName:
        platform === 'Linux' ? `ip-${ip.replace(/\./g, '-')}.${region}.compute.internal` : `EC2AMAZ-${instance.slice(-7).toUpperCase()}`,
      IamRole: 'ssmb-managed-instance',
      InstanceId: instance,
      InstanceStatus: 'Active',
      IpAddress: ip,
      PlatformName: platform === 'Linux' ? 'Amazon Linux' : 'Microsoft Windows Server 2022 Datacenter',
      PlatformType: platform,
      PlatformVersion: platform === 'Linux' ? '2023' : '10.0.20348',
      ResourceType: 'EC2Instance',
      resourceId: instance,
      captureTime: '2025-03-10T04:02:11Z',
      schemaVersion: '1.0',
    },
  ]);
}

function rpm(instance: string, name: string, version: string, release: string): Record<string, string> {
  return {
    Name: name,
    ApplicationType: 'System Environment/Libraries',
    Publisher: 'Amazon Linux',
    Version: version,
    Release: release,
    Epoch: '1',
    InstalledTime: '2025-02-12T04:10:31Z',
    Architecture: 'x86_64',
    URL: 'http://www.openssl.org/',
    Summary: 'A general purpose cryptography library with TLS implementation',
    PackageId: `${name}-${version}-${release}.x86_64.rpm`,
    resourceId: instance,
    captureTime: '2025-03-10T04:02:11Z',
    schemaVersion: '1.1',
  };
}

function inventoryObjects(): Map<string, string> {
  const o = new Map<string, string>();
  const info = 'AWS:InstanceInformation';
  o.set(syncKey(info, A, TOKYO, WIN_A), instanceInformation(WIN_A, '3.3.1142.0', 'Windows', TOKYO));
  o.set(syncKey(info, A, TOKYO, FLAKY_A), instanceInformation(FLAKY_A, '3.3.40.0', 'Windows', TOKYO));
  o.set(syncKey(info, A, VIRGINIA, LNX_A), instanceInformation(LNX_A, '3.2.582.0', 'Linux', VIRGINIA));
  o.set(syncKey(info, B, TOKYO, WIN_B), instanceInformation(WIN_B, '3.3.987.0', 'Windows', TOKYO));
  o.set(syncKey(info, B, VIRGINIA, LNX_B), instanceInformation(LNX_B, '3.3.1142.0', 'Linux', VIRGINIA));
  const app = 'AWS:Application';
  const ssmAgent = (instance: string, version: string) => ({
    ...rpm(instance, 'Amazon SSM Agent', version, ''),
    ApplicationType: '',
    Publisher: 'Amazon Web Services',
    URL: '',
    Summary: '',
    PackageId: '',
    Epoch: '',
    Architecture: 'X64',
  });
  o.set(syncKey(app, A, TOKYO, WIN_A), lines([ssmAgent(WIN_A, '3.3.1142.0')]));
  o.set(
    syncKey(app, A, VIRGINIA, LNX_A),
    lines([rpm(LNX_A, 'openssl-libs', '3.0.8', '1.amzn2023.0.18'), rpm(LNX_A, 'curl-minimal', '8.11.1', '4.amzn2023.0.1')]),
  );
  o.set(syncKey(app, B, TOKYO, WIN_B), lines([ssmAgent(WIN_B, '3.3.987.0')]));
  o.set(
    syncKey(app, B, VIRGINIA, LNX_B),
    lines([rpm(LNX_B, 'openssl-libs', '3.0.12', '1.amzn2023.0.2'), rpm(LNX_B, 'openssl', '3.0.12', '1.amzn2023.0.2')]),
  );
  return o;
}

describe('fleet queries in an embedded engine (DuckDB), over the hub archive layout', () => {
  let db: ArchiveDb;
  const sql = (id: string) => fleetQueries(DB, FLEET_DUCKDB).find((q) => q.id === id)!.query;
  const run = (id: string, ...params: Array<string | number>) => db.query(sql(id), params);
  const asOf = (id: string, date: string, lookback: number) => run(id, date, lookback, date, date, lookback, date);

  beforeAll(async () => {
    db = await ArchiveDb.create(DB, archiveTables(BUCKET, [A, B], [TOKYO, VIRGINIA]));
    const objects = new Map([...patchObjects(), ...inventoryObjects()]);
    // Objects no table reads: an account and a region outside the projection, a transcript,
    // a day folder Athena does not project (month=3), a hidden file.
    const stray = [
      `${patchHistoryPrefix('444444444444', TOKYO)}/year=2025/month=03/day=10/instanceid=${WIN_A}/x-1.json`,
      `${patchHistoryPrefix(A, 'eu-west-1')}/instances/year=2025/month=03/day=10/x/${WIN_A}.json`,
      `${patchHistoryPrefix(A, TOKYO)}/year=2025/month=3/day=10/instanceid=${WIN_A}/x-1.json`,
      `${patchHistoryPrefix(A, TOKYO)}/instances/year=2025/month=03/day=10/_temporary/${WIN_A}.json`,
      `session-transcripts/account=${A}/region=${TOKYO}/alice-0a1b2c3d4e5f67890.log`,
    ];
    for (const k of stray) objects.set(k, '{"instance_id":"bogus"}');
    const loaded = await db.load(objects);
    expect(loaded.rows).toEqual({
      patch_snapshots: 7,
      patch_instance_snapshots: 9,
      patch_runs: 5,
      inventory_instance_information: 5,
      inventory_application: 6,
    });
    expect(loaded.ignored.sort()).toEqual([...stray].sort());
  });
  afterAll(() => db.close());

  test('every fleet query runs with exactly its documented parameters', async () => {
    for (const q of fleetQueries(DB, FLEET_DUCKDB)) {
      expect(q.query.split('?').length - 1).toBe(q.parameters.length);
      const values = q.parameters.map((p) =>
        /as_of/.test(p) ? '2025-03-10' : /lookback/.test(p) ? 14 : /version/.test(p) ? '3.3.0.0' : '%',
      );
      await expect(db.query(q.query, values)).resolves.toBeDefined();
    }
  });

  describe('missing critical patches as of a date, by account', () => {
    test('two accounts x two regions: per account the instances seen, missing critical, unknown', async () => {
      expect(await asOf('missing-critical-by-account', '2025-03-10', 14)).toEqual([
        {
          account: A,
          instances_seen: 4,
          instances_missing_critical: 1,
          missing_critical_patches: 1,
          instances_unknown: 1,
          regions: 2,
          latest_snapshot: R2,
        },
        {
          account: B,
          instances_seen: 3,
          instances_missing_critical: 1,
          missing_critical_patches: 1,
          instances_unknown: 1,
          regions: 2,
          latest_snapshot: R2,
        },
      ]);
    });

    test('between runs the previous complete snapshot answers; an account with nothing in the window has no row', async () => {
      expect(await asOf('missing-critical-by-account', '2025-03-07', 7)).toEqual([
        expect.objectContaining({
          account: A,
          instances_seen: 2,
          instances_missing_critical: 1,
          instances_unknown: 0,
          latest_snapshot: R1,
        }),
      ]);
      expect(await asOf('missing-critical-by-account', '2025-03-02', 30)).toEqual([]);
    });
  });

  describe('critical patch status per instance as of a date', () => {
    const byId = async (date: string, lookback: number) =>
      Object.fromEntries((await asOf('critical-by-instance', date, lookback)).map((r) => [r.instance_id as string, r]));

    test('the instance missing a critical patch, in its account and region, with the KB', async () => {
      const rows = await byId('2025-03-10', 14);
      expect(rows[WIN_A]).toMatchObject({
        account: A,
        region: TOKYO,
        status: 'missing_critical',
        missing_critical_patches: 1,
        missing_critical_kbids: ['KB5051987'],
        snapshot_time: R2,
      });
      expect(rows[LNX_B]).toMatchObject({ account: B, region: VIRGINIA, status: 'missing_critical', missing_critical_kbids: [sudo.KBId] });
      // An Important KB missing is not critical.
      expect(rows[WIN_B]).toMatchObject({ account: B, region: TOKYO, status: 'no_critical_missing', missing_critical_patches: 0 });
    });

    test("a failed partial run is not counted: its page's missing critical KB never shows, the earlier snapshot answers", async () => {
      const rows = await byId('2025-03-10', 14);
      expect(rows[FLAKY_A]).toMatchObject({
        status: 'no_critical_missing',
        snapshot_time: R1,
        latest_status: 'failed',
        latest_snapshot_time: R2,
      });
      // With the window past the last complete snapshot, it is unknown, not compliant.
      expect((await byId('2025-03-10', 3))[FLAKY_A]).toMatchObject({ status: 'unknown', unknown_reason: 'failed', snapshot_time: null });
    });

    test('a never-scanned instance is unknown, never compliant; an unmanaged one too', async () => {
      const rows = await byId('2025-03-10', 14);
      expect(rows[NEW_A]).toMatchObject({ account: A, region: VIRGINIA, status: 'unknown', unknown_reason: 'not_scanned' });
      expect(rows[NEW_A].missing_critical_patches).toBeNull();
      expect(rows[GONE_B]).toMatchObject({ account: B, status: 'unknown', unknown_reason: 'unmanaged' });
      expect(rows[LNX_A]).toMatchObject({ status: 'no_critical_missing' });
    });

    test('run ids repeat across spokes: each instance joins only its own account-region pages', async () => {
      const rows = await asOf('critical-by-instance', '2025-03-10', 14);
      expect(new Set(rows.map((r) => r.run_id).filter(Boolean)).size).toBeLessThan(rows.filter((r) => r.run_id).length);
      expect(rows.map((r) => [r.status, r.account, r.region, r.instance_id])).toEqual([
        ['missing_critical', A, TOKYO, WIN_A],
        ['missing_critical', B, VIRGINIA, LNX_B],
        ['unknown', A, VIRGINIA, NEW_A],
        ['unknown', B, VIRGINIA, GONE_B],
        ['no_critical_missing', A, TOKYO, FLAKY_A],
        ['no_critical_missing', A, VIRGINIA, LNX_A],
        ['no_critical_missing', B, TOKYO, WIN_B],
      ]);
    });
  });

  describe('SSM Agent older than a version', () => {
    test('versions compare part by part as numbers: 3.3.40.0 and 3.3.987.0 are older than 3.3.1142.0', async () => {
      const rows = await run('agents-older-than', '3.3.1142.0');
      expect(rows.map((r) => [r.account, r.region, r.instance_id, r.agentversion])).toEqual([
        [A, TOKYO, FLAKY_A, '3.3.40.0'],
        [A, VIRGINIA, LNX_A, '3.2.582.0'],
        [B, TOKYO, WIN_B, '3.3.987.0'],
      ]);
      expect(rows[0]).toMatchObject({ platformname: 'Microsoft Windows Server 2022 Datacenter', instancestatus: 'Active' });
    });

    test('as text the answer would be wrong ("3.3.40.0" > "3.3.1142.0")', async () => {
      const text = await db.query(
        `SELECT resourceid FROM "${DB}"."inventory_instance_information" WHERE agentversion < ? ORDER BY resourceid`,
        ['3.3.1142.0'],
      );
      expect(text.map((r) => r.resourceid)).toEqual([LNX_A]);
      expect((await run('agents-older-than', '3.3.40.0')).map((r) => r.instance_id)).toEqual([LNX_A]);
      expect(await run('agents-older-than', '3.2.582.0')).toEqual([]);
    });
  });

  test('software version spread across accounts: newest version first, compared as numbers', async () => {
    expect(
      (await run('software-version-spread', '%OpenSSL%')).map((r) => [r.name, r.version, r.accounts, r.account_regions, r.instances]),
    ).toEqual([
      ['openssl', '3.0.12', 1, 1, 1],
      ['openssl-libs', '3.0.12', 1, 1, 1],
      ['openssl-libs', '3.0.8', 1, 1, 1],
    ]);
    expect((await run('software-version-spread', 'amazon ssm agent')).map((r) => [r.version, r.accounts, r.instances])).toEqual([
      ['3.3.1142.0', 1, 1],
      ['3.3.987.0', 1, 1],
    ]);
    expect((await run('software-version-spread', '%')).map((r) => r.name)).toEqual([
      'Amazon SSM Agent',
      'Amazon SSM Agent',
      'curl-minimal',
      'openssl',
      'openssl-libs',
      'openssl-libs',
    ]);
  });
});
