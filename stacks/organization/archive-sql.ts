/**
 * The fleet questions over the hub archive as data: written once and rendered for an
 * engine through one dialect object. The deployed named queries are the Athena
 * rendering; the tests run the DuckDB rendering of the same text on objects in the
 * archive's key layout. The patch question reuses the patch-history "as of" blocks, with
 * the account and region partitions added to what names an instance.
 */
import { ATHENA, AsOfScope, DUCKDB, NamedQuery, SqlDialect, asOf, asOfPatches } from '../capabilities/patch-history/queries';

/** Tables of the archive database. */
export const TABLES = {
  patchSnapshots: 'patch_snapshots',
  patchInstances: 'patch_instance_snapshots',
  patchRuns: 'patch_runs',
  instanceInformation: 'inventory_instance_information',
  application: 'inventory_application',
} as const;

/** The `day` partition's format for date_format / strftime (MySQL-style, the same in both engines). */
export const DAY_SQL_FORMAT = 'year=%Y/month=%m/day=%d';

/**
 * What differs between Athena (Trino) and DuckDB in the fleet queries: three function
 * names, each called with the same arguments in both engines. Everything else is shared.
 */
export interface FleetDialect extends SqlDialect {
  /** Formats a date with `%Y/%m/%d` specifiers: Trino's date_format, DuckDB's strftime. */
  readonly formatDate: string;
  /** Applies a lambda to every element of an array. */
  readonly transform: string;
  /** Joins an array of strings with a separator. */
  readonly arrayJoin: string;
}

export const FLEET_ATHENA: FleetDialect = { ...ATHENA, formatDate: 'date_format', transform: 'transform', arrayJoin: 'array_join' };
export const FLEET_DUCKDB: FleetDialect = { ...DUCKDB, formatDate: 'strftime', transform: 'list_transform', arrayJoin: 'array_to_string' };

/** The fragments of a dialect, for the test that the renderings differ only there. */
export const FLEET_FRAGMENTS = ['formatDate', 'transform', 'arrayJoin'] as const;

/**
 * The partition filter of every patch table read: the `day` folders of the lookback_days
 * days ending on as_of (parameters as_of, lookback_days, as_of). A range on the projected
 * `day` column itself, so Athena enumerates only those days; account and region are enum
 * projections and stay unfiltered (every configured account-region, for those days).
 */
export function dayWindow(d: FleetDialect): string {
  const folder = (date: string) => `${d.formatDate}(${date}, '${DAY_SQL_FORMAT}')`;
  return `day BETWEEN ${folder("CAST(? AS DATE) - (CAST(? AS INTEGER) - 1) * INTERVAL '1' DAY")} AND ${folder('CAST(? AS DATE)')}`;
}

/**
 * A version as a text that sorts like the version: each dot-separated part left-padded
 * with zeros, so 3.3.40.0 < 3.3.1142.0 (as text "3.3.40.0" > "3.3.1142.0"). Parts longer
 * than 10 characters would be cut; SSM Agent and package versions have none.
 */
export function versionKey(d: FleetDialect, expr: string): string {
  return `${d.arrayJoin}(${d.transform}(split(${expr}, '.'), p -> lpad(p, 10, '0')), '.')`;
}

const WINDOW_PARAMS = ['as_of (date)', 'lookback_days', 'as_of (date)'];
const AS_OF_PARAMS = [...WINDOW_PARAMS, ...WINDOW_PARAMS];

/** Critical: severity Critical (Windows and Linux) or the Windows classification CriticalUpdates. */
const CRITICAL = "(upper(r.severity) = 'CRITICAL' OR upper(r.classification) = 'CRITICALUPDATES')";

/** Per instance recorded in the window: critical patch status as of the date (the two patch queries share it). */
function criticalAsOf(d: FleetDialect, db: string): string {
  const t = (name: string) => `"${db}"."${name}"`;
  const scope: AsOfScope = { keys: ['account', 'region'], window: dayWindow(d) };
  const tables = { snapshots: t(TABLES.patchSnapshots), instances: t(TABLES.patchInstances), runs: t(TABLES.patchRuns) };
  const on = (a: string, b: string) => ['account', 'region', 'instance_id'].map((c) => `${b}.${c} = ${a}.${c}`).join(' AND ');
  return `WITH ${asOf(d, tables, '', scope)}, ${asOfPatches('', scope)}, critical AS (
  SELECT r.account, r.region, r.instance_id, count(*) AS patches, array_agg(r.kbid ORDER BY r.kbid) AS kbids
  FROM patch_rows r
  WHERE ${CRITICAL}
  GROUP BY r.account, r.region, r.instance_id
), instance_status AS (
  SELECT l.account, l.region, l.instance_id,
         CASE WHEN a.instance_id IS NULL THEN 'unknown'
              WHEN c.patches > 0 THEN 'missing_critical'
              ELSE 'no_critical_missing' END AS status,
         -- why unknown: the latest record's status (not_scanned, unmanaged or failed)
         CASE WHEN a.instance_id IS NULL THEN l.status END AS unknown_reason,
         CASE WHEN a.instance_id IS NULL THEN NULL ELSE coalesce(c.patches, 0) END AS missing_critical_patches,
         c.kbids AS missing_critical_kbids,
         a.snapshot_time, a.run_id, a.operation_end_time AS scan_time, a.baseline_id,
         l.status AS latest_status, l.snapshot_time AS latest_snapshot_time
  FROM latest l
  LEFT JOIN chosen a ON ${on('l', 'a')}
  LEFT JOIN critical c ON ${on('l', 'c')}
)`;
}

