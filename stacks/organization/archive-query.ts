import { Construct } from 'constructs';
import { GlueCatalogDatabase } from '@cdktf/provider-aws/lib/glue-catalog-database';
import { GlueCatalogTable } from '@cdktf/provider-aws/lib/glue-catalog-table';
import { AthenaWorkgroup } from '@cdktf/provider-aws/lib/athena-workgroup';
import { SecureBucket } from '../constructs/secure-bucket';
import { queryWorkgroup, workgroupQueries } from '../constructs/athena-workgroup';
import {
  GlueColumn,
  INSTANCE_TABLE,
  RUN_TABLE,
  SNAPSHOT_TABLE,
  TABLES as PATCH_HISTORY_TABLES,
  TABLE_FOLDERS,
} from '../capabilities/patch-history/queries';
import { ARCHIVE_FOLDERS, archiveBucketName, archiveDatabaseName, archiveQueryBucketName } from './archive-names';
import { DAY_SQL_FORMAT, FLEET_ATHENA, TABLES, fleetQueries } from './archive-sql';

export { DAY_SQL_FORMAT, FLEET_ATHENA, FLEET_DUCKDB, TABLES, fleetQueries } from './archive-sql';

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
 * - The patch-history records (pages, per-instance records, run manifests) each get a
 *   table: the spoke writes the records contract's layout below its account/region
 *   prefix, so the fleet queries answer "as of" a date the way the per-account ones do.
 * Inventory has no date: Resource Data Sync overwrites each instance's file with the
 * current state (history of inventory is AWS Config's job).
 */

/** First day the snapshot projection enumerates. */
export const FIRST_DAY = '2024-01-01';

/** The `day` partition's format: the snapshot's `year=/month=/day=` folders as one date (Java DateTimeFormatter). */
export const DAY_FORMAT = "'year='yyyy'/month='MM'/day='dd";

/** Glue's limit on one table parameter value (characters). */
export const GLUE_PARAMETER_VALUE_LIMIT = 512_000;

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

/**
 * The patch-history record kinds in the archive: the spoke writes the records contract's
 * layout below its `patch-history/account=<id>/region=<r>/` prefix, so each kind's
 * folder under that prefix is the one the per-account tables read.
 */
const PATCH_TABLES = [
  {
    id: 'patch-snapshots',
    name: TABLES.patchSnapshots,
    source: SNAPSHOT_TABLE,
    description: 'Patch snapshots of every spoke: one row per instance, run and page; UNNEST(patches) for one row per patch',
  },
  {
    id: 'patch-instance-snapshots',
    name: TABLES.patchInstances,
    source: INSTANCE_TABLE,
    description:
      "Per-instance records of every spoke's runs: status (only complete counts as a snapshot; pages of other runs never do) and the scan's provenance",
  },
  {
    id: 'patch-runs',
    name: TABLES.patchRuns,
    source: RUN_TABLE,
    description: 'Run manifests of every spoke: one row per run, with its filters and how many nodes it listed',
  },
] as const;

/** One Glue table of the archive as data (the construct creates it; the tests load objects the way it reads them). */
export interface ArchiveTableSpec {
  /** Construct id (API: renaming one replaces the table). */
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly location: string;
  readonly partitionKeys: ReadonlyArray<{ readonly name: string; readonly comment?: string }>;
  /** Table parameters: partition projection and `storage.location.template` (with `$${` for Athena's `${`). */
  readonly parameters: Readonly<Record<string, string>>;
  readonly columns: readonly GlueColumn[];
}

// `$${` is Terraform's escape for a literal `${`: Athena fills these in, not Terraform.
const slot = (column: string) => `$\${${column}}`;

/** The archive's tables over `bucket`, projected over the given accounts and regions. */
export function archiveTables(bucket: string, accounts: readonly string[], regions: readonly string[]): ArchiveTableSpec[] {
  const patchLocation = `s3://${bucket}/${ARCHIVE_FOLDERS.patchHistory}/`;
  const [, yearFirst, monthFirst, dayFirst] = /^(\d{4})-(\d{2})-(\d{2})$/.exec(FIRST_DAY)!;
  const patch = PATCH_TABLES.map((p): ArchiveTableSpec => ({
    id: p.id,
    name: p.name,
    description: p.description,
    location: patchLocation,
    partitionKeys: [
      { name: 'account' },
      { name: 'region' },
      { name: 'day', comment: `The snapshot folder, e.g. year=2025/month=06/day=01 (date_format(d, '${DAY_SQL_FORMAT}'))` },
    ],
    parameters: {
      EXTERNAL: 'TRUE',
      classification: 'json',
      'projection.enabled': 'true',
      'projection.account.type': 'enum',
      'projection.account.values': accounts.join(','),
      'projection.region.type': 'enum',
      'projection.region.values': regions.join(','),
      'projection.day.type': 'date',
      'projection.day.format': DAY_FORMAT,
      'projection.day.range': `year=${yearFirst}/month=${monthFirst}/day=${dayFirst},NOW`,
      'projection.day.interval': '1',
      'projection.day.interval.unit': 'DAYS',
      'storage.location.template': `${patchLocation}account=${slot('account')}/region=${slot('region')}/${TABLE_FOLDERS[p.source]}${slot('day')}/`,
    },
    columns: PATCH_HISTORY_TABLES.find((t) => t.name === p.source)!.columns,
  }));
  const inventory = INVENTORY_TABLES.map((inv): ArchiveTableSpec => {
    const location = `s3://${bucket}/${ARCHIVE_FOLDERS.inventory}/${inv.type}/`;
    return {
      id: inv.table.replace(/_/g, '-'),
      name: inv.table,
      description: `${inv.type} of every spoke, from Resource Data Sync (current state: the sync overwrites each instance's file)`,
      location,
      // The sync's own folder names, so its layout needs no mapping.
      partitionKeys: ['accountid', 'region', 'resourcetype'].map((name) => ({ name })),
      parameters: {
        EXTERNAL: 'TRUE',
        classification: 'json',
        'projection.enabled': 'true',
        'projection.accountid.type': 'enum',
        'projection.accountid.values': accounts.join(','),
        'projection.region.type': 'enum',
        'projection.region.values': regions.join(','),
        'projection.resourcetype.type': 'enum',
        'projection.resourcetype.values': INVENTORY_RESOURCE_TYPES.join(','),
        'storage.location.template': `${location}accountid=${slot('accountid')}/region=${slot('region')}/resourcetype=${slot('resourcetype')}/`,
      },
      columns: inv.columns.map((name) => ({ name, type: 'string', comment: '' })),
    };
  });
  return [...patch, ...inventory];
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
/**
 * The hub's query layer over the archive: one Glue database with the patch-history
 * tables (pages, per-instance records, run manifests) and two inventory tables (partition projection), a workgroup with an enforced,
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

    const tables: Record<string, GlueCatalogTable> = {};
    for (const t of archiveTables(bucket, props.memberAccountIds, props.regions)) {
      tables[t.name] = new GlueCatalogTable(this, t.id, {
        name: t.name,
        databaseName: this.database.name,
        description: t.description,
        tableType: 'EXTERNAL_TABLE',
        parameters: { ...t.parameters },
        partitionKeys: t.partitionKeys.map((k) => ({ name: k.name, type: 'string', ...(k.comment ? { comment: k.comment } : {}) })),
        storageDescriptor: {
          location: t.location,
          ...TEXT_IO,
          serDeInfo: JSON_SERDE,
          columns: t.columns.map((c) => ({ name: c.name, type: c.type, ...(c.comment ? { comment: c.comment } : {}) })),
        },
      });
    }
    this.tables = {
      patchSnapshots: tables[TABLES.patchSnapshots],
      patchInstances: tables[TABLES.patchInstances],
      patchRuns: tables[TABLES.patchRuns],
      instanceInformation: tables[TABLES.instanceInformation],
      application: tables[TABLES.application],
    };

    ({ resultsBucket: this.resultsBucket, workgroup: this.workgroup } = queryWorkgroup(this, {
      name: `${props.namePrefix}-fleet-archive`,
      description: 'Fleet-wide queries over the archive (ssm-baseline hub)',
      resultsBucketName: archiveQueryBucketName(props),
      resultRetentionDays: props.resultRetentionDays ?? 30,
      expectedBucketOwner: props.hubAccountId,
      // A runaway fleet query stops at 100 GB scanned.
      bytesScannedCutoffPerQuery: 100 * 1024 ** 3,
      forceDestroy: false,
    }));
    workgroupQueries(this, this.workgroup, this.database.name, fleetQueries(this.databaseName, FLEET_ATHENA));
  }
}
