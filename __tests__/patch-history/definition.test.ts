// asl-validator ships no type declarations: its documented signature.
type AslValidator = (
  definition: unknown,
  opts?: { checkPaths?: boolean; checkArn?: boolean },
) => { isValid: boolean; errorsText: (sep?: string) => string };
const aslValidator: AslValidator = require('asl-validator');
import {
  DISTRIBUTED_MAP_STATE,
  EXECUTION_TIMEOUT_SECONDS,
  INSTANCES_FAILED_ERROR,
  NODES_PER_PAGE,
  PATCHES_PER_PAGE,
  RETRY_POLICY,
  nodeDefinition,
  snapshotDefinition,
} from '../../stacks/capabilities/patch-history/definition';
import { SNAPSHOT_COLUMNS } from '../../stacks/capabilities/patch-history/query';
import {
  BUCKET,
  CHILD_START_TIME,
  DEFAULT_PROPS,
  FINISHED_TIME,
  PARTITION,
  RUN_ID,
  START_TIME,
  fleet,
  node,
  patch,
  patchState,
  runSnapshot,
  stateTransitions,
  RunResult,
} from '../../scripts/patch-history-executor';
import { evaluate } from '../../policies/engine';
import { stackFromSynth } from '../../policies/model';
import { RULES } from '../../policies/rules';
import { intrinsicCalls, pathFields } from '../../policies/rules/states/machine';

const DATA = `patch-history/${PARTITION}`;
const INSTANCES = `patch-history/instances/${PARTITION}/${RUN_ID}`;
const MANIFEST = `patch-history/runs/${PARTITION}/${RUN_ID}.json`;

const page = (instance: string, n: number, patches: unknown[]) =>
  JSON.stringify({ instance_id: instance, snapshot_time: START_TIME, run_id: RUN_ID, page: n, patches });
const pageKey = (instance: string, n: number) => `${DATA}/instanceid=${instance}/${RUN_ID}-${n}.json`;
const recordOf = (run: RunResult, instance: string) => JSON.parse(run.objects.get(`${INSTANCES}/${instance}.json`)!);
const manifestOf = (run: RunResult) => JSON.parse(run.objects.get(MANIFEST)!);
const pages = (n: number, from = 0) => Array.from({ length: n }, (_, i) => patch(from + i));

/** The provenance a default scanned node carries (values of `patchState()`, written as the API returned them). */
const PROVENANCE = {
  operation: 'Scan',
  operation_start_time: '2025-03-07T03:00:12.345Z',
  operation_end_time: '2025-03-07T03:01:40.678Z',
  baseline_id: 'pb-0c10e65780EXAMPLE',
  patch_group: '',
  installed_count: 50,
  installed_other_count: 353,
  installed_pending_reboot_count: 0,
  installed_rejected_count: 0,
  missing_count: 2,
  failed_count: 0,
  not_applicable_count: 671,
  unreported_not_applicable_count: -1,
  critical_non_compliant_count: 1,
  security_non_compliant_count: 2,
  other_non_compliant_count: 0,
};
const NO_PROVENANCE = Object.fromEntries(Object.keys(PROVENANCE).map((k) => [k, null]));

function expectedManifest(over: Record<string, unknown>) {
  return {
    run_id: RUN_ID,
    snapshot_time: START_TIME,
    finished_time: FINISHED_TIME,
    classifications: ['Security', 'CriticalUpdates', 'SecurityUpdates'],
    patch_states: [],
    tag_key: 'CheckPatch',
    tag_value: null,
    nodes: 0,
    complete: null,
    not_scanned: null,
    unmanaged: null,
    failed: 0,
    pages: null,
    patches: null,
    definition_version: 1,
    ...over,
  };
}

/** Every state of the parent and of the child, by name. */
function allStates(d: any): Array<[string, any]> {
  const out: Array<[string, any]> = [];
  const walk = (states: Record<string, any>) =>
    Object.entries(states).forEach(([name, s]) => {
      out.push([name, s]);
      if (s.ItemProcessor) walk(s.ItemProcessor.States);
    });
  walk(d.States);
  return out;
}

