import { Construct } from 'constructs';
import { GlueCatalogDatabase } from '@cdktf/provider-aws/lib/glue-catalog-database';
import { GlueCatalogTable } from '@cdktf/provider-aws/lib/glue-catalog-table';
import { AthenaWorkgroup } from '@cdktf/provider-aws/lib/athena-workgroup';
import { AthenaNamedQuery } from '@cdktf/provider-aws/lib/athena-named-query';
import { SharedResources } from '../../platform/shared';
import { SecureBucket } from '../../constructs/secure-bucket';

/**
 * Columns of one snapshot record (one JSON object per page; see definition.ts), in
 * Hive types. `patches` mirrors DescribeInstancePatches' PatchComplianceData; the
 * OpenX SerDe matches keys case-insensitively, so `KBId` fills `kbid`.
 */
export const SNAPSHOT_COLUMNS: ReadonlyArray<{ name: string; type: string; comment: string }> = [
  { name: 'instance_id', type: 'string', comment: 'EC2 instance id' },
  { name: 'snapshot_time', type: 'string', comment: 'Execution start, ISO 8601 UTC (same for every record of a run)' },
  { name: 'run_id', type: 'string', comment: 'Step Functions execution name' },
  { name: 'page', type: 'int', comment: 'DescribeInstancePatches page number, from 1' },
  {
    name: 'patches',
    type: 'array<struct<title:string,kbid:string,classification:string,severity:string,state:string,installedtime:string,cveids:string>>',
    comment: 'PatchComplianceData items of the page',
  },
];

/** The Glue table of the snapshots. */
export const SNAPSHOT_TABLE = 'snapshots';

/** Partition columns: the `year=/month=/day=` folders. */
export const PARTITION_COLUMNS = ['year', 'month', 'day'] as const;

/** First year partition projection enumerates; later years are added by widening the range. */
export const FIRST_YEAR = 2024;
export const LAST_YEAR = 2099;

/**
 * States a patch baseline reports as non-compliant, normalized (upper case, no "_"):
 * the API says MISSING / INSTALLED_PENDING_REBOOT, older consoles Missing / InstalledPendingReboot.
 */
export const NONCOMPLIANT_STATES = ['MISSING', 'FAILED', 'INSTALLEDPENDINGREBOOT', 'AVAILABLESECURITYUPDATE'];

/** A Glue/Athena identifier from a physical name: lower case, `_` for `-`. */
export function glueName(name: string): string {
  return name.toLowerCase().replace(/-/g, '_');
}

const state = (col: string) => `upper(replace(${col}, '_', ''))`;
const noncompliant = (col: string) => `${state(col)} IN (${NONCOMPLIANT_STATES.map((s) => `'${s}'`).join(', ')})`;

