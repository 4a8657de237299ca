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

/** A DuckDB database holding the patch-history tables in schema `database`. */
export class PatchHistoryDb {
  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
    readonly database: string,
  ) {}

  static async create(database = 'ssmb_patch_history'): Promise<PatchHistoryDb> {
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    const db = new PatchHistoryDb(instance, connection, database);
    await connection.run(`CREATE SCHEMA "${database}"`);
    for (const t of TABLES) {
      const cols = [...t.columns.map((c) => `"${c.name}" ${duckType(c.type)}`), 'year INTEGER', 'month INTEGER', 'day INTEGER'];
      await connection.run(`CREATE TABLE "${database}"."${t.name}" (${cols.join(', ')})`);
    }
    return db;
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
      const spec = JSON.stringify(Object.fromEntries(columns.map((c) => [c.name, shape(c.type)])));
      const select = columns.map((c) => `j."${c.name}"`).join(', ');
      await this.connection.run(
        `INSERT INTO "${this.database}"."${where.table}" SELECT ${select}, ?, ?, ? FROM (SELECT json_transform(?::JSON, ?) AS j)`,
        [where.year, where.month, where.day, JSON.stringify(lowerKeys(parsed)), spec],
      );
      rows[where.table]++;
    }
    return { rows, ignored };
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
