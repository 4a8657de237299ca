// asl-validator ships no type declarations: its documented signature.
type AslValidator = (
  definition: unknown,
  opts?: { checkPaths?: boolean; checkArn?: boolean },
) => { isValid: boolean; errorsText: (sep?: string) => string };
const aslValidator: AslValidator = require('asl-validator');
import {
  EXECUTION_TIMEOUT_SECONDS,
  INSTANCES_FAILED_ERROR,
  INSTANCES_PER_PAGE,
  PATCHES_PER_PAGE,
  RETRY_POLICY,
  snapshotDefinition,
} from '../../stacks/capabilities/patch-history/definition';
import { SNAPSHOT_COLUMNS } from '../../stacks/capabilities/patch-history/query';
import {
  BUCKET,
  DEFAULT_PROPS,
  PARTITION,
  RUN_ID,
  START_TIME,
  fleet,
  patch,
  runSnapshot,
  stateTransitions,
  RunResult,
} from '../../scripts/patch-history-executor';
import { evaluate } from '../../policies/engine';
import { stackFromSynth } from '../../policies/model';
import { RULES } from '../../policies/rules';
import { intrinsicCalls, pathFields } from '../../policies/rules/states/machine';

const DATA = `patch-history/${PARTITION}`;
const RUNS = `patch-history/_runs/${PARTITION}/${RUN_ID}`;

const record = (instance: string, page: number, patches: unknown[]) =>
  JSON.stringify({ instance_id: instance, snapshot_time: START_TIME, run_id: RUN_ID, page, patches });

const summaryOf = (run: RunResult) => JSON.parse(run.objects.get(`${RUNS}/summary.json`)!);

function expectedSummary(over: Record<string, unknown>) {
  return {
    run_id: RUN_ID,
    snapshot_time: START_TIME,
    bucket: BUCKET,
    prefix: `${DATA}/`,
    instances: 0,
    instance_pages: 1,
    pages: 0,
    patches: 0,
    failed: 0,
    failures_prefix: `${RUNS}/failures/`,
    ...over,
  };
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
    const resources = JSON.stringify(definition).match(/"Resource":"[^"]+"/g)!;
    expect(new Set(resources)).toEqual(
      new Set([
        '"Resource":"arn:aws:states:::aws-sdk:ec2:describeInstances"',
        '"Resource":"arn:aws:states:::aws-sdk:ssm:describeInstancePatches"',
        '"Resource":"arn:aws:states:::aws-sdk:s3:putObject"',
      ]),
    );
  });

  test('every task retries transient errors with exponential backoff and full jitter', () => {
    const tasks: Array<[string, any]> = [];
    const walk = (states: Record<string, any>) =>
      Object.entries(states).forEach(([name, s]) => {
        if (s.Type === 'Task') tasks.push([name, s]);
        if (s.ItemProcessor) walk(s.ItemProcessor.States);
      });
    walk(definition.States as Record<string, any>);
    expect(tasks.map(([n]) => n).sort()).toEqual(
      ['DescribeMorePatches', 'DescribePatches', 'ListInstances', 'ListMoreInstances', 'RecordFailure', 'WritePage', 'WriteSummary'].sort(),
    );
    for (const [, task] of tasks) {
      expect(task.Retry).toHaveLength(1);
      expect(task.Retry[0]).toMatchObject({ ...RETRY_POLICY, JitterStrategy: 'FULL' });
      expect(task.Retry[0].BackoffRate).toBeGreaterThan(1);
      // Never a blanket retry: permanent errors must reach the Catch quickly.
      expect(task.Retry[0].ErrorEquals).not.toContain('States.ALL');
      expect(task.Retry[0].ErrorEquals).not.toContain('States.TaskFailed');
    }
  });

  test('the Map runs the configured concurrency and every per-instance task catches', () => {
    const d = snapshotDefinition({ ...DEFAULT_PROPS, maxConcurrency: 7 }) as any;
    expect(d.States.SnapshotInstances.MaxConcurrency).toBe(7);
    const inner = d.States.SnapshotInstances.ItemProcessor.States;
    for (const name of ['DescribePatches', 'DescribeMorePatches', 'WritePage', 'RecordFailure']) {
      expect(inner[name].Catch).toEqual([expect.objectContaining({ ErrorEquals: ['States.ALL'] })]);
    }
  });

  test('pages are requested at the API maximum and instances in payload-safe pages', () => {
    const d = definition as any;
    expect(d.States.ListInstances.Parameters.MaxResults).toBe(INSTANCES_PER_PAGE);
    expect(d.States.SnapshotInstances.ItemProcessor.States.DescribePatches.Parameters.MaxResults).toBe(PATCHES_PER_PAGE);
  });

  test('no field holds more than 10 intrinsic function calls (the Step Functions quota)', () => {
    const over: string[] = [];
    const walk = (states: Record<string, any>) =>
      Object.entries(states).forEach(([name, s]) => {
        for (const f of pathFields(s)) if (intrinsicCalls(f.expression) > 10) over.push(`${name}.${f.field}`);
        if (s.ItemProcessor) walk(s.ItemProcessor.States);
      });
    walk(definition.States as Record<string, any>);
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

  test('refuses a prefix it cannot embed in States.Format', () => {
    expect(() => snapshotDefinition({ ...DEFAULT_PROPS, prefix: "it's" })).toThrow(/cannot embed/);
    expect(() => snapshotDefinition({ ...DEFAULT_PROPS, maxConcurrency: 0 })).toThrow(/maxConcurrency/);
  });
});

