import { Construct } from 'constructs';
import { GlueCatalogDatabase } from '@cdktf/provider-aws/lib/glue-catalog-database';
import { GlueCatalogTable, GlueCatalogTableStorageDescriptorColumns } from '@cdktf/provider-aws/lib/glue-catalog-table';
import { AthenaWorkgroup } from '@cdktf/provider-aws/lib/athena-workgroup';
import { AthenaNamedQuery } from '@cdktf/provider-aws/lib/athena-named-query';
import { SecureBucket } from '../constructs/secure-bucket';
import { SNAPSHOT_COLUMNS } from '../capabilities/patch-history/query';
import { ARCHIVE_FOLDERS, archiveBucketName, archiveDatabaseName, archiveQueryBucketName } from './archive-names';

/**
 * Partition design of the fleet tables (partition projection: no crawler, no
 * MSCK REPAIR, no partition maintenance):
 * - account: `enum` of the configured spoke accounts. `injected` would make Athena
 *   refuse every query without a literal `account = '...'`, which rules out the
 *   fleet-wide questions these tables exist for. 1,000 ids are 13 KB of one table
 *   parameter, far below Glue's limits (512,000 characters per parameter value,
 *   about 1 MB of table metadata); an account added later is queryable once the hub
 *   is applied again (the hub goes first in every rollout).
 * - region: `enum` of the configured regions.
 * - day (patch snapshots): `date` projection over the folders the snapshot writes
 *   (`year=YYYY/month=MM/day=DD`, one path part per run date), so a date range prunes
 *   to the days asked for; three integer columns could not express "the 14 days up to
 *   June 1" without enumerating every combination.
 * Inventory has no date: Resource Data Sync overwrites each instance's file with the
 * current state (history of inventory is AWS Config's job).
 */

/** First day the snapshot projection enumerates. */
export const FIRST_DAY = '2024-01-01';

/** The `day` partition's format: the snapshot's `year=/month=/day=` folders as one date (Java DateTimeFormatter). */
export const DAY_FORMAT = "'year='yyyy'/month='MM'/day='dd";
/** The same format for Athena's date_format (MySQL-style), so queries build `day` values from an ISO date. */
export const DAY_SQL_FORMAT = 'year=%Y/month=%m/day=%d';

/** Glue's limit on one table parameter value (characters). */
export const GLUE_PARAMETER_VALUE_LIMIT = 512_000;

/** Days before the asked date a snapshot still counts as "the state on that date" (snapshots run weekly by default). */
export const AS_OF_LOOKBACK_DAYS = 14;

export const TABLES = {
  patchSnapshots: 'patch_snapshots',
  instanceInformation: 'inventory_instance_information',
  application: 'inventory_application',
} as const;

/** Inventory types the sync writes, with the columns the fleet queries read (lower case: the OpenX SerDe matches keys case-insensitively). */
export const INVENTORY_TABLES: ReadonlyArray<{ table: string; type: string; columns: readonly string[] }> = [
  {
    table: TABLES.instanceInformation,
    type: 'AWS:InstanceInformation',
    columns: [
      'resourceid',
      'capturetime',
      'schemaversion',
      'agenttype',
      'agentversion',
      'computername',
      'iamrole',
      'instanceid',
      'instancestatus',
      'ipaddress',
      'platformname',
      'platformtype',
      'platformversion',
    ],
  },
  {
    table: TABLES.application,
    type: 'AWS:Application',
    columns: [
      'resourceid',
      'capturetime',
      'schemaversion',
      'name',
      'applicationtype',
      'publisher',
      'version',
      'release',
      'epoch',
      'installedtime',
      'architecture',
      'url',
      'summary',
      'packageid',
    ],
  },
];

/** The `resourcetype=` folder of managed instances in the sync layout. */
export const INVENTORY_RESOURCE_TYPES = ['ManagedInstanceInventory'];

const MISSING_STATES = ['MISSING', 'FAILED'];

