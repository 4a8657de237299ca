import {
  ATHENA,
  DUCKDB,
  INSTANCE_TABLE,
  RUN_TABLE,
  SNAPSHOT_TABLE,
  namedQueries,
  partitionWindow,
  qualifiedTables,
} from '../../stacks/capabilities/patch-history/queries';

// The query text itself: partition pruning on every read, parameters stated, and the
// Athena rendering equal to the tested DuckDB one except for the isolated fragment.
const DB = 'ssmb_patch_history';
const athena = namedQueries(DB, ATHENA);
const duckdb = namedQueries(DB, DUCKDB);
const tables = Object.values(qualifiedTables(DB));
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('patch-history named queries: text', () => {
  test('the six saved questions', () => {
    expect(athena.map((q) => q.id)).toEqual([
      'missing-as-of',
      'fleet-status-as-of',
      'fleet-by-classification-as-of',
      'noncompliant-streak',
      'changes-between',
      'runs-completeness',
    ]);
  });

  test.each([
    ['athena', athena, ATHENA],
    ['duckdb', duckdb, DUCKDB],
  ] as const)('%s: every read of a table restricts year/month/day to the parameter window', (_, queries, dialect) => {
    expect(dialect.partitionDate).toMatch(/\byear\b.*\bmonth\b.*\bday\b/);
    const window = escape(partitionWindow(dialect));
    for (const q of queries) {
      const reads = [...q.query.matchAll(new RegExp(`(${tables.map(escape).join('|')})`, 'g'))];
      expect(reads.length).toBeGreaterThan(0);
      for (const read of reads) {
        const after = q.query.slice(read.index! + read[0].length);
        expect([q.id, after]).toEqual([q.id, expect.stringMatching(new RegExp(`^ WHERE ${window}\\n`))]);
      }
      expect(q.query).toContain(`"${DB}"."${INSTANCE_TABLE}"`);
      if (q.id === 'runs-completeness') {
        // Manifests against instance records; no patch is read.
        expect(q.query).toContain(`"${DB}"."${RUN_TABLE}"`);
        expect(q.query).not.toContain(`"${DB}"."${SNAPSHOT_TABLE}"`);
      } else {
        // Every patch query reads the pages and the instance records: pages alone never count.
        expect(q.query).toContain(`"${DB}"."${SNAPSHOT_TABLE}"`);
        expect(q.query).not.toContain(`"${DB}"."${RUN_TABLE}"`);
      }
    }
  });

  test('the Athena text differs from the tested DuckDB text only in the partition-date fragment', () => {
    expect(ATHENA.partitionDate).not.toBe(DUCKDB.partitionDate);
    for (const [i, q] of athena.entries()) {
      const d = duckdb[i];
      expect(q.query).not.toBe(d.query);
      expect(q.query.split(ATHENA.partitionDate).join('<date>')).toBe(d.query.split(DUCKDB.partitionDate).join('<date>'));
      expect({ ...q, query: '' }).toEqual({ ...d, query: '' });
    }
  });

  test('each description states pruning and the parameters in the order of the ? marks', () => {
    for (const q of athena) {
      expect(q.query.split('?').length - 1).toBe(q.parameters.length);
      expect(q.description).toContain(`Parameters in order: ${q.parameters.join(', ')}.`);
      expect(q.description).toMatch(/only the partitions of the lookback window/);
      expect(q.query.startsWith(`-- Parameters in order: ${q.parameters.join(', ')}\n`)).toBe(true);
      // Athena's limits on a named query.
      expect(q.name.length).toBeLessThanOrEqual(128);
      expect(q.description.length).toBeLessThanOrEqual(1024);
    }
  });

  test('no Terraform template sequence in the text (Terraform would read ${ or %{ itself)', () => {
    for (const q of athena) expect(q.query).not.toMatch(/[$%]\{/);
  });
});
