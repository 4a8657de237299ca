import { join } from 'node:path';
import { handWrittenState, listStacks, planAgainstState, prepareOffline, terraformEnv } from '../../scripts/terraform-harness';
import { ROOT, StackJson, findResource, synthStack, synthToDir, testConfig } from '../helpers/synth';
import { BaselineConfigInput } from '../../stacks/platform/config/schema';

const ACCOUNT = '111111111111';
const REGION = 'ap-northeast-1';
const HISTORY = `ssmb-${ACCOUNT}-${REGION}-patch-history`;
const RESULTS = `ssmb-${ACCOUNT}-${REGION}-patch-queries`;
const WORKGROUP = 'ssmb-patch-history';

// Disabling a deployed capability, planned offline against a state that holds what an
// enabled stack deployed: the workgroup (with force_destroy, so AWS deletes it with its
// named queries and history) is destroyed, the two buckets are forgotten, not deleted.
describe('patch history: disabling a deployed stack (plan against a state holding the workgroup and the buckets)', () => {
  let changes: Array<{ address: string; type: string; change: { actions: string[]; before?: any } }>;
  let output: string;
  let address: Record<'workgroup' | 'query' | 'table' | 'database' | 'history' | 'results' | 'resultsLifecycle', string>;

  beforeAll(async () => {
    const env = await terraformEnv(join(ROOT, '.tmp'));
    const enabled: StackJson = synthStack(testConfig());
    const find = (type: string, pred: (b: any) => boolean = () => true) => `${type}.${findResource(enabled, type, pred)[0]}`;
    const resultsBucket = find('aws_s3_bucket', (b) => b.bucket === RESULTS);
    address = {
      workgroup: find('aws_athena_workgroup'),
      query: find('aws_athena_named_query', (b) => b.name === 'patch-history: fleet status as of a date'),
      table: find('aws_glue_catalog_table', (b) => b.name === 'instance_snapshots'),
      database: find('aws_glue_catalog_database'),
      history: find('aws_s3_bucket', (b) => b.bucket === HISTORY),
      results: resultsBucket,
      resultsLifecycle: find('aws_s3_bucket_lifecycle_configuration', (b) => b.bucket === `\${${resultsBucket}.id}`),
    };
    const stack = listStacks(synthToDir(testConfig({ patchHistory: { enabled: false } } as Partial<BaselineConfigInput>))).find(
      (s) => s.name === `prod-${REGION}`,
    )!;
    const work = await prepareOffline(stack, env);
    const resource = (at: string, attributes: Record<string, unknown>) => {
      const [type, name] = at.split('.');
      return { type, name, attributes };
    };
    const bucket = (name: string) => ({ id: name, bucket: name, arn: `arn:aws:s3:::${name}`, force_destroy: false });
    const state = handWrittenState([
      resource(address.workgroup, {
        id: WORKGROUP,
        name: WORKGROUP,
        arn: `arn:aws:athena:${REGION}:${ACCOUNT}:workgroup/${WORKGROUP}`,
        state: 'ENABLED',
        force_destroy: true,
        configuration: [
          {
            enforce_workgroup_configuration: true,
            publish_cloudwatch_metrics_enabled: true,
            bytes_scanned_cutoff_per_query: 10737418240,
            result_configuration: [
              { output_location: `s3://${RESULTS}/results/`, encryption_configuration: [{ encryption_option: 'SSE_S3' }] },
            ],
          },
        ],
      }),
      resource(address.query, {
        id: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
        name: 'patch-history: fleet status as of a date',
        workgroup: WORKGROUP,
        database: 'ssmb_patch_history',
        query: 'SELECT 1',
      }),
      resource(address.table, {
        id: `${ACCOUNT}:ssmb_patch_history:instance_snapshots`,
        name: 'instance_snapshots',
        database_name: 'ssmb_patch_history',
      }),
      resource(address.database, { id: `${ACCOUNT}:ssmb_patch_history`, name: 'ssmb_patch_history', catalog_id: ACCOUNT }),
      resource(address.history, bucket(HISTORY)),
      resource(address.results, bucket(RESULTS)),
      resource(address.resultsLifecycle, { id: RESULTS, bucket: RESULTS }),
    ]);
    const planned = await planAgainstState(work, env, state);
    if (!planned.ok) throw new Error(planned.output);
    output = planned.output;
    changes = planned.plan!.resource_changes!;
  }, 600_000);

  it('destroys the workgroup with force_destroy (its named queries and history go with it), the saved queries and the tables', () => {
    const wg = changes.find((c) => c.address === address.workgroup)!;
    expect(wg.change.actions).toEqual(['delete']);
    expect(wg.change.before.force_destroy).toBe(true);
    for (const at of [address.query, address.table, address.database])
      expect(changes.find((c) => c.address === at)?.change.actions).toEqual(['delete']);
  });

  it('forgets the history bucket and the results bucket with its lifecycle instead of deleting them', () => {
    for (const at of [address.history, address.results, address.resultsLifecycle])
      expect(changes.find((c) => c.address === at)?.change.actions).toEqual(['forget']);
    expect(output).toMatch(/will no longer be managed by Terraform/);
    expect(output).toMatch(/Plan: \d+ to add, 0 to change, 4 to destroy/);
  });
});
