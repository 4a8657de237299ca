/**
 * The patch-history tables and saved queries as data: the Glue columns of each record
 * kind, and the SQL of each named query, written once and rendered for an engine through
 * a small dialect. The deployed named queries are the Athena rendering; the tests run the
 * DuckDB rendering of the same text on records in the layout the state machine writes.
 */

/** A Glue column: Hive type, and what it holds. */
export interface GlueColumn {
  readonly name: string;
  readonly type: string;
  readonly comment: string;
}

/** Patch pages: one record per instance, run and DescribeInstancePatches page. */
export const SNAPSHOT_TABLE = 'snapshots';
/** Per-instance records of a run: the completeness marker and the scan provenance. */
export const INSTANCE_TABLE = 'instance_snapshots';
/** Run manifests: one record per run. */
export const RUN_TABLE = 'runs';

/**
 * Key folders under the prefix, per table: pages sit directly under the prefix (their
 * layout predates the other records), instance records and manifests in their own folders.
 */
export const TABLE_FOLDERS: Readonly<Record<string, string>> = {
  [SNAPSHOT_TABLE]: '',
  [INSTANCE_TABLE]: 'instances/',
  [RUN_TABLE]: 'runs/',
};

/** Partition columns: the `year=/month=/day=` folders, the UTC date of the run's start. */
export const PARTITION_COLUMNS = ['year', 'month', 'day'] as const;

/** First and last year partition projection enumerates (widen the range to go past it). */
export const FIRST_YEAR = 2024;
export const LAST_YEAR = 2099;

const col = (name: string, type: string, comment: string): GlueColumn => ({ name, type, comment });
const ts = (name: string, comment: string) => col(name, 'string', `${comment}, ISO 8601 UTC (compares as text)`);
const count = (name: string, comment: string) => col(name, 'int', `${comment} (DescribeInstancePatchStates); null when unknown`);

/**
 * Columns of one page, in Hive types. `patches` mirrors DescribeInstancePatches'
 * PatchComplianceData; the OpenX SerDe matches keys case-insensitively, so `KBId` fills `kbid`.
 */
export const SNAPSHOT_COLUMNS: readonly GlueColumn[] = [
  col('instance_id', 'string', 'Managed node id (i-... or mi-...)'),
  ts('snapshot_time', 'Execution start (same for every record of a run)'),
  col('run_id', 'string', 'Step Functions execution name'),
  col('page', 'int', 'DescribeInstancePatches page number, from 1'),
  col(
    'patches',
    'array<struct<title:string,kbid:string,classification:string,severity:string,state:string,installedtime:string,cveids:string>>',
    'PatchComplianceData items of the page',
  ),
];

/** Columns of one instance record (written after all of the instance's pages). */
export const INSTANCE_COLUMNS: readonly GlueColumn[] = [
  col('instance_id', 'string', 'Managed node id (i-... or mi-...)'),
  col('run_id', 'string', 'Step Functions execution name'),
  ts('snapshot_time', 'Execution start (same for every record of a run)'),
  col('status', 'string', 'complete (every page written) | failed | not_scanned | unmanaged; only complete records count as a snapshot'),
  col('pages', 'int', 'Pages written'),
  col('patches', 'int', 'Patches written'),
  col('operation', 'string', 'Scan or Install: the operation that produced the patch state'),
  ts('operation_start_time', 'Start of that operation'),
  ts('operation_end_time', 'End of that operation: the scan time'),
  col('baseline_id', 'string', 'Patch baseline the node was evaluated against'),
  col('patch_group', 'string', 'Patch group of the node'),
  count('installed_count', 'Installed patches'),
  count('installed_other_count', 'Installed patches outside the baseline'),
  count('installed_pending_reboot_count', 'Installed, waiting for a reboot'),
  count('installed_rejected_count', 'Installed although rejected by the baseline'),
  count('missing_count', 'Missing patches'),
  count('failed_count', 'Patches whose installation failed'),
  count('not_applicable_count', 'Not applicable patches'),
  count('unreported_not_applicable_count', 'Not applicable, not reported'),
  count('critical_non_compliant_count', 'Non-compliant patches of critical severity'),
  count('security_non_compliant_count', 'Non-compliant security patches'),
  count('other_non_compliant_count', 'Other non-compliant patches'),
  col('error', 'string', 'Error name of a failed or unmanaged node'),
  col('cause', 'string', 'Error cause'),
];

