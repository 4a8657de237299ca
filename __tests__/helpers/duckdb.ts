/**
 * An embedded SQL engine for the patch-history queries: DuckDB, loaded with the objects a
 * run wrote (S3 key -> JSON body, the shape of the local executor's `run.objects`) the way
 * Athena reads them: a key belongs to a table when it lies under one of the table's
 * projected partition folders (`<prefix>/[<folder>]year=YYYY/month=MM/day=DD/`), the
 * partition columns come from that folder, the body's keys match the Glue columns
 * case-insensitively (OpenX SerDe, `case.insensitive`), a missing key reads as null,
 * and a body that is not JSON fails the load (`ignore.malformed.json` is false).
 */
import { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { FIRST_YEAR, GlueColumn, LAST_YEAR, TABLES, TABLE_FOLDERS } from '../../stacks/capabilities/patch-history/queries';

/** A Hive type as DuckDB spells it. */
export function duckType(hive: string): string {
  const t = hive.trim();
  const array = /^array<(.*)>$/.exec(t);
  if (array) return `${duckType(array[1])}[]`;
  const struct = /^struct<(.*)>$/.exec(t);
  if (struct)
    return `STRUCT(${fields(struct[1])
      .map(([n, ft]) => `"${n}" ${duckType(ft)}`)
      .join(', ')})`;
  const scalar: Record<string, string> = { string: 'VARCHAR', int: 'INTEGER', bigint: 'BIGINT', boolean: 'BOOLEAN', double: 'DOUBLE' };
  if (!(t in scalar)) throw new Error(`no DuckDB type for Hive type ${t}`);
  return scalar[t];
}

/** The json_transform structure of a Hive type. */
function shape(hive: string): unknown {
  const t = hive.trim();
  const array = /^array<(.*)>$/.exec(t);
  if (array) return [shape(array[1])];
  const struct = /^struct<(.*)>$/.exec(t);
  if (struct) return Object.fromEntries(fields(struct[1]).map(([n, ft]) => [n, shape(ft)]));
  return duckType(t);
}

/** `a:string,b:array<struct<c:int>>` -> [[a, string], [b, array<...>]], splitting at top-level commas. */
function fields(body: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i <= body.length; i++) {
    const ch = body[i];
    if (ch === '<') depth++;
    else if (ch === '>') depth--;
    else if ((ch === ',' && depth === 0) || i === body.length) {
      const part = body.slice(start, i);
      const colon = part.indexOf(':');
      out.push([part.slice(0, colon).trim(), part.slice(colon + 1).trim()]);
      start = i + 1;
    }
  }
  return out;
}

/** Keys lower-cased at every level, as the case-insensitive SerDe matches them. */
function lowerKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(lowerKeys);
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k.toLowerCase(), lowerKeys(v)]));
  return value;
}

/** Where a key lands: its table and projected partition, or null when no table reads it. */
export function tableOfKey(key: string, prefix: string): { table: string; year: number; month: number; day: number } | null {
  for (const { name } of TABLES) {
    const folder = `${prefix}/${TABLE_FOLDERS[name]}`;
    if (!key.startsWith(folder)) continue;
    // Projection builds month and day with 2 digits: `month=3` is not a projected folder.
    const m = /^year=(\d{4})\/month=(\d{2})\/day=(\d{2})\/[^/].*$/s.exec(key.slice(folder.length));
    if (!m) continue;
    const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
    if (year < FIRST_YEAR || year > LAST_YEAR || month < 1 || month > 12 || day < 1 || day > 31) continue;
    return { table: name, year, month, day };
  }
  return null;
}

export interface Loaded {
  /** Rows per table. */
  readonly rows: Record<string, number>;
  /** Keys no table reads (outside every projected folder). */
  readonly ignored: string[];
}

/** A table as DuckDB holds it: the Glue columns, then the partition columns (`name TYPE`). */
interface DbTable {
  readonly name: string;
  readonly columns: readonly GlueColumn[];
  readonly partitionColumns: readonly string[];
}

/**
 * What both databases share: the in-memory DuckDB with one schema, inserting a record the
 * way the SerDe reads it, plain-valued queries.
 */