function header(parameters: readonly string[], example: string): string {
  return `-- Parameters in order: ${parameters.join(', ')}\n-- e.g. ${example}\n`;
}

/** The fleet questions over the tables of database `db`, rendered for `dialect`. */
export function fleetQueries(db: string, dialect: FleetDialect = FLEET_ATHENA): NamedQuery[] {
  const d = dialect;
  const t = (name: string) => `"${db}"."${name}"`;
  const patchPruning = 'Reads only the day partitions of the lookback window, in every configured account and region.';
  const inventoryPruning =
    "Reads every configured account and region's current inventory file of the type (the sync keeps one per instance, no history).";
  const queries: Array<Omit<NamedQuery, 'description'> & { what: string; pruning: string; example: string }> = [
    {
      id: 'missing-critical-by-account',
      name: 'fleet: missing critical patches as of a date, by account',
      what: "Per account: instances seen in the lookback window, those whose latest complete snapshot on or before as_of has a non-compliant critical patch (severity Critical or classification CriticalUpdates), the number of such patches, and instances unknown (no complete snapshot in the window: never scanned, unmanaged or failed; never counted compliant). A failed run's pages never count.",
      pruning: patchPruning,
      parameters: AS_OF_PARAMS,
      example: "'2025-06-01', 14, '2025-06-01', '2025-06-01', 14, '2025-06-01'",
      query: `${criticalAsOf(d, db)}
SELECT account,
       count(*) AS instances_seen,
       count(CASE WHEN status = 'missing_critical' THEN 1 END) AS instances_missing_critical,
       coalesce(sum(missing_critical_patches), 0) AS missing_critical_patches,
       count(CASE WHEN status = 'unknown' THEN 1 END) AS instances_unknown,
       count(DISTINCT region) AS regions,
       max(snapshot_time) AS latest_snapshot
FROM instance_status
GROUP BY account
ORDER BY account`,
    },
    {
      id: 'critical-by-instance',
      name: 'fleet: critical patch status per instance as of a date',
      what: 'Every instance seen in the lookback window, per account and region: missing_critical (with the KB ids or packages), no_critical_missing, or unknown with the reason; the snapshot that answers and the latest attempt.',
      pruning: patchPruning,
      parameters: AS_OF_PARAMS,
      example: "'2025-06-01', 14, '2025-06-01', '2025-06-01', 14, '2025-06-01'",
      query: `${criticalAsOf(d, db)}
SELECT * FROM instance_status
ORDER BY CASE status WHEN 'missing_critical' THEN 0 WHEN 'unknown' THEN 1 ELSE 2 END, account, region, instance_id`,
    },
    {
      id: 'agents-older-than',
      name: 'fleet: SSM Agent older than a version',
      what: 'Managed nodes whose SSM Agent is older than the given version, compared part by part as numbers (3.3.40.0 is older than 3.3.1142.0).',
      pruning: inventoryPruning,
      parameters: ['version'],
      example: "'3.3.1142.0'",
      query: `SELECT accountid AS account, region, resourceid AS instance_id, computername, platformname, platformversion, agentversion, instancestatus, capturetime
FROM ${t(TABLES.instanceInformation)}
WHERE ${versionKey(d, 'agentversion')} < ${versionKey(d, 'CAST(? AS VARCHAR)')}
ORDER BY account, region, instance_id`,
    },
    {
      id: 'software-version-spread',
      name: 'fleet: software version spread',
      what: 'Per application name and version: how many accounts, regions and instances run it, newest version first. The name is a LIKE pattern, case-insensitive (% for everything).',
      pruning: inventoryPruning,
      parameters: ['name pattern'],
      example: "'%openssl%'",
      query: `SELECT name, version,
       count(DISTINCT accountid) AS accounts,
       count(DISTINCT accountid || '/' || region) AS account_regions,
       count(DISTINCT accountid || '/' || region || '/' || resourceid) AS instances
FROM ${t(TABLES.application)}
WHERE lower(name) LIKE lower(CAST(? AS VARCHAR))
GROUP BY name, version
ORDER BY name, ${versionKey(d, 'version')} DESC`,
    },
  ];
  return queries.map(({ what, pruning, example, ...q }) => ({
    ...q,
    description: `${what} ${pruning} Parameters in order: ${q.parameters.join(', ')}.`,
    query: header(q.parameters, example) + q.query,
  }));
}