/** Columns of one run manifest (written at the end of the run). */
export const RUN_COLUMNS: readonly GlueColumn[] = [
  col('run_id', 'string', 'Step Functions execution name'),
  ts('snapshot_time', 'Execution start'),
  ts('finished_time', 'When the manifest was written'),
  col('classifications', 'array<string>', 'Classification filter of the run'),
  col('patch_states', 'array<string>', 'Patch State filter of the run (empty: every state)'),
  col('tag_key', 'string', 'Tag key that selects the nodes'),
  col('tag_value', 'string', 'Tag value that selects the nodes (null: any value)'),
  col('nodes', 'int', 'Managed nodes listed'),
  col('complete', 'int', 'Nodes recorded complete (null when the run did not sum it)'),
  col('not_scanned', 'int', 'Nodes never scanned (null when not summed)'),
  col('unmanaged', 'int', 'Listed nodes SSM does not manage (null when not summed)'),
  col('failed', 'int', 'Nodes failed after retries (null when not summed)'),
  col('pages', 'int', 'Pages written (null when not summed)'),
  col('patches', 'int', 'Patches written (null when not summed)'),
  col('definition_version', 'int', 'Version of the state machine definition that wrote the run'),
];

/** Every table: name, columns, what one row is. */
export const TABLES: ReadonlyArray<{ name: string; columns: readonly GlueColumn[]; description: string }> = [
  {
    name: SNAPSHOT_TABLE,
    columns: SNAPSHOT_COLUMNS,
    description: 'One row per instance, run and DescribeInstancePatches page; UNNEST(patches) for one row per patch',
  },
  {
    name: INSTANCE_TABLE,
    columns: INSTANCE_COLUMNS,
    description: "One row per listed node and run: status (only complete counts as a snapshot) and the scan's provenance",
  },
  { name: RUN_TABLE, columns: RUN_COLUMNS, description: 'One row per run: its filters and how many nodes it listed' },
];

/**
 * What differs between the engine the queries are deployed to (Athena, Trino-based) and
 * the one the tests run them in (DuckDB). Everything else in the query text is shared.
 */
export interface SqlDialect {
  readonly name: 'athena' | 'duckdb';
  /**
   * The partition's date from the integer partition columns. DuckDB has `make_date`;
   * Trino has none, so Athena formats the three numbers and reads them as a date.
   */
  readonly partitionDate: string;
}

export const ATHENA: SqlDialect = { name: 'athena', partitionDate: "date(format('%04d-%02d-%02d', year, month, day))" };
export const DUCKDB: SqlDialect = { name: 'duckdb', partitionDate: 'make_date(year, month, day)' };

/**
 * States a patch baseline reports as non-compliant, normalized (upper case, no "_"):
 * the API says MISSING / INSTALLED_PENDING_REBOOT, older consoles Missing / InstalledPendingReboot.
 */
export const NONCOMPLIANT_STATES = ['MISSING', 'FAILED', 'INSTALLEDPENDINGREBOOT', 'AVAILABLESECURITYUPDATE'];

const noncompliant = (c: string) => `upper(replace(${c}, '_', '')) IN (${NONCOMPLIANT_STATES.map((s) => `'${s}'`).join(', ')})`;

/**
 * The partition filter every table read carries: the partitions of the `days` days
 * ending on `date` (both execution parameters, in that order). It names only partition
 * columns and parameters, so Athena evaluates it against the projected partitions and
 * reads no other folder.
 */
export function partitionWindow(d: SqlDialect): string {
  return `date_diff('day', ${d.partitionDate}, CAST(? AS DATE)) BETWEEN 0 AND CAST(? AS INTEGER) - 1`;
}