abstract class JsonTablesDb {
  protected constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
    readonly database: string,
  ) {}

  /** A connected in-memory instance holding `tables` in schema `database`. */
  protected static async open(
    database: string,
    tables: readonly DbTable[],
  ): Promise<{ instance: DuckDBInstance; connection: DuckDBConnection }> {
    // One thread: the tables hold a few dozen rows, and the suite's workers share two cores.
    const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
    const connection = await instance.connect();
    await connection.run(`CREATE SCHEMA "${database}"`);
    for (const t of tables) {
      const cols = [...t.columns.map((c) => `"${c.name}" ${duckType(c.type)}`), ...t.partitionColumns];
      await connection.run(`CREATE TABLE "${database}"."${t.name}" (${cols.join(', ')})`);
    }
    return { instance, connection };
  }

  /** Inserts one parsed record: its keys matched to `columns` case-insensitively, then the partition values. */
  protected async insert(
    table: string,
    columns: readonly GlueColumn[],
    partition: ReadonlyArray<string | number>,
    record: unknown,
  ): Promise<void> {
    const spec = JSON.stringify(Object.fromEntries(columns.map((c) => [c.name, shape(c.type)])));
    const select = [...columns.map((c) => `j."${c.name}"`), ...partition.map(() => '?')].join(', ');
    await this.connection.run(`INSERT INTO "${this.database}"."${table}" SELECT ${select} FROM (SELECT json_transform(?::JSON, ?) AS j)`, [
      ...partition,
      JSON.stringify(lowerKeys(record)),
      spec,
    ]);
  }

  /** Runs a query with its `?` parameters; rows as plain values (numbers for integer columns, strings for dates). */
  async query(sql: string, params: ReadonlyArray<string | number> = []): Promise<Array<Record<string, unknown>>> {
    const reader = await this.connection.runAndReadAll(sql, [...params]);
    const names = reader.columnNames();
    const integer = new Set(
      reader
        .columnTypes()
        .map((t, i) => (/^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UBIGINT|UINTEGER)$/.test(t.toString()) ? names[i] : ''))
        .filter(Boolean),
    );
    return reader
      .getRowObjectsJson()
      .map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, integer.has(k) && v !== null ? Number(v) : v])));
  }

  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
  }
}

/** A DuckDB database holding the patch-history tables in schema `database`. */
export class PatchHistoryDb extends JsonTablesDb {
  static async create(database = 'ssmb_patch_history'): Promise<PatchHistoryDb> {
    const tables = TABLES.map((t) => ({ ...t, partitionColumns: ['year INTEGER', 'month INTEGER', 'day INTEGER'] }));
    const { instance, connection } = await JsonTablesDb.open(database, tables);
    return new PatchHistoryDb(instance, connection, database);
  }

  /** Loads the objects of one or more runs (S3 key -> body) under `prefix`. */
  async load(objects: ReadonlyMap<string, string>, prefix = 'patch-history'): Promise<Loaded> {
    const rows: Record<string, number> = Object.fromEntries(TABLES.map((t) => [t.name, 0]));
    const ignored: string[] = [];
    for (const [key, body] of objects) {
      const where = tableOfKey(key, prefix);
      if (!where) {
        ignored.push(key);
        continue;
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(body);
      } catch (err) {
        throw new Error(`${key}: not JSON (Athena fails the query): ${(err as Error).message}`, { cause: err });
      }
      const columns = TABLES.find((t) => t.name === where.table)!.columns as readonly GlueColumn[];
      await this.insert(where.table, columns, [where.year, where.month, where.day], parsed);
      rows[where.table]++;
    }
    return { rows, ignored };
  }
}

/**
 * A table read through partition projection, as its Glue definition states it: the
 * columns, the partition keys and the table parameters (`projection.*` and
 * `storage.location.template`, with Terraform's `$${` escape or Athena's plain `${`).
 */
export interface ProjectedTable {
  readonly name: string;
  readonly partitionKeys: ReadonlyArray<{ readonly name: string }>;
  readonly parameters: Readonly<Record<string, string>>;
  readonly columns: readonly GlueColumn[];
}