/** The saved queries. `?` are execution parameters (Athena asks for them when run from the console). */
export function namedQueries(table: string): Array<{ id: string; name: string; description: string; query: string }> {
  return [
    {
      id: 'missing-on-date',
      name: 'patch-history: missing patches on a date',
      description: 'Instances and their non-compliant patches in the last snapshot of a day. Parameters: year, month, day (numbers).',
      query: `-- Parameters: year, month, day (e.g. 2025, 3, 7)
WITH day_records AS (
  SELECT * FROM ${table} WHERE year = ? AND month = ? AND day = ?
), latest AS (
  -- a day can hold several runs (a manual one, say): keep each instance's last
  SELECT instance_id, max(snapshot_time) AS snapshot_time FROM day_records GROUP BY instance_id
)
SELECT r.instance_id, r.snapshot_time, p.classification, p.severity, p.state, p.kbid, p.title, p.cveids
FROM day_records r
JOIN latest l ON r.instance_id = l.instance_id AND r.snapshot_time = l.snapshot_time
CROSS JOIN UNNEST(r.patches) AS t(p)
WHERE ${noncompliant('p.state')}
ORDER BY r.instance_id, p.severity, p.kbid`,
    },
    {
      id: 'noncompliant-streak',
      name: 'patch-history: non-compliant for N consecutive snapshots',
      description: 'Instances whose last N snapshots all had a non-compliant patch. Parameters: N, N (the same number twice).',
      query: `-- Parameters: N, N (the same number twice, e.g. 3, 3)
WITH per_snapshot AS (
  SELECT instance_id, snapshot_time,
         coalesce(bool_or(${noncompliant('p.state')}), false) AS noncompliant,
         count_if(${noncompliant('p.state')}) AS noncompliant_patches
  FROM ${table}
  LEFT JOIN UNNEST(patches) AS t(p) ON true
  GROUP BY instance_id, snapshot_time
), ranked AS (
  SELECT *, row_number() OVER (PARTITION BY instance_id ORDER BY snapshot_time DESC) AS recent
  FROM per_snapshot
)
SELECT instance_id, min(snapshot_time) AS since, max(snapshot_time) AS latest, max_by(noncompliant_patches, snapshot_time) AS noncompliant_patches_now
FROM ranked
WHERE recent <= ?
GROUP BY instance_id
HAVING count(*) = ? AND bool_and(noncompliant)
ORDER BY instance_id`,
    },
    {
      id: 'changes-between',
      name: 'patch-history: what changed between two snapshots',
      description:
        'Per instance and patch, the state on day A and day B where it differs (appeared, disappeared, changed). Parameters: year, month, day of A, then of B.',
      query: `-- Parameters: year, month, day of snapshot A, then year, month, day of snapshot B
WITH a AS (
  SELECT instance_id, snapshot_time, patches FROM ${table} WHERE year = ? AND month = ? AND day = ?
), b AS (
  SELECT instance_id, snapshot_time, patches FROM ${table} WHERE year = ? AND month = ? AND day = ?
), a_last AS (
  SELECT r.instance_id, p.kbid, p.title, p.state
  FROM a r JOIN (SELECT instance_id, max(snapshot_time) AS t FROM a GROUP BY instance_id) l
    ON r.instance_id = l.instance_id AND r.snapshot_time = l.t
  CROSS JOIN UNNEST(r.patches) AS x(p)
), b_last AS (
  SELECT r.instance_id, p.kbid, p.title, p.state
  FROM b r JOIN (SELECT instance_id, max(snapshot_time) AS t FROM b GROUP BY instance_id) l
    ON r.instance_id = l.instance_id AND r.snapshot_time = l.t
  CROSS JOIN UNNEST(r.patches) AS x(p)
)
SELECT coalesce(a_last.instance_id, b_last.instance_id) AS instance_id,
       coalesce(a_last.kbid, b_last.kbid) AS kbid,
       coalesce(a_last.title, b_last.title) AS title,
       a_last.state AS state_a,
       b_last.state AS state_b,
       CASE WHEN a_last.state IS NULL THEN 'appeared'
            WHEN b_last.state IS NULL THEN 'disappeared'
            ELSE 'changed' END AS change
FROM a_last
FULL OUTER JOIN b_last
  ON a_last.instance_id = b_last.instance_id AND a_last.kbid = b_last.kbid AND a_last.title = b_last.title
WHERE a_last.state IS NULL OR b_last.state IS NULL OR a_last.state <> b_last.state
ORDER BY instance_id, kbid`,
    },
  ];
}

export interface PatchHistoryQueryProps {
  readonly shared: SharedResources;
  /** Bucket holding the snapshots. */
  readonly bucket: SecureBucket;
  /** Its physical name (a literal, so the table location reads plainly in the plan). */
  readonly bucketName: string;
  /** Key prefix of the snapshots in that bucket. */
  readonly prefix: string;
  /** Days Athena query results are kept. */
  readonly resultRetentionDays: number;
}

/**
 * The query layer: a Glue table over the snapshots whose partitions Athena projects
 * from the key layout (no crawler, no partition maintenance), a workgroup that
 * enforces an encrypted result location, and the saved queries.
 *
 * Partition keys are year/month/day only. The key layout also has an
 * `instanceid=` folder, but a projected instance id would have to be `injected`,
 * and Athena then refuses every query without `instanceid = '<literal>'`, which
 * rules out the fleet-wide questions this table exists for. Athena reads the
 * `instanceid=` folders below each day, and every record carries `instance_id`.
 */