/** `SELECT <cols> FROM <table> WHERE <partition window>`: the only way the queries read a table. */
function scan(d: SqlDialect, table: string, cols: string, window = partitionWindow(d)): string {
  return `SELECT ${cols} FROM ${table} WHERE ${window}`;
}

/**
 * Where the "as of" blocks read. Per account-region (the default) an instance is its
 * `instance_id`; the fleet archive adds its account and region partitions (`keys`),
 * since run ids and instance ids are only unique within one account-region, and its own
 * partition window (already rendered for the dialect).
 */
export interface AsOfScope {
  /** Columns that, with `instance_id`, name one instance, in order. */
  readonly keys: readonly string[];
  /** The partition filter of every table read. */
  readonly window: string;
}

/** Qualified table names as the queries use them: `"<database>"."<table>"`. */
export interface QueryTables {
  readonly snapshots: string;
  readonly instances: string;
  readonly runs: string;
}

export function qualifiedTables(database: string): QueryTables {
  const q = (t: string) => `"${database}"."${t}"`;
  return { snapshots: q(SNAPSHOT_TABLE), instances: q(INSTANCE_TABLE), runs: q(RUN_TABLE) };
}

const RECORD_COLS =
  'instance_id, run_id, snapshot_time, status, operation, operation_end_time, baseline_id, patch_group, missing_count, failed_count, installed_pending_reboot_count, error';

/**
 * The "as of" building blocks for one window (parameters: as_of date, lookback days, as
 * twice: once for the instance records, once for the pages). `<s>records` holds every
 * instance record in the window, `<s>latest` each instance's latest record of any status,
 * `<s>chosen` its latest complete one (its snapshot as of the date), `<s>pages` the pages.
 */
export function asOf(d: SqlDialect, t: QueryTables, s = '', scope?: AsOfScope): string {
  const k = (scope?.keys ?? []).map((c) => `${c}, `).join('');
  const window = scope?.window ?? partitionWindow(d);
  return `${s}records AS (
  ${scan(d, t.instances, k + RECORD_COLS, window)}
), ${s}ranked AS (
  -- several runs of one day (a manual one, say): the later snapshot wins
  SELECT r.*,
         row_number() OVER (PARTITION BY ${k}instance_id ORDER BY snapshot_time DESC, run_id DESC) AS recent,
         row_number() OVER (PARTITION BY ${k}instance_id, status = 'complete' ORDER BY snapshot_time DESC, run_id DESC) AS recent_of_status
  FROM ${s}records r
), ${s}latest AS (
  SELECT * FROM ${s}ranked WHERE recent = 1
), ${s}chosen AS (
  -- pages count only under a complete record: a failed run's partial pages never do
  SELECT * FROM ${s}ranked WHERE status = 'complete' AND recent_of_status = 1
), ${s}pages AS (
  ${scan(d, t.snapshots, `${k}instance_id, run_id, patches`, window)}
)`;
}

/** Per instance of `<s>chosen`: its non-compliant patches, one row each. */
export function asOfPatches(s = '', scope?: Pick<AsOfScope, 'keys'>): string {
  const keys = scope?.keys ?? [];
  return `${s}patch_rows AS (
  SELECT ${keys.map((c) => `a.${c}, `).join('')}a.instance_id, p.classification, p.severity, p.state, p.kbid, p.title, p.cveids
  FROM ${s}chosen a
  JOIN ${s}pages g ON ${keys.map((c) => `g.${c} = a.${c} AND `).join('')}g.instance_id = a.instance_id AND g.run_id = a.run_id
  CROSS JOIN UNNEST(g.patches) AS t(p)
  WHERE ${noncompliant('p.state')}
)`;
}

