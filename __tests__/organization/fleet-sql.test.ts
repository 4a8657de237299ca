import { FLEET_ATHENA, FLEET_DUCKDB, FLEET_FRAGMENTS, TABLES, dayWindow } from '../../stacks/organization/archive-sql';
import { fleetQueries } from '../../stacks/organization/archive-query';

// The fleet query text: partition pruning on every read, parameters stated, and the
// Athena rendering equal to the tested DuckDB one except for the dialect's fragments.
const DB = 'ssmb_fleet_archive';
const athena = fleetQueries(DB, FLEET_ATHENA);
const duckdb = fleetQueries(DB, FLEET_DUCKDB);
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const q = (t: string) => `"${DB}"."${t}"`;
const PATCH = [TABLES.patchSnapshots, TABLES.patchInstances, TABLES.patchRuns].map(q);
const INVENTORY = [TABLES.instanceInformation, TABLES.application].map(q);

describe('fleet named queries: text', () => {
  test('the saved fleet questions', () => {
    expect(athena.map((x) => x.id)).toEqual([
      'missing-critical-by-account',
      'critical-by-instance',
      'agents-older-than',
      'software-version-spread',
    ]);
  });

  test('the Athena text differs from the tested DuckDB text only in the dialect fragments', () => {
    const neutral = (text: string, d: typeof FLEET_ATHENA) => FLEET_FRAGMENTS.reduce((s, f) => s.split(`${d[f]}(`).join(`<${f}>(`), text);
    for (const f of FLEET_FRAGMENTS) expect(FLEET_ATHENA[f]).not.toBe(FLEET_DUCKDB[f]);
    for (const [i, a] of athena.entries()) {
      const d = duckdb[i];
      expect(a.query).not.toBe(d.query);
      expect(neutral(a.query, FLEET_ATHENA)).toBe(neutral(d.query, FLEET_DUCKDB));
      expect({ ...a, query: '' }).toEqual({ ...d, query: '' });
    }
  });

  test.each([
    ['athena', athena, FLEET_ATHENA],
    ['duckdb', duckdb, FLEET_DUCKDB],
  ] as const)('%s: every patch table read restricts the day partition to the parameter window', (_, queries, dialect) => {
    const window = dayWindow(dialect);
    expect(window).toMatch(/^day BETWEEN /);
    for (const x of queries) {
      for (const read of x.query.matchAll(new RegExp(PATCH.map(escape).join('|'), 'g'))) {
        const after = x.query.slice(read.index! + read[0].length);
        expect([x.id, after]).toEqual([x.id, expect.stringMatching(new RegExp(`^ WHERE ${escape(window)}\\n`))]);
      }
    }
    // The patch questions read the instance records (pages alone never count); none reads the manifests.
    for (const x of queries.slice(0, 2)) {
      expect(x.query).toContain(q(TABLES.patchInstances));
      expect(x.query).toContain(q(TABLES.patchSnapshots));
    }
    for (const x of queries) expect(x.query).not.toContain(q(TABLES.patchRuns));
  });

  test('inventory questions read only the inventory tables (current state, no date partition)', () => {
    for (const x of athena.slice(2)) {
      for (const t of PATCH) expect(x.query).not.toContain(t);
      expect(INVENTORY.some((t) => x.query.includes(t))).toBe(true);
    }
  });

  test('each description states pruning and the parameters in the order of the ? marks', () => {
    for (const x of athena) {
      expect(x.query.split('?').length - 1).toBe(x.parameters.length);
      expect(x.description).toContain(`Parameters in order: ${x.parameters.join(', ')}.`);
      expect(x.description).toMatch(
        /Reads (only the day partitions of the lookback window|every configured account and region's current inventory)/,
      );
      expect(x.query.startsWith(`-- Parameters in order: ${x.parameters.join(', ')}\n`)).toBe(true);
      expect(x.name.length).toBeLessThanOrEqual(128);
      expect(x.description.length).toBeLessThanOrEqual(1024);
      // Terraform would read `${` or `%{` itself.
      expect(x.query).not.toMatch(/[$%]\{/);
    }
  });

  test('versions are compared through a zero-padded key, never as plain text', () => {
    const agents = athena.find((x) => x.id === 'agents-older-than')!.query;
    expect(agents).toContain(
      "array_join(transform(split(agentversion, '.'), p -> lpad(p, 10, '0')), '.') < array_join(transform(split(CAST(? AS VARCHAR), '.')",
    );
    expect(agents).not.toMatch(/agentversion\s*</);
  });
});