describe('patch snapshot definition: static checks', () => {
  const definition = snapshotDefinition(DEFAULT_PROPS);

  test('is valid Amazon States Language (asl-validator, paths and ARNs checked)', () => {
    const result = aslValidator(structuredClone(definition), { checkPaths: true, checkArn: true });
    expect(result.errorsText('\n')).toBe('');
    expect(result.isValid).toBe(true);
  });

  test('uses JSONPath, AWS SDK integrations only, and a bounded execution time', () => {
    expect(definition.QueryLanguage).toBeUndefined();
    expect(definition.TimeoutSeconds).toBe(EXECUTION_TIMEOUT_SECONDS);
    const resources = new Set(allStates(definition).flatMap(([, s]) => (s.Type === 'Task' ? [s.Resource] : [])));
    expect(resources).toEqual(
      new Set([
        'arn:aws:states:::aws-sdk:ssm:describeInstanceInformation',
        'arn:aws:states:::aws-sdk:ssm:describeInstancePatchStates',
        'arn:aws:states:::aws-sdk:ssm:describeInstancePatches',
        'arn:aws:states:::aws-sdk:s3:putObject',
        'arn:aws:states:::aws-sdk:sfn:describeMapRun',
      ]),
    );
  });

  test('nodes fan out to child executions of a distributed Map that tolerates every node failure', () => {
    const map = (definition as any).States[DISTRIBUTED_MAP_STATE];
    expect(map.ItemProcessor.ProcessorConfig).toEqual({ Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' });
    expect(map.ToleratedFailurePercentage).toBe(100);
    expect(map.ItemsPath).toBe('$.batch.ids');
    expect(map.ResultWriter.Resource).toBe('arn:aws:states:::s3:putObject');
    expect(map.ResultWriter.Parameters.Bucket).toBe(BUCKET);
  });

  test('every task retries transient errors with exponential backoff and full jitter', () => {
    const tasks = allStates(definition).filter(([, s]) => s.Type === 'Task');
    expect(tasks.map(([n]) => n).sort()).toEqual(
      [
        'DescribeMapRun',
        'DescribeMorePatches',
        'DescribePatches',
        'ListMoreNodes',
        'ListNodes',
        'ReadPatchState',
        'WriteManifest',
        'WritePage',
        'WriteRecord',
      ].sort(),
    );
    for (const [, task] of tasks) {
      expect(task.Retry).toHaveLength(1);
      expect(task.Retry[0]).toMatchObject({ ...RETRY_POLICY, JitterStrategy: 'FULL' });
      // Never a blanket retry: permanent errors must reach the Catch quickly.
      expect(task.Retry[0].ErrorEquals).not.toContain('States.ALL');
      expect(task.Retry[0].ErrorEquals).not.toContain('States.TaskFailed');
    }
  });

  test('the Map runs the configured concurrency and every per-node task catches', () => {
    const d = snapshotDefinition({ ...DEFAULT_PROPS, maxConcurrency: 7 }) as any;
    expect(d.States[DISTRIBUTED_MAP_STATE].MaxConcurrency).toBe(7);
    for (const [, s] of Object.entries<any>(nodeDefinition(DEFAULT_PROPS).States as any))
      if (s.Type === 'Task') expect(s.Catch).toEqual(expect.arrayContaining([expect.objectContaining({ ErrorEquals: ['States.ALL'] })]));
  });

  test('pages are requested at the API maximum', () => {
    const d = definition as any;
    expect(d.States.ListNodes.Parameters.MaxResults).toBe(NODES_PER_PAGE);
    expect((nodeDefinition(DEFAULT_PROPS) as any).States.DescribePatches.Parameters.MaxResults).toBe(PATCHES_PER_PAGE);
  });

  test('no field holds more than 10 intrinsic function calls (the Step Functions quota)', () => {
    const over = allStates(definition).flatMap(([name, s]) =>
      pathFields(s)
        .filter((f) => intrinsicCalls(f.expression) > 10)
        .map((f) => `${name}.${f.field}`),
    );
    expect(over).toEqual([]);
  });

  test('passes every state machine policy rule', async () => {
    const stack = stackFromSynth(
      { resource: { aws_sfn_state_machine: { machine: { name: 'ssmb-patch-history', definition: JSON.stringify(definition) } } } },
      'patch-history',
      'cdk.tf.json',
    );
    const report = await evaluate([stack], { rules: RULES.filter((r) => r.service === 'states') });
    expect(report.findings.map((f) => `${f.rule} ${f.message}`)).toEqual([]);
  });

  test('refuses a prefix it cannot embed in States.Format, and a concurrency over a listing page', () => {
    expect(() => snapshotDefinition({ ...DEFAULT_PROPS, prefix: "it's" })).toThrow(/cannot embed/);
    expect(() => snapshotDefinition({ ...DEFAULT_PROPS, maxConcurrency: 0 })).toThrow(/maxConcurrency/);
    expect(() => snapshotDefinition({ ...DEFAULT_PROPS, maxConcurrency: 51 })).toThrow(/maxConcurrency/);
  });
});

describe('patch snapshot execution: parent and child executions against fake SSM/S3', () => {
  test('no tagged nodes: only the manifest is written, zero nodes', async () => {
    const run = await runSnapshot(fleet({ nodes: [node('i-untagged', { tags: { Name: 'web' } })] }));
    expect(run.status).toBe('SUCCEEDED');
    expect([...run.objects.keys()]).toEqual([MANIFEST]);
    expect(manifestOf(run)).toEqual(expectedManifest({}));
    expect(run.output).toEqual(manifestOf(run));
    expect(run.calls).toEqual(['ssm:DescribeInstanceInformation', `s3:PutObject ${MANIFEST}`]);
  });

  test('a tag value lists only nodes whose tag has that value (tag:<key>)', async () => {
    const run = await runSnapshot(
      fleet({ nodes: [node('i-weekly', { tags: { CheckPatch: 'weekly' } }), node('i-daily', { tags: { CheckPatch: 'daily' } })] }),
      { tagValue: 'weekly' },
    );
    expect(run.status).toBe('SUCCEEDED');
    expect(run.children.map((c) => c.instanceId)).toEqual(['i-weekly']);
    expect(manifestOf(run)).toMatchObject({ nodes: 1, tag_value: 'weekly' });
  });

  describe('a mixed fleet: pages, hybrid node, never scanned, deregistered, untagged', () => {
    let run: RunResult;
    const many = [...pages(100), ...pages(100, 100).map((p) => ({ ...p, State: 'Missing' })), patch(200)];
    beforeAll(async () => {
      run = await runSnapshot(
        fleet({
          nodes: [
            node('i-many', { patches: many }),
            node('mi-0123456789abcdef0', { patches: [patch(7, 'Missing')] }),
            node('i-new', { patchState: null }),
            node('i-gone', { deregistered: true }),
            node('i-other', { tags: { Owner: 'x' }, patches: [patch(9)] }),
            node('i-none', { patches: [patch(1, 'Installed', 'Bugfix')] }),
          ],
          // An empty listing page with a NextToken in the middle, as a filtered listing can return.
          listPageSizes: [2, 0, 5],
        }),
      );
    });

    test('follows every listing NextToken and succeeds: not_scanned and unmanaged are no failures', () => {
      expect(run.calls.filter((c) => c.startsWith('ssm:DescribeInstanceInformation'))).toHaveLength(3);
      expect(run.status).toBe('SUCCEEDED');
      expect(run.children.map((c) => c.status)).toEqual(Array(5).fill('SUCCEEDED'));
      expect(run.mapRuns.map((m) => m.items)).toEqual([2, 3]);
    });

    test('pages: follows every DescribeInstancePatches NextToken, writes each page with its own patches', () => {
      expect(run.calls.filter((c) => c.startsWith('ssm:DescribeInstancePatches i-many'))).toHaveLength(3);
      expect(run.objects.get(pageKey('i-many', 1))).toBe(page('i-many', 1, many.slice(0, 100)));
      expect(run.objects.get(pageKey('i-many', 2))).toBe(page('i-many', 2, many.slice(100, 200)));
      expect(run.objects.get(pageKey('i-many', 3))).toBe(page('i-many', 3, [patch(200)]));
      expect(run.objects.get(pageKey('mi-0123456789abcdef0', 1))).toBe(page('mi-0123456789abcdef0', 1, [patch(7, 'Missing')]));
      // Bugfix is not a configured classification: an empty page, still a complete node.
      expect(run.objects.get(pageKey('i-none', 1))).toBe(page('i-none', 1, []));
    });

    test('untagged nodes are not listed, never-scanned and deregistered nodes get no pages', () => {
      const keys = [...run.objects.keys()];
      for (const id of ['i-other', 'i-new', 'i-gone']) expect(keys.filter((k) => k.includes(`instanceid=${id}/`))).toEqual([]);
      expect(keys.filter((k) => k.includes('i-other'))).toEqual([]);
    });

    test('instance records: status, counts and provenance, written after the pages', () => {
      expect(recordOf(run, 'i-many')).toEqual({
        instance_id: 'i-many',
        run_id: RUN_ID,
        snapshot_time: START_TIME,
        status: 'complete',
        pages: 3,
        patches: 201,
        ...PROVENANCE,
        error: null,
        cause: null,
      });
      expect(recordOf(run, 'i-new')).toEqual({
        instance_id: 'i-new',
        run_id: RUN_ID,
        snapshot_time: START_TIME,
        status: 'not_scanned',
        pages: 0,
        patches: 0,
        ...NO_PROVENANCE,
        error: null,
        cause: null,
      });
      expect(recordOf(run, 'i-gone')).toMatchObject({
        status: 'unmanaged',
        pages: 0,
        error: 'Ssm.InvalidInstanceIdException',
        ...NO_PROVENANCE,
      });
      expect(recordOf(run, 'mi-0123456789abcdef0')).toMatchObject({ status: 'complete', pages: 1, patches: 1 });
      const keys = [...run.objects.keys()];
      expect(keys.indexOf(`${INSTANCES}/i-many.json`)).toBeGreaterThan(keys.indexOf(pageKey('i-many', 3)));
    });

    test('records carry the run start time, not the child execution start time', () => {
      expect(CHILD_START_TIME).not.toBe(START_TIME);
      for (const body of run.objects.values()) expect(body).not.toContain(CHILD_START_TIME);
      expect([...run.objects.keys()].every((k) => k.includes(PARTITION))).toBe(true);
    });

    test('the manifest counts the listed nodes and the failures', () => {
      expect(manifestOf(run)).toEqual(expectedManifest({ nodes: 5, failed: 0 }));
    });

    test('each object is one line of JSON (what the OpenX JSON SerDe reads as one row)', () => {
      for (const body of run.objects.values()) expect(body).not.toContain('\n');
    });
  });

  test('a response without Patches (the SDK leaves out empty lists) is an empty page, not a crash', async () => {
    const run = await runSnapshot(fleet({ nodes: [node('i-empty'), node('i-new', { patchState: null })], omitEmptyLists: true }));
    expect(run.status).toBe('SUCCEEDED');
    expect(run.objects.get(pageKey('i-empty', 1))).toBe(page('i-empty', 1, []));
    expect(recordOf(run, 'i-empty')).toMatchObject({ status: 'complete', pages: 1, patches: 0 });
    expect(recordOf(run, 'i-new')).toMatchObject({ status: 'not_scanned' });
  });

  test('a patch state without the optional counts records them as null', async () => {
    const state = patchState('i-old');
    delete state.InstalledPendingRebootCount;
    delete state.CriticalNonCompliantCount;
    const run = await runSnapshot(fleet({ nodes: [node('i-old', { patchState: state })] }));
    expect(run.status).toBe('SUCCEEDED');
    expect(recordOf(run, 'i-old')).toMatchObject({
      status: 'complete',
      installed_pending_reboot_count: null,
      critical_non_compliant_count: null,
      missing_count: 2,
    });
  });

  test('the State filter keeps only the configured patch states', async () => {
    const run = await runSnapshot(fleet({ nodes: [node('i-1', { patches: [patch(1), patch(2, 'Missing'), patch(3, 'Failed')] })] }), {
      patchStates: ['Missing', 'Failed'],
    });
    expect(run.objects.get(pageKey('i-1', 1))).toBe(page('i-1', 1, [patch(2, 'Missing'), patch(3, 'Failed')]));
    expect(manifestOf(run).patch_states).toEqual(['Missing', 'Failed']);
  });

  test.each([1, 3])('concurrency: 12 nodes with maxConcurrency %i read exactly that many at once', async (c) => {
    const nodes = Array.from({ length: 12 }, (_, i) => node(`i-${i}`, { patches: [patch(i)] }));
    const run = await runSnapshot(fleet({ nodes }), { maxConcurrency: c });
    expect(run.status).toBe('SUCCEEDED');
    // Overlap observed by the fake SSM (calls in flight), not by the stand-in's own counter.
    expect(run.maxConcurrentNodeCalls).toBe(c);
    expect(run.mapRuns[0].peakRunning).toBe(c);
  });

  describe('throttling, then success', () => {
    let run: RunResult;
    beforeAll(async () => {
      run = await runSnapshot(
        fleet({
          nodes: [node('i-slow', { patches: pages(101) }), node('i-ok', { patches: [patch(3)] })],
          ssmErrorsBefore: { 'i-slow': ['Ssm.ThrottlingException'] },
          listErrorsBefore: ['Ssm.SsmException'],
          s3ErrorsBefore: { [pageKey('i-slow', 2)]: ['S3.S3Exception', 'S3.SlowDownException'] },
        }),
      );
    });

    test('retries and loses nothing', () => {
      expect(run.status).toBe('SUCCEEDED');
      expect(run.retries + run.children.reduce((s, c) => s + c.retries, 0)).toBe(4);
      expect(run.objects.get(pageKey('i-slow', 2))).toBe(page('i-slow', 2, [patch(100)]));
      expect(recordOf(run, 'i-slow')).toMatchObject({ status: 'complete', pages: 2, patches: 101 });
      expect(recordOf(run, 'i-ok')).toMatchObject({ status: 'complete', pages: 1, patches: 1 });
    });
  });

  describe('nodes failing permanently', () => {
    let run: RunResult;
    beforeAll(async () => {
      run = await runSnapshot(
        fleet({
          nodes: [
            node('i-good', { patches: [patch(1)] }),
            node('i-broken', { patches: [patch(5)] }),
            node('i-half', { patches: pages(150) }),
            node('i-nostate', { patches: [patch(6)] }),
            node('i-late', { patches: [patch(4)] }),
          ],
          listPageSizes: [4],
          ssmFailsAlways: { 'i-broken': 'Ssm.InternalServerErrorException' },
          patchStateFailsAlways: { 'i-nostate': 'Ssm.SsmException' },
          // i-half: its second page cannot be written (bucket policy, say): no retry helps
          s3ErrorsBefore: { [pageKey('i-half', 2)]: Array(RETRY_POLICY.MaxAttempts + 1).fill('S3.S3Exception') },
        }),
      );
    });

    test('the others are snapshotted, including nodes listed after the failures', () => {
      expect(recordOf(run, 'i-good')).toMatchObject({ status: 'complete' });
      expect(recordOf(run, 'i-late')).toMatchObject({ status: 'complete' });
      expect(run.objects.get(pageKey('i-half', 1))).toBe(page('i-half', 1, pages(100)));
    });

    test('each failure is an instance record with its error, the pages written, and provenance when read', () => {
      expect(recordOf(run, 'i-broken')).toMatchObject({
        status: 'failed',
        pages: 0,
        patches: 0,
        error: 'Ssm.InternalServerErrorException',
        ...PROVENANCE,
      });
      expect(recordOf(run, 'i-half')).toMatchObject({
        status: 'failed',
        pages: 1,
        patches: 100,
        error: 'S3.S3Exception',
        operation: 'Scan',
      });
      expect(recordOf(run, 'i-nostate')).toMatchObject({ status: 'failed', pages: 0, error: 'Ssm.SsmException', ...NO_PROVENANCE });
      expect(
        run.children
          .filter((c) => c.status === 'FAILED')
          .map((c) => c.instanceId)
          .sort(),
      ).toEqual(['i-broken', 'i-half', 'i-nostate']);
    });

    test('the manifest counts them (from the Map Runs), and the run then fails so the alarm fires', () => {
      expect(manifestOf(run)).toEqual(expectedManifest({ nodes: 5, failed: 3 }));
      expect(run.status).toBe('FAILED');
      expect(run.error).toEqual({
        name: INSTANCES_FAILED_ERROR,
        cause: `3 of 5 nodes could not be snapshotted; their instance records (status failed) are under s3://${BUCKET}/${INSTANCES}/`,
      });
    });
  });

  test('a run that cannot list nodes fails (and alarms) instead of writing an empty snapshot', async () => {
    const run = await runSnapshot(
      fleet({ nodes: [node('i-1')], listErrorsBefore: Array(RETRY_POLICY.MaxAttempts + 1).fill('Ssm.ThrottlingException') }),
    );
    expect(run.status).toBe('FAILED');
    expect(run.error?.name).toBe('Ssm.ThrottlingException');
    expect(run.objects.size).toBe(0);
  });

  test('the partition is the UTC date of the execution start', async () => {
    const run = await runSnapshot(fleet({ nodes: [node('i-1')] }), {}, { startTime: '2024-12-31T23:59:59.999Z', runId: 'r2' });
    expect([...run.objects.keys()].filter((k) => !k.includes('/_runs/'))).toEqual([
      'patch-history/year=2024/month=12/day=31/instanceid=i-1/r2-1.json',
      'patch-history/instances/year=2024/month=12/day=31/r2/i-1.json',
      'patch-history/runs/year=2024/month=12/day=31/r2.json',
    ]);
  });
});

describe('the Glue table matches what the machine writes', () => {
  test('top-level columns and patch struct fields are exactly the page keys (case-insensitively)', async () => {
    const run = await runSnapshot(fleet({ nodes: [node('i-1', { patches: [patch(1)] })] }));
    const body = JSON.parse(run.objects.get(pageKey('i-1', 1))!);
    const columns = Object.fromEntries(SNAPSHOT_COLUMNS.map((c) => [c.name, c.type]));
    expect(
      Object.keys(body)
        .map((k) => k.toLowerCase())
        .sort(),
    ).toEqual(Object.keys(columns).sort());
    const struct = /^array<struct<(.*)>>$/.exec(columns.patches)![1];
    const fields = Object.fromEntries(struct.split(',').map((f) => f.split(':')));
    expect(
      Object.keys(body.patches[0])
        .map((k) => k.toLowerCase())
        .sort(),
    ).toEqual(Object.keys(fields).sort());
  });
});

describe('state transitions per run (benchmark helper)', () => {
  test('grows by a fixed amount per patch page and per node', async () => {
    const t11 = await stateTransitions(1, 1);
    const t13 = await stateTransitions(1, 3);
    const t21 = await stateTransitions(2, 1);
    // Per extra patch page: Describe, PageShape, BuildPage, Write, PageWritten, MorePatches.
    expect(t13 - t11).toBe(12);
    // Per extra node (same listing page): its child execution at one page, 14 states
    // (ReadPatchState, Scanned, PatchStateDefaults, PatchState, 6 per page, Complete, WriteRecord, Recorded, NodeDone).
    expect(t21 - t11).toBe(14);
  });
});