/** The fleet questions, over `"<database>"."<table>"` names. `?` are execution parameters. */
export function fleetQueries(db: string): Array<{ id: string; name: string; description: string; query: string }> {
  const t = (name: string) => `"${db}"."${name}"`;
  const day = (param: string) => `date_format(${param}, '${DAY_SQL_FORMAT}')`;
  return [
    {
      id: 'missing-critical-by-account',
      name: 'fleet: missing critical patches as of a date, by account',
      description: `Per account: instances and critical patches missing or failed in each instance's last snapshot up to the date (${AS_OF_LOOKBACK_DAYS} days back). Parameters: the date (YYYY-MM-DD), twice.`,
      query: `-- Parameters: the date as YYYY-MM-DD, twice (e.g. '2025-06-01', '2025-06-01')
WITH recent AS (
  SELECT * FROM ${t(TABLES.patchSnapshots)}
  WHERE day BETWEEN ${day(`date(?) - interval '${AS_OF_LOOKBACK_DAYS}' day`)} AND ${day('date(?)')}
), latest AS (
  -- each instance's last run on or before the date
  SELECT account, region, instance_id, max(snapshot_time) AS snapshot_time FROM recent GROUP BY account, region, instance_id
)
SELECT r.account,
       count(DISTINCT r.region || '/' || r.instance_id) AS instances_missing_critical,
       count(*) AS missing_critical_patches,
       max(r.snapshot_time) AS latest_snapshot
FROM recent r
JOIN latest l ON r.account = l.account AND r.region = l.region AND r.instance_id = l.instance_id AND r.snapshot_time = l.snapshot_time
CROSS JOIN UNNEST(r.patches) AS x(p)
WHERE upper(replace(p.state, '_', '')) IN (${MISSING_STATES.map((s) => `'${s}'`).join(', ')})
  AND (upper(p.severity) = 'CRITICAL' OR upper(p.classification) = 'CRITICALUPDATES')
GROUP BY r.account
ORDER BY r.account`,
    },
    {
      id: 'agents-older-than',
      name: 'fleet: SSM Agent older than a version',
      description:
        'Managed instances whose SSM Agent is older than the given version (compared numerically, part by part). Parameter: the version, e.g. 3.3.0.0.',
      query: `-- Parameter: the version, e.g. '3.3.0.0'
SELECT accountid AS account, region, instanceid, computername, platformname, platformversion, agentversion, instancestatus, capturetime
FROM ${t(TABLES.instanceInformation)}
WHERE transform(split(agentversion, '.'), v -> try_cast(v AS bigint)) < transform(split(?, '.'), v -> try_cast(v AS bigint))
ORDER BY account, region, instanceid`,
    },
    {
      id: 'software-version-spread',
      name: 'fleet: software version spread',
      description:
        'Per application and version: how many accounts and instances run it. Parameter: a name pattern (LIKE, case-insensitive), e.g. %openssl%.',
      query: `-- Parameter: a name pattern, e.g. '%openssl%' ('%' for everything)
SELECT name, version,
       count(DISTINCT accountid) AS accounts,
       count(DISTINCT accountid || '/' || region || '/' || resourceid) AS instances
FROM ${t(TABLES.application)}
WHERE lower(name) LIKE lower(?)
GROUP BY name, version
ORDER BY name, instances DESC, version`,
    },
  ];
}

export interface FleetArchiveQueryProps {
  readonly namePrefix: string;
  readonly hubAccountId: string;
  readonly hubRegion: string;
  /** The spoke accounts (the `account` / `accountid` partition values). */
  readonly memberAccountIds: readonly string[];
  /** The spoke regions (the `region` partition values). */
  readonly regions: readonly string[];
  /** Days Athena query results are kept. @default 30 */
  readonly resultRetentionDays?: number;
}

const JSON_SERDE = {
  name: 'openx-json',
  serializationLibrary: 'org.openx.data.jsonserde.JsonSerDe',
  // Malformed objects must fail the query, not vanish from the answer.
  parameters: { 'case.insensitive': 'TRUE', 'ignore.malformed.json': 'FALSE' },
};
const TEXT_IO = {
  inputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
  outputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
};
// `$${` is Terraform's escape for a literal `${`: Athena fills these in, not Terraform.
const slot = (column: string) => `$\${${column}}`;

/**
 * The hub's query layer over the archive: one Glue database with the patch snapshot
 * table and two inventory tables (partition projection), a workgroup with an enforced,
 * encrypted result location, and the fleet questions as named queries.
 */
export class FleetArchiveQuery extends Construct {
  readonly database: GlueCatalogDatabase;
  readonly tables: Record<keyof typeof TABLES, GlueCatalogTable>;
  readonly workgroup: AthenaWorkgroup;
  readonly resultsBucket: SecureBucket;
  readonly databaseName: string;