describe('patch snapshot execution (aws-local-stepfunctions against fake EC2/SSM/S3)', () => {
  test('no tagged instances: only the summary is written, zeros', async () => {
    const run = await runSnapshot(fleet({ instancePages: [[]] }));
    expect(run.status).toBe('SUCCEEDED');
    expect([...run.objects.keys()]).toEqual([`${RUNS}/summary.json`]);
    expect(summaryOf(run)).toEqual(expectedSummary({}));
    expect(run.output).toEqual(summaryOf(run));
    expect(run.calls).toEqual(['ec2:DescribeInstances', `s3:PutObject ${RUNS}/summary.json`]);
  });

  test('a tag value filters by tag:<key>=<value>', async () => {
    const run = await runSnapshot(fleet({ instancePages: [[['i-1']]] }), { tagValue: 'weekly' });
    expect(run.status).toBe('SUCCEEDED');
    expect(summaryOf(run)).toMatchObject({ instances: 1, pages: 1 });
  });

  describe('two pages of instances (one with two reservations, one with a single instance)', () => {
    let run: RunResult;
    beforeAll(async () => {
      run = await runSnapshot(
        fleet({
          // An empty page with a NextToken in the middle, as EC2 can return with filters.
          instancePages: [[['i-a'], ['i-b', 'i-c']], [], [['i-d']]],
          patches: { 'i-a': [[patch(1), patch(2, 'Missing')]], 'i-b': [[]], 'i-c': [[patch(3)]], 'i-d': [[patch(4, 'Failed')]] },
        }),
      );
    });

    test('follows every DescribeInstances NextToken', () => {
      expect(run.calls.filter((c) => c.startsWith('ec2:'))).toHaveLength(3);
      expect(run.status).toBe('SUCCEEDED');
    });

    test('writes exactly one object per instance page, with the exact key and body', () => {
      expect(Object.fromEntries(run.objects)).toEqual({
        [`${DATA}/instanceid=i-a/${RUN_ID}-1.json`]: record('i-a', 1, [patch(1), patch(2, 'Missing')]),
        [`${DATA}/instanceid=i-b/${RUN_ID}-1.json`]: record('i-b', 1, []),
        [`${DATA}/instanceid=i-c/${RUN_ID}-1.json`]: record('i-c', 1, [patch(3)]),
        [`${DATA}/instanceid=i-d/${RUN_ID}-1.json`]: record('i-d', 1, [patch(4, 'Failed')]),
        [`${RUNS}/summary.json`]: JSON.stringify(expectedSummary({ instances: 4, instance_pages: 3, pages: 4, patches: 4 })),
      });
    });

    test('each object is one line of JSON (what the OpenX JSON SerDe reads as one row)', () => {
      for (const body of run.objects.values()) expect(body).not.toContain('\n');
    });
  });

  describe('an instance with three pages of patches', () => {
    let run: RunResult;
    const pages = [
      Array.from({ length: 100 }, (_, i) => patch(i)),
      Array.from({ length: 100 }, (_, i) => patch(100 + i, 'Missing')),
      [patch(200)],
    ];
    beforeAll(async () => {
      run = await runSnapshot(fleet({ instancePages: [[['i-many'], ['i-one']]], patches: { 'i-many': pages, 'i-one': [[patch(7)]] } }));
    });

    test('follows every DescribeInstancePatches NextToken', () => {
      expect(run.calls.filter((c) => c.startsWith('ssm:') && c.includes('i-many'))).toEqual([
        'ssm:DescribeInstancePatches i-many',
        'ssm:DescribeInstancePatches i-many i-many-page-1',
        'ssm:DescribeInstancePatches i-many i-many-page-2',
      ]);
    });

    test('writes page 1, 2, 3 with their own patches', () => {
      pages.forEach((p, i) => {
        expect(run.objects.get(`${DATA}/instanceid=i-many/${RUN_ID}-${i + 1}.json`)).toBe(record('i-many', i + 1, p));
      });
      expect(summaryOf(run)).toEqual(expectedSummary({ instances: 2, pages: 4, patches: 202 }));
    });

    test('never reads more instances at once than MaxConcurrency', () => {
      expect(run.maxConcurrentPatchCalls).toBeLessThanOrEqual(DEFAULT_PROPS.maxConcurrency);
    });
  });

  test('concurrency: 6 instances with maxConcurrency 1 never overlap, with 3 they do', async () => {
    const ids = ['i-1', 'i-2', 'i-3', 'i-4', 'i-5', 'i-6'];
    const one = await runSnapshot(fleet({ instancePages: [ids.map((i) => [i])] }), { maxConcurrency: 1 });
    const three = await runSnapshot(fleet({ instancePages: [ids.map((i) => [i])] }), { maxConcurrency: 3 });
    expect(one.maxConcurrentPatchCalls).toBe(1);
    expect(three.maxConcurrentPatchCalls).toBeGreaterThan(1);
    expect(three.maxConcurrentPatchCalls).toBeLessThanOrEqual(3);
  });

  describe('throttling, then success', () => {
    let run: RunResult;
    beforeAll(async () => {
      run = await runSnapshot(
        fleet({
          instancePages: [[['i-slow'], ['i-ok']]],
          patches: { 'i-slow': [[patch(1)], [patch(2)]], 'i-ok': [[patch(3)]] },
          // throttled on the first page, then the API's base exception twice on the second
          ssmErrorsBefore: { 'i-slow': ['Ssm.ThrottlingException'] },
          ec2ErrorsBefore: ['Ec2.Ec2Exception'],
          s3ErrorsBefore: { [`${DATA}/instanceid=i-slow/${RUN_ID}-2.json`]: ['S3.S3Exception', 'S3.SlowDownException'] },
        }),
      );
    });

    test('retries and loses nothing', () => {
      expect(run.status).toBe('SUCCEEDED');
      expect(run.retries).toBe(4);
      expect(run.objects.get(`${DATA}/instanceid=i-slow/${RUN_ID}-1.json`)).toBe(record('i-slow', 1, [patch(1)]));
      expect(run.objects.get(`${DATA}/instanceid=i-slow/${RUN_ID}-2.json`)).toBe(record('i-slow', 2, [patch(2)]));
      expect(run.objects.get(`${DATA}/instanceid=i-ok/${RUN_ID}-1.json`)).toBe(record('i-ok', 1, [patch(3)]));
      expect(summaryOf(run)).toEqual(expectedSummary({ instances: 2, pages: 3, patches: 3 }));
      expect([...run.objects.keys()].filter((k) => k.includes('/failures/'))).toEqual([]);
    });
  });

  test('throttling that outlasts the retries becomes a recorded failure, not a lost run', async () => {
    const run = await runSnapshot(
      fleet({
        instancePages: [[['i-x'], ['i-y']]],
        ssmErrorsBefore: { 'i-x': Array(RETRY_POLICY.MaxAttempts + 1).fill('Ssm.ThrottlingException') },
      }),
    );
    expect(run.retries).toBe(RETRY_POLICY.MaxAttempts);
    expect(run.status).toBe('FAILED');
    expect(JSON.parse(run.objects.get(`${RUNS}/failures/i-x.json`)!)).toMatchObject({
      instance_id: 'i-x',
      error: 'Ssm.ThrottlingException',
    });
    expect(run.objects.has(`${DATA}/instanceid=i-y/${RUN_ID}-1.json`)).toBe(true);
  });

  describe('one instance failing permanently', () => {
    let run: RunResult;
    beforeAll(async () => {
      run = await runSnapshot(
        fleet({
          instancePages: [[['i-good'], ['i-gone'], ['i-half']], [['i-late']]],
          patches: { 'i-good': [[patch(1)]], 'i-half': [[patch(2)], [patch(3)]], 'i-late': [[patch(4)]] },
          ssmFailsAlways: { 'i-gone': 'Ssm.InvalidInstanceIdException' },
          // i-half: its second page cannot be written (bucket policy, say): no retry helps
          s3ErrorsBefore: { [`${DATA}/instanceid=i-half/${RUN_ID}-2.json`]: Array(RETRY_POLICY.MaxAttempts + 1).fill('S3.S3Exception') },
        }),
      );
    });

    test('the others are snapshotted, including instances listed after the failure', () => {
      expect(run.objects.get(`${DATA}/instanceid=i-good/${RUN_ID}-1.json`)).toBe(record('i-good', 1, [patch(1)]));
      expect(run.objects.get(`${DATA}/instanceid=i-late/${RUN_ID}-1.json`)).toBe(record('i-late', 1, [patch(4)]));
      expect(run.objects.get(`${DATA}/instanceid=i-half/${RUN_ID}-1.json`)).toBe(record('i-half', 1, [patch(2)]));
    });

    test('a modeled permanent error is not retried', () => {
      expect(run.calls.filter((c) => c === 'ssm:DescribeInstancePatches i-gone')).toHaveLength(1);
    });

    test('each failure is recorded with its error and the pages already written', () => {
      expect(JSON.parse(run.objects.get(`${RUNS}/failures/i-gone.json`)!)).toEqual({
        instance_id: 'i-gone',
        run_id: RUN_ID,
        snapshot_time: START_TIME,
        pages_written: 0,
        patches_written: 0,
        error: 'Ssm.InvalidInstanceIdException',
        cause: 'Ssm.InvalidInstanceIdException (fake)',
      });
      expect(JSON.parse(run.objects.get(`${RUNS}/failures/i-half.json`)!)).toMatchObject({
        instance_id: 'i-half',
        pages_written: 1,
        patches_written: 1,
        error: 'S3.S3Exception',
      });
    });

    test('the summary counts them, and the execution then fails so the alarm fires', () => {
      expect(summaryOf(run)).toEqual(expectedSummary({ instances: 4, instance_pages: 2, pages: 3, patches: 3, failed: 2 }));
      expect(run.status).toBe('FAILED');
      expect(run.error).toEqual({
        name: INSTANCES_FAILED_ERROR,
        cause: `2 of 4 instances could not be snapshotted; failure records are under s3://${BUCKET}/${RUNS}/failures/`,
      });
    });
  });

  test('a failure record that cannot be written still counts as a failure', async () => {
    const run = await runSnapshot(
      fleet({
        instancePages: [[['i-gone'], ['i-ok']]],
        ssmFailsAlways: { 'i-gone': 'Ssm.InvalidInstanceIdException' },
        s3ErrorsBefore: { [`${RUNS}/failures/i-gone.json`]: Array(RETRY_POLICY.MaxAttempts + 1).fill('S3.S3Exception') },
      }),
    );
    expect(run.status).toBe('FAILED');
    expect(summaryOf(run)).toMatchObject({ instances: 2, failed: 1 });
  });

  test('a run that cannot list instances fails (and alarms) instead of writing an empty snapshot', async () => {
    const run = await runSnapshot(
      fleet({ instancePages: [[['i-1']]], ec2ErrorsBefore: Array(RETRY_POLICY.MaxAttempts + 1).fill('Ec2.Ec2Exception') }),
    );
    expect(run.status).toBe('FAILED');
    expect(run.error?.name).toBe('Ec2.Ec2Exception');
    expect(run.objects.size).toBe(0);
  });

  test('the partition is the UTC date of the execution start', async () => {
    const run = await runSnapshot(fleet({ instancePages: [[['i-1']]] }), {}, { startTime: '2024-12-31T23:59:59.999Z', runId: 'r2' });
    expect([...run.objects.keys()]).toEqual([
      'patch-history/year=2024/month=12/day=31/instanceid=i-1/r2-1.json',
      'patch-history/_runs/year=2024/month=12/day=31/r2/summary.json',
    ]);
  });
});

