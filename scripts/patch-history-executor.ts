/**
 * Runs the patch-snapshot state machine in aws-local-stepfunctions (an independent
 * ASL executor) against in-memory fakes of EC2, SSM and S3.
 *
 *   const run = await runSnapshot(fleet({ instancePages: [[['i-1'], ['i-2']]], patches: { 'i-1': [[patch()]] } }));
 *   run.objects        // Map of S3 key -> body written, in write order
 *   run.summary        // the summary object (execution output or summary.json)
 *   run.transitions    // state transitions as Step Functions bills them (states entered + retries)
 *
 * For benchmarks: `stateTransitions(instances, patchPages)` runs a synthetic
 * fleet and returns the transitions of one run.
 *
 * aws-local-stepfunctions 3.x declares Node >= 22 because it calls
 * `Promise.withResolvers` (Node 22) once per Task; on Node 20 the standard polyfill
 * below supplies it. Nothing else of Node 22 is used (checked in its build).
 */
import { StateMachine, ExecutionError } from 'aws-local-stepfunctions';
import { INSTANCES_PER_PAGE, snapshotDefinition, SnapshotDefinitionProps } from '../stacks/capabilities/patch-history/definition';
import { RUNS_FOLDER } from '../stacks/capabilities/patch-history/config';

if (typeof (Promise as any).withResolvers !== 'function') {
  (Promise as any).withResolvers = function withResolvers<T>() {
    let resolve!: (v: T) => void;
    let reject!: (e: unknown) => void;
    const promise = new Promise<T>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
}

export const BUCKET = 'ssmb-111111111111-ap-northeast-1-patch-history';
export const RUN_ID = 'run-0001';
export const START_TIME = '2025-03-07T21:30:00.123Z';
export const PARTITION = 'year=2025/month=03/day=07';

export const DEFAULT_PROPS: SnapshotDefinitionProps = {
  bucket: BUCKET,
  prefix: 'patch-history',
  runsFolder: RUNS_FOLDER,
  tagKey: 'CheckPatch',
  classifications: ['Security', 'CriticalUpdates', 'SecurityUpdates'],
  maxConcurrency: 2,
};

/** A PatchComplianceData item as DescribeInstancePatches returns it. */
export interface Patch {
  Title: string;
  KBId: string;
  Classification: string;
  Severity: string;
  State: string;
  InstalledTime: string;
  CVEIds?: string;
}

export function patch(n: number, state = 'Installed'): Patch {
  return {
    Title: `Security update ${n}`,
    KBId: `KB${5000000 + n}`,
    Classification: 'SecurityUpdates',
    Severity: n % 2 ? 'Critical' : 'Important',
    State: state,
    InstalledTime: state === 'Installed' ? '2025-02-11T03:00:00Z' : '1970-01-01T00:00:00Z',
    CVEIds: `CVE-2025-${1000 + n}`,
  };
}

/** A reservation as the fake DescribeInstances returns it. */
export function reservation(id: string, instanceIds: string[], tagKey: string): Record<string, unknown> {
  return {
    ReservationId: id,
    OwnerId: '111111111111',
    Instances: instanceIds.map((i) => ({
      InstanceId: i,
      InstanceType: 't3.micro',
      State: { Name: 'running', Code: 16 },
      Tags: [{ Key: tagKey, Value: 'yes' }],
    })),
  };
}

export interface Fleet {
  /** DescribeInstances pages; each page a list of reservations; each reservation a list of instance ids. */
  readonly instancePages: string[][][];
  /** DescribeInstancePatches pages per instance. @default - one empty page */
  readonly patches?: Record<string, Patch[][]>;
  /** Errors DescribeInstancePatches throws for an instance before answering, one per call. */
  readonly ssmErrorsBefore?: Record<string, string[]>;
  /** Instances whose DescribeInstancePatches always fails with this error name. */
  readonly ssmFailsAlways?: Record<string, string>;
  /** Errors DescribeInstances throws before answering, one per call. */
  readonly ec2ErrorsBefore?: string[];
  /** Errors PutObject throws for a key (exact) before storing it, one per call. */
  readonly s3ErrorsBefore?: Record<string, string[]>;
}

export function fleet(f: Fleet): Fleet {
  return f;
}

export interface RunResult {
  readonly status: 'SUCCEEDED' | 'FAILED';
  readonly output?: any;
  readonly error?: { name: string; cause: string };
  /** S3 objects written: key -> body, in write order. */
  readonly objects: Map<string, string>;
  /** Every API call, in order: `ec2:DescribeInstances`, `ssm:DescribeInstancePatches i-1`, `s3:PutObject <key>`. */
  readonly calls: string[];
  /** Largest number of DescribeInstancePatches calls in flight at once. */
  readonly maxConcurrentPatchCalls: number;
  /** States entered plus retries: what Step Functions bills as state transitions. */
  readonly transitions: number;
  readonly retries: number;
  readonly events: Array<{ type: string; state?: string }>;
  /** States entered per state type (`Task`, `Pass`, `Choice`, `Map`, `Succeed`, `Fail`), iterations included. */
  readonly enteredByType: Record<string, number>;
  /** Map iterations started. */
  readonly mapIterations: number;
  /** Largest state input or output, in UTF-8 bytes of its JSON (what the 256 KiB payload quota measures). */
  readonly peakPayloadBytes: number;
}

function awsError(name: string, message = `${name} (fake)`): Error {
  const err = new Error(message);
  err.name = name;
  return err;
}

function expectEqual(what: string, actual: unknown, expected: unknown): void {
  if (JSON.stringify(actual) !== JSON.stringify(expected)) {
    // A validation error the real API would also raise (not retried by the machine).
    throw awsError('Fake.ValidationException', `${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
  }
}

/** The fakes: they check each request the way the real API would and answer from the fleet. */
class FakeAws {
  readonly objects = new Map<string, string>();
  readonly calls: string[] = [];
  inFlight = 0;
  maxInFlight = 0;
  private readonly ssmErrors: Record<string, string[]>;
  private readonly ec2Errors: string[];
  private readonly s3Errors: Record<string, string[]>;

  constructor(
    private readonly f: Fleet,
    private readonly props: SnapshotDefinitionProps,
  ) {
    this.ssmErrors = Object.fromEntries(Object.entries(f.ssmErrorsBefore ?? {}).map(([k, v]) => [k, [...v]]));
    this.ec2Errors = [...(f.ec2ErrorsBefore ?? [])];
    this.s3Errors = Object.fromEntries(Object.entries(f.s3ErrorsBefore ?? {}).map(([k, v]) => [k, [...v]]));
  }

  describeInstances(input: any): any {
    this.calls.push('ec2:DescribeInstances');
    const tag =
      this.props.tagValue === undefined
        ? { Name: 'tag-key', Values: [this.props.tagKey] }
        : { Name: `tag:${this.props.tagKey}`, Values: [this.props.tagValue] };
    expectEqual('DescribeInstances Filters[0]', input.Filters?.[0], tag);
    if (!(input.MaxResults >= 5 && input.MaxResults <= 1000))
      throw awsError('Ec2.Ec2Exception', 'InvalidParameterValue: MaxResults must be 5-1000');
    const err = this.ec2Errors.shift();
    if (err) throw awsError(err);
    const page = input.NextToken === undefined ? 0 : Number(/^ec2-page-(\d+)$/.exec(input.NextToken)?.[1] ?? NaN);
    if (!Number.isInteger(page) || page >= Math.max(1, this.f.instancePages.length))
      throw awsError('Ec2.Ec2Exception', `InvalidParameterValue: bad NextToken ${input.NextToken}`);
    const reservations = (this.f.instancePages[page] ?? []).map((ids, r) => reservation(`r-${page}${r}`, ids, this.props.tagKey));
    return { Reservations: reservations, ...(page + 1 < this.f.instancePages.length ? { NextToken: `ec2-page-${page + 1}` } : {}) };
  }

  async describeInstancePatches(input: any): Promise<any> {
    const id = input.InstanceId;
    this.calls.push(`ssm:DescribeInstancePatches ${id}${input.NextToken ? ` ${input.NextToken}` : ''}`);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      // Let other iterations start, so concurrency is observable.
      await new Promise((r) => setTimeout(r, 2));
      expectEqual('DescribeInstancePatches Filters', input.Filters, [{ Key: 'Classification', Values: [...this.props.classifications] }]);
      if (!(input.MaxResults >= 10 && input.MaxResults <= 100))
        throw awsError('Ssm.SsmException', 'ValidationException: MaxResults must be 10-100');
      const always = this.f.ssmFailsAlways?.[id];
      if (always) throw awsError(always);
      const err = this.ssmErrors[id]?.shift();
      if (err) throw awsError(err);
      const pages = this.f.patches?.[id] ?? [[]];
      const page = input.NextToken === undefined ? 0 : Number(new RegExp(`^${id}-page-(\\d+)$`).exec(input.NextToken)?.[1] ?? NaN);
      if (!Number.isInteger(page) || page >= pages.length) throw awsError('Ssm.InvalidNextTokenException');
      return { Patches: pages[page], ...(page + 1 < pages.length ? { NextToken: `${id}-page-${page + 1}` } : {}) };
    } finally {
      this.inFlight--;
    }
  }

  putObject(input: any): any {
    this.calls.push(`s3:PutObject ${input.Key}`);
    expectEqual('PutObject Bucket', input.Bucket, this.props.bucket);
    if (typeof input.Key !== 'string' || typeof input.Body !== 'string')
      throw awsError('Fake.ValidationException', 'Key and Body must be strings');
    const err = this.s3Errors[input.Key]?.shift();
    if (err) throw awsError(err);
    this.objects.set(input.Key, input.Body);
    return { ETag: '"fake"', ServerSideEncryption: 'AES256' };
  }
}

/** Runs `fn` with `new Date()` and `Date.now()` answering `iso`. */
function atTime<T>(iso: string, fn: () => T): T {
  const RealDate = Date;
  const fixed = new RealDate(iso).getTime();
  class FixedDate extends RealDate {
    constructor(...args: unknown[]) {
      if (args.length === 0) super(fixed);
      else super(...(args as [string]));
    }
    static now(): number {
      return fixed;
    }
  }
  globalThis.Date = FixedDate as DateConstructor;
  try {
    return fn();
  } finally {
    globalThis.Date = RealDate;
  }
}

/** Runs one execution of the machine built from `props` against the fleet. */
export async function runSnapshot(
  f: Fleet,
  props: Partial<SnapshotDefinitionProps> = {},
  opts: { runId?: string; startTime?: string } = {},
): Promise<RunResult> {
  const p = { ...DEFAULT_PROPS, ...props };
  const definition = snapshotDefinition(p);
  const aws = new FakeAws(f, p);
  const machine = new StateMachine(definition as any, { validationOptions: { checkArn: true, checkPaths: true } });
  const retryStates = [
    'ListInstances',
    'ListMoreInstances',
    'DescribePatches',
    'DescribeMorePatches',
    'WritePage',
    'RecordFailure',
    'WriteSummary',
  ];
  // The executor stamps $$.Execution.StartTime with the clock when the run starts
  // (synchronously, inside run()); pin the clock for exactly that call.
  const execution = atTime(opts.startTime ?? START_TIME, () =>
    machine.run(
      {},
      {
        context: { Execution: { Name: opts.runId ?? RUN_ID } },
        overrides: {
          taskResourceLocalHandlers: {
            ListInstances: (i) => aws.describeInstances(i),
            ListMoreInstances: (i) => aws.describeInstances(i),
            DescribePatches: (i) => aws.describeInstancePatches(i),
            DescribeMorePatches: (i) => aws.describeInstancePatches(i),
            WritePage: (i) => aws.putObject(i),
            RecordFailure: (i) => aws.putObject(i),
            WriteSummary: (i) => aws.putObject(i),
          },
          // The retry policy's timing is asserted on the definition; here it would only slow tests.
          retryIntervalOverrides: Object.fromEntries(retryStates.map((s) => [s, 0])),
        },
      },
    ),
  );
  const events: RunResult['events'] = [];
  const enteredByType: Record<string, number> = {};
  let mapIterations = 0;
  let peakPayloadBytes = 0;
  const measure = (v: unknown) => {
    if (v !== undefined) peakPayloadBytes = Math.max(peakPayloadBytes, Buffer.byteLength(JSON.stringify(v), 'utf8'));
  };
  const collecting = (async () => {
    for await (const e of execution.eventLogs) {
      const state = (e as any).state as { name: string; type: string; input?: unknown; output?: unknown } | undefined;
      events.push({ type: e.type, state: state?.name });
      if (e.type === 'StateEntered' && state) enteredByType[state.type] = (enteredByType[state.type] ?? 0) + 1;
      if (e.type === 'MapIterationStarted') mapIterations++;
      if (state) {
        measure(state.input);
        measure(state.output);
      }
    }
  })();
  let status: RunResult['status'] = 'SUCCEEDED';
  let output: any;
  let error: RunResult['error'];
  try {
    output = await execution.result;
  } catch (err) {
    if (!(err instanceof ExecutionError)) throw err;
    status = 'FAILED';
    const cause = (err as any).cause as Error;
    error = { name: cause.name, cause: cause.message };
  }
  await collecting;
  const retries = events.filter((e) => e.type === 'StateRetried').length;
  return {
    status,
    output,
    error,
    objects: aws.objects,
    calls: aws.calls,
    maxConcurrentPatchCalls: aws.maxInFlight,
    transitions: events.filter((e) => e.type === 'StateEntered').length + retries,
    retries,
    events,
    enteredByType,
    mapIterations,
    peakPayloadBytes,
  };
}

/** A synthetic fleet: `instances` tagged instances (one per reservation), each with `patchPages` full pages of patches. */
export function syntheticFleet(instances: number, patchPages: number, instancesPerPage = INSTANCES_PER_PAGE): Fleet {
  const ids = Array.from({ length: instances }, (_, i) => `i-${String(i).padStart(17, '0')}`);
  const instancePages: string[][][] = [];
  for (let i = 0; i < ids.length; i += instancesPerPage) instancePages.push(ids.slice(i, i + instancesPerPage).map((id) => [id]));
  const patches = Object.fromEntries(
    ids.map((id) => [id, Array.from({ length: patchPages }, (_, pg) => Array.from({ length: 100 }, (_, n) => patch(pg * 100 + n)))]),
  );
  return { instancePages: instancePages.length ? instancePages : [[]], patches };
}

/**
 * State transitions of one run over `instances` instances with `patchPages` pages of
 * patches each, no errors (for the issue-9 benchmark: 1, 10, 100 instances x 1, 3 pages).
 */
export async function stateTransitions(
  instances: number,
  patchPages: number,
  props: Partial<SnapshotDefinitionProps> = {},
): Promise<number> {
  const run = await runSnapshot(syntheticFleet(instances, patchPages), props);
  if (run.status !== 'SUCCEEDED') throw new Error(`synthetic run failed: ${run.error?.name}: ${run.error?.cause}`);
  return run.transitions;
}