/** Fleet status per instance seen in the window (the block (b) and (c) share). */
function fleetStatus(): string {
  return `noncompliant_per_instance AS (
  SELECT instance_id, count(*) AS noncompliant_patches FROM patch_rows GROUP BY instance_id
), fleet AS (
  SELECT l.instance_id,
         CASE WHEN a.instance_id IS NULL THEN 'unknown'
              WHEN coalesce(n.noncompliant_patches, 0) > 0 THEN 'non_compliant'
              ELSE 'compliant' END AS status,
         -- why unknown: the latest record's status (not_scanned, unmanaged or failed)
         CASE WHEN a.instance_id IS NULL THEN l.status END AS unknown_reason,
         CASE WHEN a.instance_id IS NULL THEN NULL ELSE coalesce(n.noncompliant_patches, 0) END AS noncompliant_patches,
         a.snapshot_time, a.run_id, a.operation, a.operation_end_time AS scan_time, a.baseline_id, a.patch_group,
         a.missing_count, a.failed_count, a.installed_pending_reboot_count,
         l.status AS latest_status, l.snapshot_time AS latest_snapshot_time, l.error AS latest_error
  FROM latest l
  LEFT JOIN chosen a ON a.instance_id = l.instance_id
  LEFT JOIN noncompliant_per_instance n ON n.instance_id = l.instance_id
)`;
}

/** One saved query: stable id (construct id), console name, description, parameters in order, SQL. */
export interface NamedQuery {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  /** The execution parameters, in the order of the `?` in the text. */
  readonly parameters: readonly string[];
  readonly query: string;
}

const WINDOW_PARAMS = ['as_of (date)', 'lookback_days', 'as_of (date)', 'lookback_days'];
const PRUNING = 'Reads only the partitions of the lookback window (partition projection prunes the rest).';

function describeQuery(what: string, parameters: readonly string[]): string {
  return `${what} ${PRUNING} Parameters in order: ${parameters.join(', ')}.`;
}

function header(parameters: readonly string[], example: string): string {
  return `-- Parameters in order: ${parameters.join(', ')}\n-- e.g. ${example}\n`;
}

