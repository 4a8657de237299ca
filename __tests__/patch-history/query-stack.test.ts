import { StackJson, findResource, resourcesOf, synthStack, testConfig } from '../helpers/synth';
import { BaselineConfigInput } from '../../stacks/platform/config/schema';
import { ATHENA, INSTANCE_COLUMNS, RUN_COLUMNS, SNAPSHOT_COLUMNS, namedQueries } from '../../stacks/capabilities/patch-history/queries';

const ACCOUNT = '111111111111';
const REGION = 'ap-northeast-1';
const HISTORY = `ssmb-${ACCOUNT}-${REGION}-patch-history`;
const RESULTS = `ssmb-${ACCOUNT}-${REGION}-patch-queries`;

type Removed = Array<{ from: string; lifecycle: { destroy: boolean } }>;
const removedOf = (stack: StackJson) => ((stack as StackJson & { removed?: Removed }).removed ?? []) as Removed;

/** Addresses of every managed resource whose body refers to `bucketLogicalId`, plus the bucket itself. */
function bucketAddresses(stack: StackJson, bucketName: string): string[] {
  const [id] = findResource(stack, 'aws_s3_bucket', (b) => b.bucket === bucketName);
  const out = [`aws_s3_bucket.${id}`];
  for (const [type, bodies] of Object.entries(stack.resource ?? {}))
    for (const [name, body] of Object.entries(bodies))
      if (type.startsWith('aws_s3_bucket_') && JSON.stringify(body).includes(`aws_s3_bucket.${id}.`)) out.push(`${type}.${name}`);
  return out.sort();
}

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

  test('the workgroup is force-destroyed, so it can be deleted once it holds queries and history', () => {
    const [, wg] = findResource(s, 'aws_athena_workgroup');
    expect(wg.force_destroy).toBe(true);
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

  test('enabled: nothing of the capability is forgotten', () => {
    expect(removedOf(s).filter((r) => /patch-history/.test(r.from))).toEqual([]);
  });
});

describe('patch-history disabled: the data stays, the workgroup goes', () => {
  const enabled = synthStack(testConfig());
  const disabled = synthStack(testConfig({ patchHistory: { enabled: false } } as Partial<BaselineConfigInput>));
  const kept = [...bucketAddresses(enabled, HISTORY), ...bucketAddresses(enabled, RESULTS)].sort();

  test('reads each bucket with its six configuration resources from the enabled stack', () => {
    expect(kept).toHaveLength(14);
  });

  test('forgets both buckets and their configuration (removed, destroy = false), at the exact addresses', () => {
    const forgotten = removedOf(disabled)
      .filter((r) => /patch-history/.test(r.from))
      .map((r) => {
        expect(r.lifecycle).toEqual({ destroy: false });
        return r.from;
      })
      .sort();
    expect(forgotten).toEqual(kept);
  });

  test('declares none of the forgotten resources, and keeps no workgroup, table or query', () => {
    for (const address of kept) {
      const [type, name] = address.split('.');
      expect(resourcesOf(disabled, type)[name]).toBeUndefined();
    }
    for (const type of ['aws_athena_workgroup', 'aws_athena_named_query', 'aws_glue_catalog_table', 'aws_glue_catalog_database'])
      expect(resourcesOf(disabled, type)).toEqual({});
  });
});
