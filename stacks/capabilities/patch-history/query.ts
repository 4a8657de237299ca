import { Construct } from 'constructs';
import { GlueCatalogDatabase } from '@cdktf/provider-aws/lib/glue-catalog-database';
import { GlueCatalogTable } from '@cdktf/provider-aws/lib/glue-catalog-table';
import { AthenaWorkgroup } from '@cdktf/provider-aws/lib/athena-workgroup';
import { SharedResources } from '../../platform/shared';
import { SecureBucket } from '../../constructs/secure-bucket';
import { queryWorkgroup, workgroupQueries } from '../../constructs/athena-workgroup';
import { ATHENA, FIRST_YEAR, LAST_YEAR, PARTITION_COLUMNS, SNAPSHOT_TABLE, TABLES, TABLE_FOLDERS, namedQueries } from './queries';

export {
  SNAPSHOT_COLUMNS,
  SNAPSHOT_TABLE,
  INSTANCE_TABLE,
  RUN_TABLE,
  PARTITION_COLUMNS,
  FIRST_YEAR,
  LAST_YEAR,
  NONCOMPLIANT_STATES,
  namedQueries,
} from './queries';

/** A Glue/Athena identifier from a physical name: lower case, `_` for `-`. */
export function glueName(name: string): string {
  return name.toLowerCase().replace(/-/g, '_');
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
 * The query layer: Glue tables over the pages, the instance records and the run
 * manifests, whose partitions Athena projects from the key layout (no crawler, no
 * partition maintenance), a workgroup that enforces an encrypted result location, and
 * the saved queries (see queries.ts).
 *
 * Partition keys are year/month/day only. The key layout also has an
 * `instanceid=` folder, but a projected instance id would have to be `injected`,
 * and Athena then refuses every query without `instanceid = '<literal>'`, which
 * rules out the fleet-wide questions this table exists for. Athena reads the
 * `instanceid=` folders below each day, and every record carries `instance_id`.
 */
export class PatchHistoryQuery extends Construct {
  readonly database: GlueCatalogDatabase;
  /** The pages (`snapshots`). */
  readonly table: GlueCatalogTable;
  /** Every table by name: snapshots, instance_snapshots, runs. */
  readonly tables: Readonly<Record<string, GlueCatalogTable>>;
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
    const tables: Record<string, GlueCatalogTable> = {};
    for (const t of TABLES) {
      // The pages keep their construct id `table` (an id is the resource's address).
      tables[t.name] = new GlueCatalogTable(this, t.name === SNAPSHOT_TABLE ? 'table' : `table-${t.name}`, {
        name: t.name,
        databaseName: this.database.name,
        description: t.description,
        tableType: 'EXTERNAL_TABLE',
        parameters: projection(`${location}${TABLE_FOLDERS[t.name]}`),
        partitionKeys: PARTITION_COLUMNS.map((name) => ({ name, type: 'int' })),
        storageDescriptor: {
          location: `${location}${TABLE_FOLDERS[t.name]}`,
          inputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
          outputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
          serDeInfo: {
            name: 'openx-json',
            serializationLibrary: 'org.openx.data.jsonserde.JsonSerDe',
            // Malformed objects must fail the query, not vanish from the answer.
            parameters: { 'case.insensitive': 'TRUE', 'ignore.malformed.json': 'FALSE' },
          },
          columns: t.columns.map((c) => ({ name: c.name, type: c.type, comment: c.comment })),
        },
      });
    }
    this.tables = tables;
    this.table = tables[SNAPSHOT_TABLE];
    ({ resultsBucket: this.resultsBucket, workgroup: this.workgroup } = queryWorkgroup(this, {
      name: shared.naming.regional('patch-history', 'athenaWorkgroup'),
      description: 'Queries over the patch-compliance history (ssm-baseline)',
      resultsBucketName: shared.naming.bucket('patch-queries'),
      resultRetentionDays: props.resultRetentionDays,
      expectedBucketOwner: shared.accountId,
      // A runaway query over years of history stops at 10 GB scanned.
      bytesScannedCutoffPerQuery: 10 * 1024 ** 3,
      // Deleting a workgroup that holds named queries or query history needs the
      // recursive delete; without it, disabling the capability fails at apply. The
      // results themselves stay in their bucket (kept on disable, see retire.ts).
      forceDestroy: true,
    }));
    workgroupQueries(this, this.workgroup, this.database.name, namedQueries(databaseName, ATHENA));
  }
}

/**
 * Partition projection over `<folder>year=YYYY/month=MM/day=DD/`: Athena computes the
 * partitions from these properties and the query's filter on year/month/day.
 */
function projection(folder: string): Record<string, string> {
  return {
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
    'storage.location.template': `${folder}${PARTITION_COLUMNS.map((c) => `${c}=$\${${c}}`).join('/')}/`,
  };
}