/** A Java DateTimeFormatter pattern of `yyyy`, `MM`, `dd` and quoted literals as a regex with three groups. */
function datePatternRegex(format: string): string {
  let out = '';
  for (let i = 0; i < format.length;) {
    if (format[i] === "'") {
      const end = format.indexOf("'", i + 1);
      out += escapeRegex(format.slice(i + 1, end));
      i = end + 1;
    } else if (format.startsWith('yyyy', i)) {
      out += '(\\d{4})';
      i += 4;
    } else if (format.startsWith('MM', i) || format.startsWith('dd', i)) {
      out += '(\\d{2})';
      i += 2;
    } else if (/[A-Za-z]/.test(format[i])) {
      throw new Error(`date format ${format}: only yyyy, MM, dd and quoted literals are modelled`);
    } else {
      out += escapeRegex(format[i++]);
    }
  }
  return out;
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The UTC date of y/m/d, or null when no such day exists (2025-02-30). */
function realDate(y: number, m: number, d: number): number | null {
  const t = Date.UTC(y, m - 1, d);
  const back = new Date(t);
  return back.getUTCFullYear() === y && back.getUTCMonth() === m - 1 && back.getUTCDate() === d ? t : null;
}

/**
 * The partition values of a key (relative to the bucket) in a projected table, or null when
 * Athena never reads it: the key must lie below `storage.location.template` with every
 * slot a value the projection enumerates (`enum` values; `date` days in the format, on or
 * after the range start), and no path part below it may be hidden (`_` or `.` first:
 * Hadoop's input formats skip those).
 */
export function projectedPartition(table: ProjectedTable, key: string): Record<string, string> | null {
  const p = table.parameters;
  const template = p['storage.location.template'].replace(/\$\$\{/g, '${').replace(/^s3:\/\/[^/]+\//, '');
  const slots: string[] = [];
  const pattern = template
    .split(/(\$\{\w+\})/)
    .map((part) => {
      const slot = /^\$\{(\w+)\}$/.exec(part);
      if (!slot) return escapeRegex(part);
      slots.push(slot[1]);
      const type = p[`projection.${slot[1]}.type`];
      if (type === 'enum') return '([^/]+)';
      if (type === 'date') return `(${datePatternRegex(p[`projection.${slot[1]}.format`]).replace(/\(/g, '(?:')})`;
      throw new Error(`${table.name}: projection type ${type} of ${slot[1]} is not modelled`);
    })
    .join('');
  const m = new RegExp(`^${pattern}(.+)$`, 's').exec(key);
  if (!m) return null;
  const below = m[slots.length + 1];
  if (below.split('/').some((part) => part === '' || part.startsWith('_') || part.startsWith('.'))) return null;
  const values: Record<string, string> = {};
  for (const [i, name] of slots.entries()) {
    const value = m[i + 1];
    const type = p[`projection.${name}.type`];
    if (type === 'enum' && !p[`projection.${name}.values`].split(',').includes(value)) return null;
    if (type === 'date') {
      const format = p[`projection.${name}.format`];
      const [, y, mo, d] = new RegExp(`^${datePatternRegex(format)}$`).exec(value)!.map(Number);
      const date = realDate(y, mo, d);
      // The range's end (NOW in the tables) is not modelled: no test writes a future key.
      const start = new RegExp(`^${datePatternRegex(format)}$`).exec(p[`projection.${name}.range`].split(',')[0])!.map(Number);
      if (date === null || date < Date.UTC(start[1], start[2] - 1, start[3])) return null;
    }
    values[name] = value;
  }
  return values;
}

/**
 * A DuckDB database holding projected tables (schema `database`), loaded with objects
 * (S3 key relative to the bucket -> body) the way Athena reads them: a key belongs to
 * the table whose projected partitions contain it (`projectedPartition`), its partition
 * columns come from the key, every line of the body is one record (TextInputFormat; the
 * sync writes one JSON object per line), keys match the columns case-insensitively, a
 * missing key reads as null and a line that is not a JSON object fails the load.
 */
export class ArchiveDb extends JsonTablesDb {
  private constructor(
    instance: DuckDBInstance,
    connection: DuckDBConnection,
    database: string,
    private readonly tables: readonly ProjectedTable[],
  ) {
    super(instance, connection, database);
  }

  static async create(database: string, tables: readonly ProjectedTable[]): Promise<ArchiveDb> {
    const held = tables.map((t) => ({ ...t, partitionColumns: t.partitionKeys.map((k) => `"${k.name}" VARCHAR`) }));
    const { instance, connection } = await JsonTablesDb.open(database, held);
    return new ArchiveDb(instance, connection, database, tables);
  }

  /** Loads objects (key relative to the bucket -> body); rows per table and the keys no table reads. */
  async load(objects: ReadonlyMap<string, string>): Promise<Loaded> {
    const rows: Record<string, number> = Object.fromEntries(this.tables.map((t) => [t.name, 0]));
    const ignored: string[] = [];
    for (const [key, body] of objects) {
      const hits = this.tables.flatMap((t) => {
        const partition = projectedPartition(t, key);
        return partition ? [{ table: t, partition }] : [];
      });
      if (hits.length > 1) throw new Error(`${key}: read by ${hits.map((h) => h.table.name).join(' and ')}`);
      if (!hits.length) {
        ignored.push(key);
        continue;
      }
      const { table, partition } = hits[0];
      const values = table.partitionKeys.map((k) => partition[k.name]);
      for (const [n, line] of body.split('\n').entries()) {
        if (!line.trim()) continue;
        let parsed: unknown;
        try {
          parsed = JSON.parse(line);
        } catch (err) {
          throw new Error(`${key} line ${n + 1}: not JSON (Athena fails the query): ${(err as Error).message}`, { cause: err });
        }
        if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error(`${key} line ${n + 1}: not a JSON object`);
        await this.insert(table.name, table.columns, values, parsed);
        rows[table.name]++;
      }
    }
    return { rows, ignored };
  }
}
