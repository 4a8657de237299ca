import { findResource, resourcesOf, synthStack, testConfig } from '../helpers/synth';
import { ATHENA, INSTANCE_COLUMNS, RUN_COLUMNS, SNAPSHOT_COLUMNS, namedQueries } from '../../stacks/capabilities/patch-history/queries';

const ACCOUNT = '111111111111';
const REGION = 'ap-northeast-1';
const HISTORY = `ssmb-${ACCOUNT}-${REGION}-patch-history`;

describe('patch-history query layer: tables, workgroup, saved queries', () => {
  const s = synthStack(testConfig());

  test.each([
    ['snapshots', '', SNAPSHOT_COLUMNS],
    ['instance_snapshots', 'instances/', INSTANCE_COLUMNS],
    ['runs', 'runs/', RUN_COLUMNS],
  ] as const)('Glue table %s: JSON SerDe, its columns, year/month/day projected under its folder', (name, folder, columns) => {
    const [, t] = findResource(s, 'aws_glue_catalog_table', (b) => b.name === name);
    const location = `s3://${HISTORY}/patch-history/${folder}`;
    expect(t.storage_descriptor.location).toBe(location);
    expect(t.storage_descriptor.ser_de_info).toMatchObject({
      serialization_library: 'org.openx.data.jsonserde.JsonSerDe',
      parameters: { 'case.insensitive': 'TRUE', 'ignore.malformed.json': 'FALSE' },
    });
    expect(t.storage_descriptor.columns.map((c: any) => [c.name, c.type])).toEqual(columns.map((c) => [c.name, c.type]));
    expect(t.partition_keys).toEqual([
      { name: 'year', type: 'int' },
      { name: 'month', type: 'int' },
      { name: 'day', type: 'int' },
    ]);
    expect(t.parameters).toMatchObject({
      'projection.enabled': 'true',
      'projection.year.range': '2024,2099',
      'projection.month.digits': '2',
      'projection.day.digits': '2',
      'storage.location.template': `${location}year=$\${year}/month=$\${month}/day=$\${day}/`,
    });
  });

  test('the pages table keeps its address (renaming a construct id would replace it)', () => {
    const [id] = findResource(s, 'aws_glue_catalog_table', (b) => b.name === 'snapshots');
    expect(id).toMatch(/^patch-history_query_table_[0-9A-F]{8}$/);
  });

  test('the saved queries are the Athena rendering, in the workgroup and database', () => {
    const deployed = Object.values(resourcesOf(s, 'aws_athena_named_query'));
    const expected = namedQueries('ssmb_patch_history', ATHENA);
    expect(deployed.map((q) => q.name).sort()).toEqual(expected.map((q) => q.name).sort());
    for (const q of expected) {
      const d = deployed.find((x) => x.name === q.name)!;
      expect(d).toMatchObject({ query: q.query, description: q.description });
      expect(d.database).toMatch(/^\$\{aws_glue_catalog_database\.[^.]+\.name\}$/);
      expect(d.workgroup).toMatch(/^\$\{aws_athena_workgroup\.[^.]+\.id\}$/);
    }
  });
});