/** The saved queries over the tables of `database`, rendered for `dialect`. */
export function namedQueries(database: string, dialect: SqlDialect = ATHENA): NamedQuery[] {
  const t = qualifiedTables(database);
  const d = dialect;
  const queries: Array<Omit<NamedQuery, 'description'> & { what: string; example: string }> = [
    {
      id: 'missing-as-of',
      name: 'patch-history: missing patches as of a date',
      what: "Per instance, the non-compliant patches of its latest complete snapshot on or before as_of within lookback_days, with the scan's provenance (scan_time, operation, baseline).",
      parameters: WINDOW_PARAMS,
      example: "'2025-03-07', 14, '2025-03-07', 14",
      query: `WITH ${asOf(d, t)}, ${asOfPatches()}
SELECT a.instance_id, a.snapshot_time, a.run_id, a.operation_end_time AS scan_time, a.operation, a.baseline_id,
       r.classification, r.severity, r.state, r.kbid, r.title, r.cveids
FROM chosen a
JOIN patch_rows r ON r.instance_id = a.instance_id
ORDER BY a.instance_id, r.classification, r.severity, r.kbid, r.title`,
    },
    {
      id: 'fleet-status-as-of',
      name: 'patch-history: fleet status as of a date',
      what: 'Every instance recorded in the lookback window ending on as_of: compliant, non_compliant, or unknown when it has no complete snapshot in the window (never scanned, unmanaged, failed). Unknown is never compliant.',
      parameters: WINDOW_PARAMS,
      example: "'2025-03-07', 14, '2025-03-07', 14",
      query: `WITH ${asOf(d, t)}, ${asOfPatches()}, ${fleetStatus()}
SELECT * FROM fleet
ORDER BY CASE status WHEN 'non_compliant' THEN 0 WHEN 'unknown' THEN 1 ELSE 2 END, instance_id`,
    },
    {
      id: 'fleet-by-classification-as-of',
      name: 'patch-history: fleet view per classification and severity as of a date',
      what: "Per classification and severity, the instances with a non-compliant patch and the number of such patches as of as_of; the row classification = '(all)' totals them and counts the fleet (seen, compliant, non_compliant, unknown).",
      parameters: WINDOW_PARAMS,
      example: "'2025-03-07', 14, '2025-03-07', 14",
      query: `WITH ${asOf(d, t)}, ${asOfPatches()}, ${fleetStatus()}, totals AS (
  -- count(CASE ...), not count_if: over no rows DuckDB's count_if is null, count is 0 in both engines
  SELECT count(*) AS instances_seen,
         count(CASE WHEN status = 'compliant' THEN 1 END) AS instances_compliant,
         count(CASE WHEN status = 'non_compliant' THEN 1 END) AS instances_non_compliant,
         count(CASE WHEN status = 'unknown' THEN 1 END) AS instances_unknown
  FROM fleet
), per_class AS (
  SELECT CASE WHEN grouping(classification, severity) = 0 THEN classification ELSE '(all)' END AS classification,
         CASE WHEN grouping(classification, severity) = 0 THEN severity ELSE '(all)' END AS severity,
         count(DISTINCT instance_id) AS instances,
         count(*) AS patches
  FROM patch_rows
  GROUP BY GROUPING SETS ((classification, severity), ())
)
SELECT c.classification, c.severity, c.instances, c.patches,
       x.instances_seen, x.instances_compliant, x.instances_non_compliant, x.instances_unknown
FROM per_class c CROSS JOIN totals x
ORDER BY CASE WHEN c.classification = '(all)' AND c.severity = '(all)' THEN 0 ELSE 1 END, c.classification, c.severity`,
    },
    {
      id: 'noncompliant-streak',
      name: 'patch-history: non-compliant for the last N snapshots',
      what: 'Instances whose last N complete snapshots within the lookback window ending on as_of all had a non-compliant patch; snapshots older than the window do not count, so choose lookback_days to cover N snapshots.',
      parameters: [...WINDOW_PARAMS, 'N (snapshots)'],
      example: "'2025-03-07', 28, '2025-03-07', 28, 3",
      query: `WITH ${asOf(d, t)}, wanted AS (
  SELECT CAST(? AS INTEGER) AS snapshots
), per_snapshot AS (
  SELECT r.instance_id, r.run_id, r.snapshot_time,
         count_if(p.state IS NOT NULL AND ${noncompliant('p.state')}) AS noncompliant_patches
  FROM ranked r
  LEFT JOIN pages g ON g.instance_id = r.instance_id AND g.run_id = r.run_id
  LEFT JOIN UNNEST(g.patches) AS t(p) ON true
  WHERE r.status = 'complete'
  GROUP BY r.instance_id, r.run_id, r.snapshot_time
), numbered AS (
  SELECT s.*, row_number() OVER (PARTITION BY instance_id ORDER BY snapshot_time DESC, run_id DESC) AS recent
  FROM per_snapshot s
)
SELECT n.instance_id, min(n.snapshot_time) AS since, max(n.snapshot_time) AS latest,
       max_by(n.noncompliant_patches, n.snapshot_time) AS noncompliant_patches_now
FROM numbered n CROSS JOIN wanted w
WHERE n.recent <= w.snapshots
GROUP BY n.instance_id, w.snapshots
HAVING count(*) = w.snapshots AND min(n.noncompliant_patches) > 0
ORDER BY n.instance_id`,
    },
    {
      id: 'changes-between',
      name: 'patch-history: what changed between two dates',
      what: "Per instance and patch, the state in the snapshot as of date A and as of date B (each the latest complete one within its lookback window): appeared, disappeared or changed. An instance without a snapshot on one side shows as 'no_snapshot_a' / 'no_snapshot_b', not as every patch appearing or disappearing.",
      parameters: ['date_a', 'lookback_days', 'date_a', 'lookback_days', 'date_b', 'lookback_days', 'date_b', 'lookback_days'],
      example: "'2025-02-28', 14, '2025-02-28', 14, '2025-03-07', 14, '2025-03-07', 14",
      query: `WITH ${asOf(d, t, 'a_')}, ${asOf(d, t, 'b_')}, a_patch AS (
  SELECT x.instance_id, p.kbid, p.title, p.state
  FROM a_chosen x JOIN a_pages g ON g.instance_id = x.instance_id AND g.run_id = x.run_id
  CROSS JOIN UNNEST(g.patches) AS t(p)
), b_patch AS (
  SELECT x.instance_id, p.kbid, p.title, p.state
  FROM b_chosen x JOIN b_pages g ON g.instance_id = x.instance_id AND g.run_id = x.run_id
  CROSS JOIN UNNEST(g.patches) AS t(p)
), patch_changes AS (
  SELECT coalesce(a.instance_id, b.instance_id) AS instance_id,
         coalesce(a.kbid, b.kbid) AS kbid,
         coalesce(a.title, b.title) AS title,
         a.state AS state_a,
         b.state AS state_b,
         CASE WHEN a.state IS NULL THEN 'appeared' WHEN b.state IS NULL THEN 'disappeared' ELSE 'changed' END AS change
  FROM a_patch a
  FULL OUTER JOIN b_patch b ON a.instance_id = b.instance_id AND a.kbid = b.kbid AND a.title = b.title
  WHERE a.state IS NULL OR b.state IS NULL OR a.state <> b.state
)
SELECT c.instance_id, c.kbid, c.title, c.state_a, c.state_b,
       CASE WHEN sa.instance_id IS NULL THEN 'no_snapshot_a' WHEN sb.instance_id IS NULL THEN 'no_snapshot_b' ELSE c.change END AS change,
       sa.snapshot_time AS snapshot_a, sb.snapshot_time AS snapshot_b
FROM patch_changes c
LEFT JOIN a_chosen sa ON sa.instance_id = c.instance_id
LEFT JOIN b_chosen sb ON sb.instance_id = c.instance_id
ORDER BY c.instance_id, c.kbid, c.title`,
    },
    {
      id: 'runs-completeness',
      name: 'patch-history: runs and their completeness',
      what: 'Per run started in the lookback window ending on as_of: the nodes its manifest listed, the instance records it wrote per status, and completeness: recorded (a record for every listed node), records_missing (fewer records than nodes: a child execution could not write its record, or records were deleted) or no_manifest (records without a manifest: the run is still going, or ended before writing it).',
      parameters: WINDOW_PARAMS,
      example: "'2025-03-07', 28, '2025-03-07', 28",
      query: `WITH manifests AS (
  ${scan(d, t.runs, 'run_id, snapshot_time, finished_time, nodes, failed')}
), records AS (
  ${scan(d, t.instances, 'run_id, snapshot_time, status')}
), recorded AS (
  SELECT run_id, min(snapshot_time) AS snapshot_time, count(*) AS instance_records,
         count(CASE WHEN status = 'complete' THEN 1 END) AS complete,
         count(CASE WHEN status = 'not_scanned' THEN 1 END) AS not_scanned,
         count(CASE WHEN status = 'unmanaged' THEN 1 END) AS unmanaged,
         count(CASE WHEN status = 'failed' THEN 1 END) AS failed
  FROM records
  GROUP BY run_id
)
SELECT coalesce(m.run_id, r.run_id) AS run_id, coalesce(m.snapshot_time, r.snapshot_time) AS snapshot_time, m.finished_time,
       m.nodes, coalesce(r.instance_records, 0) AS instance_records,
       m.nodes - coalesce(r.instance_records, 0) AS missing_records,
       coalesce(r.complete, 0) AS complete, coalesce(r.not_scanned, 0) AS not_scanned,
       coalesce(r.unmanaged, 0) AS unmanaged, coalesce(r.failed, 0) AS failed,
       m.failed AS failed_child_executions,
       CASE WHEN m.run_id IS NULL THEN 'no_manifest'
            WHEN coalesce(r.instance_records, 0) < m.nodes THEN 'records_missing'
            ELSE 'recorded' END AS completeness
FROM manifests m
FULL OUTER JOIN recorded r ON r.run_id = m.run_id
ORDER BY 2 DESC, 1 DESC`,
    },
  ];
  return queries.map(({ what, example, ...q }) => ({
    ...q,
    description: describeQuery(what, q.parameters),
    query: header(q.parameters, example) + q.query,
  }));
}