describe('the Glue table matches what the machine writes', () => {
  test('top-level columns and patch struct fields are exactly the record keys (case-insensitively)', async () => {
    const run = await runSnapshot(fleet({ instancePages: [[['i-1']]], patches: { 'i-1': [[patch(1)]] } }));
    const body = JSON.parse(run.objects.get(`${DATA}/instanceid=i-1/${RUN_ID}-1.json`)!);
    const columns = Object.fromEntries(SNAPSHOT_COLUMNS.map((c) => [c.name, c.type]));
    expect(
      Object.keys(body)
        .map((k) => k.toLowerCase())
        .sort(),
    ).toEqual(Object.keys(columns).sort());
    const struct = /^array<struct<(.*)>>$/.exec(columns.patches)![1];
    const fields = Object.fromEntries(struct.split(',').map((f) => f.split(':')));
    // Every field DescribeInstancePatches returns (PatchComplianceData) has a column.
    expect(
      Object.keys(body.patches[0])
        .map((k) => k.toLowerCase())
        .sort(),
    ).toEqual(Object.keys(fields).sort());
    expect(Object.values(fields).every((t) => t === 'string')).toBe(true);
    expect(columns).toMatchObject({ instance_id: 'string', snapshot_time: 'string', run_id: 'string', page: 'int' });
  });
});

describe('state transitions per run (benchmark helper)', () => {
  test('grows linearly with instances and pages', async () => {
    const t11 = await stateTransitions(1, 1);
    const t13 = await stateTransitions(1, 3);
    const t21 = await stateTransitions(2, 1);
    // Per extra patch page: Describe, BuildPage, Write, Choice.
    expect(t13 - t11).toBe(8);
    // Per extra instance (same instance page): 4 per page + done + 2 tally.
    expect(t21 - t11).toBe(7);
  });
});