export class PatchHistoryQuery extends Construct {
  readonly database: GlueCatalogDatabase;
  readonly table: GlueCatalogTable;
  readonly workgroup: AthenaWorkgroup;
  readonly resultsBucket: SecureBucket;
  /** `"<database>"."snapshots"`, as the saved queries name the table (a literal, not a reference). */
  readonly qualifiedTable: string;

  constructor(scope: Construct, id: string, props: PatchHistoryQueryProps) {
    super(scope, id);
    const { shared } = props;
    const location = `s3://${props.bucketName}/${props.prefix}/`;
    const databaseName = glueName(`${shared.naming.prefix}_patch_history`);
    this.qualifiedTable = `"${databaseName}"."${SNAPSHOT_TABLE}"`;

    this.database = new GlueCatalogDatabase(this, 'database', {
      name: databaseName,
      description: `Patch-compliance snapshots of account ${shared.accountId} in ${shared.region} (ssm-baseline)`,
    });
    this.table = new GlueCatalogTable(this, 'table', {
      name: SNAPSHOT_TABLE,
      databaseName: this.database.name,
      description: 'One row per instance, run and DescribeInstancePatches page; UNNEST(patches) for one row per patch',
      tableType: 'EXTERNAL_TABLE',
      parameters: {
        EXTERNAL: 'TRUE',
        classification: 'json',
        'projection.enabled': 'true',
        'projection.year.type': 'integer',
        'projection.year.range': `${FIRST_YEAR},${LAST_YEAR}`,
        'projection.month.type': 'integer',
        'projection.month.range': '1,12',
        'projection.month.digits': '2',
        'projection.day.type': 'integer',
        'projection.day.range': '1,31',
        'projection.day.digits': '2',
        // `$${` is Terraform's escape for a literal `${`: Athena fills these in, not Terraform.
        'storage.location.template': `${location}${PARTITION_COLUMNS.map((c) => `${c}=$\${${c}}`).join('/')}/`,
      },
      partitionKeys: PARTITION_COLUMNS.map((name) => ({ name, type: 'int' })),
      storageDescriptor: {
        location,
        inputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
        outputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
        serDeInfo: {
          name: 'openx-json',
          serializationLibrary: 'org.openx.data.jsonserde.JsonSerDe',
          // Malformed objects must fail the query, not vanish from the answer.
          parameters: { 'case.insensitive': 'TRUE', 'ignore.malformed.json': 'FALSE' },
        },
        columns: SNAPSHOT_COLUMNS.map((c) => ({ name: c.name, type: c.type, comment: c.comment })),
      },
    });
    this.resultsBucket = new SecureBucket(this, 'results', {
      bucketName: shared.naming.bucket('patch-queries'),
      expirationDays: props.resultRetentionDays,
      noncurrentVersionExpirationDays: 1,
    });
    this.workgroup = new AthenaWorkgroup(this, 'workgroup', {
      name: shared.naming.regional('patch-history', 'athenaWorkgroup'),
      description: 'Queries over the patch-compliance history (ssm-baseline)',
      state: 'ENABLED',
      forceDestroy: false,
      configuration: {
        // Clients cannot redirect results to an unencrypted or foreign location.
        enforceWorkgroupConfiguration: true,
        publishCloudwatchMetricsEnabled: true,
        // A runaway query over years of history stops at 10 GB scanned.
        bytesScannedCutoffPerQuery: 10 * 1024 ** 3,
        resultConfiguration: {
          outputLocation: `s3://${this.resultsBucket.bucketName}/results/`,
          encryptionConfiguration: { encryptionOption: 'SSE_S3' },
          expectedBucketOwner: shared.accountId,
        },
      },
    });

    for (const q of namedQueries(this.qualifiedTable)) {
      new AthenaNamedQuery(this, `query-${q.id}`, {
        name: q.name,
        description: q.description,
        workgroup: this.workgroup.id,
        database: this.database.name,
        query: q.query,
      });
    }
  }
}