  constructor(scope: Construct, id: string, props: FleetArchiveQueryProps) {
    super(scope, id);
    const accounts = props.memberAccountIds.join(',');
    const regions = props.regions.join(',');
    const problems: string[] = [];
    if (!props.memberAccountIds.length) problems.push('memberAccountIds: name at least one account (the account partition values)');
    if (!props.regions.length) problems.push('regions: name at least one region (the region partition values)');
    if (accounts.length > GLUE_PARAMETER_VALUE_LIMIT)
      problems.push(
        `memberAccountIds: ${props.memberAccountIds.length} accounts make a ${accounts.length}-character partition list, over Glue's ${GLUE_PARAMETER_VALUE_LIMIT}`,
      );
    if (problems.length) throw new Error(`FleetArchiveQuery:\n${problems.map((p) => `  ${p}`).join('\n')}`);

    const bucket = archiveBucketName(props);
    this.databaseName = archiveDatabaseName(props);
    this.database = new GlueCatalogDatabase(this, 'database', {
      name: this.databaseName,
      description: `Fleet archive of every spoke account (ssm-baseline hub ${props.hubAccountId}, ${props.hubRegion})`,
    });

    const patchLocation = `s3://${bucket}/${ARCHIVE_FOLDERS.patchHistory}/`;
    const [, yearFirst, monthFirst, dayFirst] = /^(\d{4})-(\d{2})-(\d{2})$/.exec(FIRST_DAY)!;
    const patchSnapshots = new GlueCatalogTable(this, 'patch-snapshots', {
      name: TABLES.patchSnapshots,
      databaseName: this.database.name,
      description: 'Patch snapshots of every spoke: one row per instance, run and page; UNNEST(patches) for one row per patch',
      tableType: 'EXTERNAL_TABLE',
      parameters: {
        EXTERNAL: 'TRUE',
        classification: 'json',
        'projection.enabled': 'true',
        'projection.account.type': 'enum',
        'projection.account.values': accounts,
        'projection.region.type': 'enum',
        'projection.region.values': regions,
        'projection.day.type': 'date',
        'projection.day.format': DAY_FORMAT,
        'projection.day.range': `year=${yearFirst}/month=${monthFirst}/day=${dayFirst},NOW`,
        'projection.day.interval': '1',
        'projection.day.interval.unit': 'DAYS',
        'storage.location.template': `${patchLocation}account=${slot('account')}/region=${slot('region')}/${slot('day')}/`,
      },
      partitionKeys: [
        { name: 'account', type: 'string' },
        { name: 'region', type: 'string' },
        {
          name: 'day',
          type: 'string',
          comment: `The snapshot folder, e.g. year=2025/month=06/day=01 (date_format(d, '${DAY_SQL_FORMAT}'))`,
        },
      ],
      storageDescriptor: {
        location: patchLocation,
        ...TEXT_IO,
        serDeInfo: JSON_SERDE,
        columns: SNAPSHOT_COLUMNS.map((c) => ({ name: c.name, type: c.type, comment: c.comment })),
      },
    });

    const inventory: Record<string, GlueCatalogTable> = {};
    for (const inv of INVENTORY_TABLES) {
      const location = `s3://${bucket}/${ARCHIVE_FOLDERS.inventory}/${inv.type}/`;
      const columns: GlueCatalogTableStorageDescriptorColumns[] = inv.columns.map((name) => ({ name, type: 'string' }));
      inventory[inv.table] = new GlueCatalogTable(this, inv.table.replace(/_/g, '-'), {
        name: inv.table,
        databaseName: this.database.name,
        description: `${inv.type} of every spoke, from Resource Data Sync (current state: the sync overwrites each instance's file)`,
        tableType: 'EXTERNAL_TABLE',
        parameters: {
          EXTERNAL: 'TRUE',
          classification: 'json',
          'projection.enabled': 'true',
          'projection.accountid.type': 'enum',
          'projection.accountid.values': accounts,
          'projection.region.type': 'enum',
          'projection.region.values': regions,
          'projection.resourcetype.type': 'enum',
          'projection.resourcetype.values': INVENTORY_RESOURCE_TYPES.join(','),
          'storage.location.template': `${location}accountid=${slot('accountid')}/region=${slot('region')}/resourcetype=${slot('resourcetype')}/`,
        },
        // The sync's own folder names, so its layout needs no mapping.
        partitionKeys: ['accountid', 'region', 'resourcetype'].map((name) => ({ name, type: 'string' })),
        storageDescriptor: { location, ...TEXT_IO, serDeInfo: JSON_SERDE, columns },
      });
    }
    this.tables = {
      patchSnapshots,
      instanceInformation: inventory[TABLES.instanceInformation],
      application: inventory[TABLES.application],
    };

    this.resultsBucket = new SecureBucket(this, 'results', {
      bucketName: archiveQueryBucketName(props),
      expirationDays: props.resultRetentionDays ?? 30,
      noncurrentVersionExpirationDays: 1,
    });
    this.workgroup = new AthenaWorkgroup(this, 'workgroup', {
      name: `${props.namePrefix}-fleet-archive`,
      description: 'Fleet-wide queries over the archive (ssm-baseline hub)',
      state: 'ENABLED',
      forceDestroy: false,
      configuration: {
        enforceWorkgroupConfiguration: true,
        publishCloudwatchMetricsEnabled: true,
        // A runaway fleet query stops at 100 GB scanned.
        bytesScannedCutoffPerQuery: 100 * 1024 ** 3,
        resultConfiguration: {
          outputLocation: `s3://${this.resultsBucket.bucketName}/results/`,
          encryptionConfiguration: { encryptionOption: 'SSE_S3' },
          expectedBucketOwner: props.hubAccountId,
        },
      },
    });
    for (const q of fleetQueries(this.databaseName)) {
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
