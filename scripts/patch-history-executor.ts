/**
 * Runs the patch-snapshot state machine in aws-local-stepfunctions (an independent
 * ASL executor) against in-memory fakes of SSM, S3 and the Step Functions Map Run API.
 *
 *   const run = await runSnapshot(fleet({ nodes: [node('i-1', { patches: [patch(1)] })] }));
 *   run.objects        // Map of S3 key -> body written, in write order
 *   run.manifest       // the run manifest
 *   run.transitions    // state transitions as Step Functions bills them (parent and children)
 *
 * The distributed Map: aws-local-stepfunctions 3.0.0 runs every Map inline (one
 * executor, no ToleratedFailurePercentage, no ResultWriter, no Map Run), so
 * `distributedMapStandIn` replaces that one state by a Task whose handler does what
 * Step Functions documents for a distributed Map: ItemSelector per item (evaluated by
 * the executor itself), one separate child execution per item running the
 * ItemProcessor definition, at most MaxConcurrency at once, the tolerated-failure
 * threshold, and the ResultWriter files and the Map Run counts (read by the fake
 * DescribeMapRun). __tests__/patch-history/executor.test.ts tests the stand-in itself.
 * What it cannot prove: how the service schedules children and how fast, the exact
 * ResultWriter file contents, and IAM on the child executions.
 *
 * aws-local-stepfunctions 3.x declares Node >= 22 because it calls
 * `Promise.withResolvers` (Node 22) once per Task; on Node 20 the standard polyfill
 * below supplies it. Nothing else of Node 22 is used (checked in its build).
 */
import { StateMachine, ExecutionError } from 'aws-local-stepfunctions';
import {
  DISTRIBUTED_MAP_STATE,
  NODES_PER_PAGE,
  snapshotDefinition,
  SnapshotDefinitionProps,
} from '../stacks/capabilities/patch-history/definition';
import { RUNS_FOLDER } from '../stacks/capabilities/patch-history/config';
import { alreadyValidated, rememberValidated } from './validated-definitions';

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

export const ACCOUNT = '111111111111';
export const REGION = 'ap-northeast-1';
export const MACHINE = 'ssmb-patch-history';
export const BUCKET = `ssmb-${ACCOUNT}-${REGION}-patch-history`;
export const RUN_ID = 'run-0001';
export const START_TIME = '2025-03-07T21:30:00.123Z';
export const PARTITION = 'year=2025/month=03/day=07';
/** Child executions start later than the parent (and on another day): records must carry the parent's time. */
export const CHILD_START_TIME = '2025-03-08T00:00:05.000Z';
/** When the run's last states are entered (`$$.State.EnteredTime`, which the executor does not set). */
export const FINISHED_TIME = '2025-03-08T00:10:00.000Z';

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

export function patch(n: number, state = 'Installed', classification = 'SecurityUpdates'): Patch {
  return {
    Title: `Security update ${n}`,
    KBId: `KB${5000000 + n}`,
    Classification: classification,
    Severity: n % 2 ? 'Critical' : 'Important',
    State: state,
    InstalledTime: state === 'Installed' ? '2025-02-11T03:00:00Z' : '1970-01-01T00:00:00Z',
    CVEIds: `CVE-2025-${1000 + n}`,
  };
}

/** An InstancePatchState as DescribeInstancePatchStates returns it (API reference example shape). */
export function patchState(id: string, over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    InstanceId: id,
    PatchGroup: '',
    BaselineId: 'pb-0c10e65780EXAMPLE',
    SnapshotId: '6d03d6c5-f79d-41d0-8d0e-00a9aEXAMPLE',
    OwnerInformation: '',
    InstalledCount: 50,
    InstalledOtherCount: 353,
    InstalledPendingRebootCount: 0,
    InstalledRejectedCount: 0,
    MissingCount: 2,
    FailedCount: 0,
    UnreportedNotApplicableCount: -1,
    NotApplicableCount: 671,
    OperationStartTime: '2025-03-07T03:00:12.345Z',
    OperationEndTime: '2025-03-07T03:01:40.678Z',
    Operation: 'Scan',
    RebootOption: 'NoReboot',
    CriticalNonCompliantCount: 1,
    SecurityNonCompliantCount: 2,
    OtherNonCompliantCount: 0,
    ...over,
  };
}

/** An InstanceInformation entry as DescribeInstanceInformation returns it (EC2 or hybrid node). */
export function instanceInformation(id: string): Record<string, unknown> {
  const hybrid = id.startsWith('mi-');
  return {
    InstanceId: id,
    PingStatus: 'Online',
    LastPingDateTime: '2025-03-07T21:25:01.234Z',
    AgentVersion: '3.3.1142.0',
    IsLatestVersion: false,
    PlatformType: hybrid ? 'Linux' : 'Windows',
    PlatformName: hybrid ? 'Ubuntu' : 'Microsoft Windows Server 2022 Datacenter',
    PlatformVersion: hybrid ? '22.04' : '10.0.20348',
    ResourceType: hybrid ? 'ManagedInstance' : 'EC2Instance',
    IPAddress: '10.0.12.34',
    ComputerName: hybrid ? 'build-host-07.corp.example.com' : 'EC2AMAZ-4RTD5QK.WORKGROUP',
    AssociationStatus: 'Success',
    LastAssociationExecutionDate: '2025-03-07T03:00:10.000Z',
    LastSuccessfulAssociationExecutionDate: '2025-03-07T03:00:10.000Z',
    AssociationOverview: { DetailedStatus: 'Success', InstanceAssociationStatusAggregatedCount: { Success: 2 } },
    SourceId: id,
    SourceType: hybrid ? 'AWS::SSM::ManagedInstance' : 'AWS::EC2::Instance',
    ...(hybrid
      ? {
          ActivationId: 'a1b2c3d4-5678-90ab-cdef-EXAMPLE11111',
          IamRole: 'service-role/AmazonEC2RunCommandRoleForManagedInstances',
          RegistrationDate: '2024-11-02T08:15:00.000Z',
          Name: 'build-host-07',
        }
      : {}),
  };
}

export interface Node {
  readonly id: string;
  /** @default { CheckPatch: 'yes' } */
  readonly tags?: Record<string, string>;
  /** Every patch DescribeInstancePatches knows for the node (the fake filters and pages them). @default [] */
  readonly patches?: Patch[];
  /** The InstancePatchState; null: never scanned. @default patchState(id) */
  readonly patchState?: Record<string, unknown> | null;
  /** Listed, then deregistered before it is read: SSM answers InvalidInstanceId. */
  readonly deregistered?: boolean;
}

export function node(id: string, over: Omit<Node, 'id'> = {}): Node {
  return { id, ...over };
}

export interface Fleet {
  readonly nodes: Node[];
  /** Sizes of the listing pages SSM returns (it may return fewer than MaxResults, even 0); then MaxResults. */
  readonly listPageSizes?: number[];
  /** The SDK leaves out empty lists: an empty page comes without `Patches`, no patch state without `InstancePatchStates`. */
  readonly omitEmptyLists?: boolean;
  /** Errors DescribeInstancePatches throws for a node before answering, one per call. */
  readonly ssmErrorsBefore?: Record<string, string[]>;
  /** Nodes whose DescribeInstancePatches always fails with this error name. */
  readonly ssmFailsAlways?: Record<string, string>;
  /** Nodes whose DescribeInstancePatches answers `pages` pages, then fails every later call with `error` (fails mid-pages). */
  readonly ssmFailsAfterPages?: Record<string, { pages: number; error: string }>;
  /** Nodes whose DescribeInstancePatchStates always fails with this error name. */
  readonly patchStateFailsAlways?: Record<string, string>;
  /** Errors DescribeInstanceInformation throws before answering, one per call. */
  readonly listErrorsBefore?: string[];
  /** Errors PutObject throws for a key (exact) before storing it, one per call. */
  readonly s3ErrorsBefore?: Record<string, string[]>;
}

export function fleet(f: Fleet): Fleet {
  return f;
}

export interface ExecutionFigures {
  /** States entered per state type (`Task`, `Pass`, `Choice`, `Map`, `Succeed`, `Fail`). */
  readonly enteredByType: Record<string, number>;
  readonly retries: number;
  /** States entered plus retries: what Step Functions bills as state transitions. */
  readonly transitions: number;
  /** Largest state input or output, in UTF-8 bytes of its JSON (what the 256 KiB payload quota measures). */
  readonly peakPayloadBytes: number;
}

export interface ChildRun extends ExecutionFigures {
  readonly instanceId: string;
  readonly status: 'SUCCEEDED' | 'FAILED';
  readonly error?: { name: string; cause: string };
}

export interface MapRun {
  readonly arn: string;
  readonly items: number;
  readonly succeeded: number;
  readonly failed: number;
  readonly maxConcurrency: number;
  /** Most child executions that ran at once. */
  readonly peakRunning: number;
}

export interface RunResult extends ExecutionFigures {
  readonly status: 'SUCCEEDED' | 'FAILED';
  readonly output?: any;
  readonly error?: { name: string; cause: string };
  /** S3 objects written: key -> body, in write order. */
  readonly objects: Map<string, string>;
  /** The Map Runs' result files when `props.results` sends them to another bucket (else they are in `objects`). */
  readonly resultObjects: Map<string, string>;
  /** Every API call, in order: `ssm:DescribeInstanceInformation`, `ssm:DescribeInstancePatches i-1`, `s3:PutObject <key>`. */
  readonly calls: string[];
  /** Most SSM calls about single nodes (patch states, patches) in flight at once. */
  readonly maxConcurrentNodeCalls: number;
  /** The child executions, in the order they finished. */
  readonly children: ChildRun[];
  readonly mapRuns: MapRun[];
  /** Largest Task request (e.g. a PutObject Body), in UTF-8 bytes of its JSON. */
  readonly peakTaskInputBytes: number;
  /** Transitions of the parent and every child: what one run costs. */
  readonly totalTransitions: number;
}

function awsError(name: string, message = `${name} (fake)`): Error {
  const err = new Error(message);
  err.name = name;
  return err;
}

/** DescribeInstanceInformation filter keys (API reference, InstanceInformationStringFilter). */
const INFORMATION_FILTER_KEYS = [
  'InstanceIds',
  'AgentVersion',
  'PingStatus',
  'PlatformTypes',
  'ActivationIds',
  'IamRole',
  'ResourceType',
  'AssociationStatus',
  'tag-key',
];
/** DescribeInstancePatches filter keys (API reference, DescribeInstancePatches Filters). */
const PATCH_FILTER_KEYS = ['Classification', 'KBId', 'Severity', 'State'];

const bytes = (v: unknown) => Buffer.byteLength(JSON.stringify(v), 'utf8');

/** The fakes: they check each request the way the real API would and answer from the fleet. */
class FakeAws {
  readonly objects = new Map<string, string>();
  /** Objects of the results bucket when it is not the records bucket. */
  readonly resultObjects = new Map<string, string>();
  readonly calls: string[] = [];
  readonly mapRuns = new Map<string, MapRun>();
  inFlight = 0;
  maxInFlight = 0;
  peakTaskInputBytes = 0;
  private listCalls = 0;
  private readonly ssmErrors: Record<string, string[]>;
  private readonly listErrors: string[];
  private readonly s3Errors: Record<string, string[]>;

  constructor(
    private readonly f: Fleet,
    private readonly bucket: string,
    private readonly runId = RUN_ID,
    /** Where the Map Run's result files go when not to `bucket` (a hub archive holds the records). @default bucket */
    private readonly resultsBucket: string = bucket,
  ) {
    this.ssmErrors = Object.fromEntries(Object.entries(f.ssmErrorsBefore ?? {}).map(([k, v]) => [k, [...v]]));
    this.listErrors = [...(f.listErrorsBefore ?? [])];
    this.s3Errors = Object.fromEntries(Object.entries(f.s3ErrorsBefore ?? {}).map(([k, v]) => [k, [...v]]));
  }

  private seen(input: unknown) {
    this.peakTaskInputBytes = Math.max(this.peakTaskInputBytes, bytes(input));
  }

  private node(id: unknown): Node {
    const n = this.f.nodes.find((x) => x.id === id);
    if (!n || n.deregistered) throw awsError('Ssm.InvalidInstanceIdException', `Instance Id ${String(id)} is not a managed node`);
    return n;
  }

  describeInstanceInformation(input: any): any {
    this.seen(input);
    this.calls.push('ssm:DescribeInstanceInformation');
    if (!Number.isInteger(input.MaxResults) || input.MaxResults < 5 || input.MaxResults > 50)
      throw awsError('Ssm.SsmException', 'ValidationException: MaxResults must be 5-50');
    const filters: Array<{ Key: string; Values: string[] }> = input.Filters ?? [];
    for (const fl of filters) {
      if (!INFORMATION_FILTER_KEYS.includes(fl.Key) && !/^tag:.+/.test(fl.Key))
        throw awsError('Ssm.InvalidFilterKey', `InvalidFilterKey: ${fl.Key}`);
      if (!Array.isArray(fl.Values) || fl.Values.length < 1) throw awsError('Ssm.InvalidInstanceInformationFilterValue');
    }
    const err = this.listErrors.shift();
    if (err) throw awsError(err);
    const matches = this.f.nodes.filter((n) =>
      filters.every((fl) => {
        const tags = n.tags ?? { CheckPatch: 'yes' };
        if (fl.Key === 'tag-key') return fl.Values.some((k) => k in tags);
        if (fl.Key.startsWith('tag:')) return fl.Values.includes(tags[fl.Key.slice(4)]);
        throw awsError('Fake.Unsupported', `the fake does not filter on ${fl.Key}`);
      }),
    );
    const offset = input.NextToken === undefined ? 0 : Number(/^ssm-list-(\d+)$/.exec(input.NextToken)?.[1] ?? NaN);
    if (!Number.isInteger(offset)) throw awsError('Ssm.InvalidNextToken');
    const size = Math.min(input.MaxResults, this.f.listPageSizes?.[this.listCalls] ?? input.MaxResults);
    this.listCalls++;
    const page = matches.slice(offset, offset + size);
    const next = offset + size < matches.length ? { NextToken: `ssm-list-${offset + size}` } : {};
    if (page.length === 0 && this.f.omitEmptyLists) return next;
    return { InstanceInformationList: page.map((n) => instanceInformation(n.id)), ...next };
  }

  private async inFlightCall<T>(fn: () => T): Promise<T> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      // Let other child executions start, so concurrency is observable.
      await new Promise((r) => setTimeout(r, 2));
      return fn();
    } finally {
      this.inFlight--;
    }
  }

  describeInstancePatchStates(input: any): Promise<any> {
    this.seen(input);
    this.calls.push(`ssm:DescribeInstancePatchStates ${JSON.stringify(input.InstanceIds)}`);
    return this.inFlightCall(() => {
      if (!Array.isArray(input.InstanceIds) || input.InstanceIds.length < 1 || input.InstanceIds.length > 50)
        throw awsError('Ssm.SsmException', 'ValidationException: InstanceIds must hold 1-50 ids');
      if (!Number.isInteger(input.MaxResults) || input.MaxResults < 10 || input.MaxResults > 100)
        throw awsError('Ssm.SsmException', 'ValidationException: MaxResults must be 10-100');
      const states = input.InstanceIds.flatMap((id: string) => {
        const always = this.f.patchStateFailsAlways?.[id];
        if (always) throw awsError(always);
        const n = this.node(id);
        return n.patchState === null ? [] : [n.patchState ?? patchState(id)];
      });
      return states.length === 0 && this.f.omitEmptyLists ? {} : { InstancePatchStates: states };
    });
  }

  describeInstancePatches(input: any): Promise<any> {
    this.seen(input);
    const id = input.InstanceId;
    this.calls.push(`ssm:DescribeInstancePatches ${id}${input.NextToken ? ` ${input.NextToken}` : ''}`);
    return this.inFlightCall(() => {
      if (!Number.isInteger(input.MaxResults) || input.MaxResults < 10 || input.MaxResults > 100)
        throw awsError('Ssm.SsmException', 'ValidationException: MaxResults must be 10-100');
      const filters: Array<{ Key: string; Values: string[] }> = input.Filters ?? [];
      if (filters.length > 5) throw awsError('Ssm.SsmException', 'ValidationException: at most 5 filters');
      for (const fl of filters) if (!PATCH_FILTER_KEYS.includes(fl.Key)) throw awsError('Ssm.InvalidFilter', `InvalidFilter: ${fl.Key}`);
      const always = this.f.ssmFailsAlways?.[id];
      if (always) throw awsError(always);
      const err = this.ssmErrors[id]?.shift();
      if (err) throw awsError(err);
      const n = this.node(id);
      const kept = (n.patches ?? []).filter((pt) => filters.every((fl) => fl.Values.includes(String((pt as any)[fl.Key]))));
      const offset = input.NextToken === undefined ? 0 : Number(new RegExp(`^${id}-after-(\\d+)$`).exec(input.NextToken)?.[1] ?? NaN);
      if (!Number.isInteger(offset) || offset > kept.length) throw awsError('Ssm.InvalidNextTokenException');
      const after = this.f.ssmFailsAfterPages?.[id];
      if (after && offset >= after.pages * input.MaxResults) throw awsError(after.error);
      const page = kept.slice(offset, offset + input.MaxResults);
      const next = offset + input.MaxResults < kept.length ? { NextToken: `${id}-after-${offset + input.MaxResults}` } : {};
      if (page.length === 0 && this.f.omitEmptyLists) return next;
      return { Patches: page, ...next };
    });
  }

  /** PutObject as the Map Run's ResultWriter makes it: outside any state's payload. */
  putResultFile(input: any): any {
    const peak = this.peakTaskInputBytes;
    try {
      return this.putObject(input);
    } finally {
      this.peakTaskInputBytes = peak;
    }
  }

  putObject(input: any): any {
    this.seen(input);
    this.calls.push(`s3:PutObject ${input.Key}`);
    if (input.Bucket !== this.bucket && input.Bucket !== this.resultsBucket)
      throw awsError('S3.NoSuchBucketException', `no bucket ${input.Bucket}`);
    if (typeof input.Key !== 'string' || typeof input.Body !== 'string')
      throw awsError('Fake.ValidationException', 'Key and Body must be strings');
    const err = this.s3Errors[input.Key]?.shift();
    if (err) throw awsError(err);
    (input.Bucket === this.bucket ? this.objects : this.resultObjects).set(input.Key, input.Body);
    return { ETag: '"fake"', ServerSideEncryption: 'AES256' };
  }

  describeMapRun(input: any): any {
    this.seen(input);
    this.calls.push(`states:DescribeMapRun ${input.MapRunArn}`);
    const m = this.mapRuns.get(input.MapRunArn);
    if (!m) throw awsError('Sfn.ResourceNotFoundException', `Map Run ${input.MapRunArn} does not exist`);
    const counts = { Pending: 0, Running: 0, Succeeded: m.succeeded, Failed: m.failed, TimedOut: 0, Aborted: 0, Total: m.items };
    return {
      MapRunArn: m.arn,
      ExecutionArn: `arn:aws:states:${REGION}:${ACCOUNT}:execution:${MACHINE}:${this.runId}`,
      Status: 'SUCCEEDED',
      StartDate: '2025-03-07T21:30:01.000Z',
      StopDate: '2025-03-07T21:31:01.000Z',
      MaxConcurrency: m.maxConcurrency,
      ToleratedFailurePercentage: 100,
      ToleratedFailureCount: 0,
      ItemCounts: { ...counts, ResultsWritten: m.items },
      ExecutionCounts: { ...counts, ResultsWritten: m.items },
    };
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

type Handlers = Record<string, (input: any) => unknown>;

interface Execution extends ExecutionFigures {
  status: 'SUCCEEDED' | 'FAILED';
  output?: any;
  error?: { name: string; cause: string };
}

/** Runs one execution of `definition` and measures it from its event log. */
async function execute(
  definition: Record<string, unknown>,
  input: unknown,
  opts: {
    name: string;
    startTime: string;
    handlers: Handlers;
    retryStates: string[];
    typeOf?: Record<string, string>;
    /** `$$.State.EnteredTime`. @default FINISHED_TIME */
    enteredTime?: string;
  },
): Promise<Execution> {
  // Validating compiles asl-validator's JSON schemas afresh each time (most of a run's
  // CPU); a definition, by its exact text, is validated once (see validated-definitions.ts).
  const text = JSON.stringify(definition);
  const validationOptions = alreadyValidated(text) ? { noValidate: true } : { checkArn: true, checkPaths: true };
  const machine = new StateMachine(definition as any, { validationOptions });
  rememberValidated(text);
  // The executor stamps $$.Execution.StartTime with the clock when the run starts
  // (synchronously, inside run()); pin the clock for exactly that call.
  const execution = atTime(opts.startTime, () =>
    machine.run(input as any, {
      context: { Execution: { Name: opts.name }, State: { EnteredTime: opts.enteredTime ?? FINISHED_TIME } },
      overrides: {
        taskResourceLocalHandlers: opts.handlers as any,
        // The retry policy's timing is asserted on the definition; here it would only slow tests.
        retryIntervalOverrides: Object.fromEntries(opts.retryStates.map((s) => [s, 0])),
      },
    }),
  );
  const enteredByType: Record<string, number> = {};
  let retries = 0;
  let entered = 0;
  let peakPayloadBytes = 0;
  const measure = (v: unknown) => {
    if (v !== undefined) peakPayloadBytes = Math.max(peakPayloadBytes, bytes(v));
  };
  const collecting = (async () => {
    for await (const e of execution.eventLogs) {
      const state = (e as any).state as { name: string; type: string; input?: unknown; output?: unknown } | undefined;
      if (e.type === 'StateEntered' && state) {
        const type = opts.typeOf?.[state.name] ?? state.type;
        enteredByType[type] = (enteredByType[type] ?? 0) + 1;
        entered++;
      }
      if (e.type === 'StateRetried') retries++;
      if (state) {
        measure(state.input);
        measure(state.output);
      }
    }
  })();
  let status: Execution['status'] = 'SUCCEEDED';
  let output: any;
  let error: Execution['error'];
  try {
    output = await execution.result;
  } catch (err) {
    if (!(err instanceof ExecutionError)) throw err;
    status = 'FAILED';
    const cause = (err as any).cause as Error;
    error = { name: cause.name, cause: cause.message };
  }
  await collecting;
  return { status, output, error, enteredByType, retries, transitions: entered + retries, peakPayloadBytes };
}

/** Evaluates a payload template with the executor itself (a one-state Pass machine), optionally as a Map item. */
async function evaluateTemplate(template: unknown, input: unknown, mapItem?: { Index: number; Value: unknown }): Promise<any> {
  const machine = new StateMachine({ StartAt: 'T', States: { T: { Type: 'Pass', Parameters: template, End: true } } } as any, {
    validationOptions: { noValidate: true },
  });
  return machine.run(input as any, mapItem ? { context: { Map: { Item: mapItem } } } : {}).result;
}

/** Runs `fn` over `items`, at most `limit` at once, in order of start. */
async function pool<T, R>(items: T[], limit: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

export interface StandIn {
  /** The parent definition with the distributed Map replaced by a Task of the same name. */
  readonly definition: Record<string, unknown>;
  /** The handler of that Task. */
  readonly handler: (input: any) => Promise<unknown>;
}

/**
 * The distributed Map `stateName` of `definition`, run outside the executor: items from
 * ItemsPath, ItemSelector per item, a child execution per item with `runChild`, at most
 * MaxConcurrency at once, ToleratedFailurePercentage / ToleratedFailureCount enforced
 * (States.ExceedToleratedFailureThreshold), ResultWriter files written with `putObject`,
 * and the Map Run recorded with `onMapRun` for DescribeMapRun.
 */
export function distributedMapStandIn(
  definition: Record<string, any>,
  stateName: string,
  deps: {
    runChild: (child: Record<string, unknown>, input: unknown, index: number) => Promise<Execution>;
    putObject: (input: { Bucket: string; Key: string; Body: string }) => unknown;
    onMapRun: (run: MapRun) => void;
    mapRunArn: (n: number) => string;
  },
): StandIn {
  const map = definition.States[stateName];
  if (map?.Type !== 'Map' || map.ItemProcessor?.ProcessorConfig?.Mode !== 'DISTRIBUTED')
    throw new Error(`${stateName} is not a distributed Map`);
  if (map.ItemReader) throw new Error('the stand-in reads items from ItemsPath only, not an ItemReader');
  const { ProcessorConfig: _config, ...child } = map.ItemProcessor;
  const {
    ItemsPath,
    ItemSelector,
    MaxConcurrency,
    ToleratedFailurePercentage,
    ToleratedFailureCount,
    ItemProcessor: _p,
    ResultWriter,
    ...rest
  } = map;
  const task = { ...rest, Type: 'Task', Resource: 'arn:aws:states:::states:startExecution.sync:2' };
  let runs = 0;
  const handler = async (input: any) => {
    const items = (await evaluateTemplate({ 'items.$': ItemsPath ?? '$' }, input)).items;
    if (!Array.isArray(items)) throw awsError('States.Runtime', 'ItemsPath does not point to an array');
    const arn = deps.mapRunArn(++runs);
    let running = 0;
    let peakRunning = 0;
    const results = await pool(items, MaxConcurrency || 10_000, async (value, index) => {
      const childInput = ItemSelector ? await evaluateTemplate(ItemSelector, input, { Index: index, Value: value }) : value;
      running++;
      peakRunning = Math.max(peakRunning, running);
      try {
        return await deps.runChild(child, childInput, index);
      } finally {
        running--;
      }
    });
    const failed = results.filter((r) => r.status === 'FAILED').length;
    const run: MapRun = {
      arn,
      items: items.length,
      succeeded: items.length - failed,
      failed,
      maxConcurrency: MaxConcurrency ?? 0,
      peakRunning,
    };
    deps.onMapRun(run);
    const tolerated = Math.max(ToleratedFailureCount ?? 0, Math.floor(((ToleratedFailurePercentage ?? 0) / 100) * items.length));
    if (failed > tolerated)
      throw awsError('States.ExceedToleratedFailureThreshold', `${failed} of ${items.length} child executions failed`);
    if (!ResultWriter) return results.map((r) => r.output);
    const { Bucket, Prefix } = await evaluateTemplate(ResultWriter.Parameters, input);
    const id = arn.split(':').pop();
    const write = (name: string, body: unknown) => deps.putObject({ Bucket, Key: `${Prefix}/${id}/${name}`, Body: JSON.stringify(body) });
    const files: Record<string, Array<{ Key: string }>> = { FAILED: [], PENDING: [], SUCCEEDED: [] };
    for (const outcome of ['SUCCEEDED', 'FAILED'] as const) {
      const these = results.filter((r) => r.status === outcome);
      if (these.length === 0) continue;
      write(
        `${outcome}_0.json`,
        these.map((r) =>
          outcome === 'SUCCEEDED' ? { Output: JSON.stringify(r.output) } : { Error: r.error?.name, Cause: r.error?.cause },
        ),
      );
      files[outcome].push({ Key: `${Prefix}/${id}/${outcome}_0.json` });
    }
    write('manifest.json', { DestinationBucket: Bucket, MapRunArn: arn, ResultFiles: files });
    return { MapRunArn: arn, ResultWriterDetails: { Bucket, Key: `${Prefix}/${id}/manifest.json` } };
  };
  return { definition: { ...definition, States: { ...definition.States, [stateName]: task } }, handler };
}

const PARENT_RETRY_STATES = ['ListNodes', 'ListMoreNodes', 'DescribeMapRun', 'WriteManifest'];
const CHILD_RETRY_STATES = ['ReadPatchState', 'DescribePatches', 'DescribeMorePatches', 'WritePage', 'WriteRecord'];

/** Runs one execution of the machine built from `props` (and its child executions) against the fleet. */
export async function runSnapshot(
  f: Fleet,
  props: Partial<SnapshotDefinitionProps> = {},
  opts: {
    runId?: string;
    startTime?: string;
    childStartTime?: string;
    /** When the run's last states are entered (the manifest's finished_time). @default FINISHED_TIME */
    finishedTime?: string;
  } = {},
): Promise<RunResult> {
  const p = { ...DEFAULT_PROPS, ...props };
  const aws = new FakeAws(f, p.bucket, opts.runId, p.results?.bucket);
  const children: ChildRun[] = [];
  const mapRuns: MapRun[] = [];
  const childHandlers: Handlers = {
    ReadPatchState: (i) => aws.describeInstancePatchStates(i),
    DescribePatches: (i) => aws.describeInstancePatches(i),
    DescribeMorePatches: (i) => aws.describeInstancePatches(i),
    WritePage: (i) => aws.putObject(i),
    WriteRecord: (i) => aws.putObject(i),
  };
  const standIn = distributedMapStandIn(snapshotDefinition(p) as any, DISTRIBUTED_MAP_STATE, {
    runChild: async (child, input: any, index) => {
      const run = await execute(child, input, {
        name: `child-${mapRuns.length + 1}-${index}`,
        startTime: opts.childStartTime ?? CHILD_START_TIME,
        handlers: childHandlers,
        retryStates: CHILD_RETRY_STATES,
      });
      children.push({ ...run, instanceId: input?.instance_id });
      return run;
    },
    putObject: (i) => aws.putResultFile(i),
    onMapRun: (m) => {
      mapRuns.push(m);
      aws.mapRuns.set(m.arn, m);
    },
    mapRunArn: (n) =>
      `arn:aws:states:${REGION}:${ACCOUNT}:mapRun:${MACHINE}/${DISTRIBUTED_MAP_STATE}:0000000${n}-aaaa-bbbb-cccc-000000000000`,
  });
  const parent = await execute(
    standIn.definition,
    {},
    {
      name: opts.runId ?? RUN_ID,
      startTime: opts.startTime ?? START_TIME,
      handlers: {
        ListNodes: (i) => aws.describeInstanceInformation(i),
        ListMoreNodes: (i) => aws.describeInstanceInformation(i),
        [DISTRIBUTED_MAP_STATE]: standIn.handler,
        DescribeMapRun: (i) => aws.describeMapRun(i),
        WriteManifest: (i) => aws.putObject(i),
      },
      retryStates: PARENT_RETRY_STATES,
      typeOf: { [DISTRIBUTED_MAP_STATE]: 'Map' },
      enteredTime: opts.finishedTime,
    },
  );
  return {
    ...parent,
    objects: aws.objects,
    resultObjects: aws.resultObjects,
    calls: aws.calls,
    maxConcurrentNodeCalls: aws.maxInFlight,
    children,
    mapRuns,
    peakTaskInputBytes: aws.peakTaskInputBytes,
    totalTransitions: parent.transitions + children.reduce((s, c) => s + c.transitions, 0),
  };
}

/** A synthetic fleet: `nodes` tagged, scanned EC2 nodes, each with `patchPages` full pages of patches. */
export function syntheticFleet(nodes: number, patchPages: number): Fleet {
  return {
    nodes: Array.from({ length: nodes }, (_, i) =>
      node(`i-${String(i).padStart(17, '0')}`, { patches: Array.from({ length: patchPages * 100 }, (_, n) => patch(n)) }),
    ),
  };
}

/** Transitions of one clean run (parent and children) over `nodes` nodes with `patchPages` pages each. */
export async function stateTransitions(nodes: number, patchPages: number, props: Partial<SnapshotDefinitionProps> = {}): Promise<number> {
  const run = await runSnapshot(syntheticFleet(nodes, patchPages), props);
  if (run.status !== 'SUCCEEDED') throw new Error(`synthetic run failed: ${run.error?.name}: ${run.error?.cause}`);
  return run.totalTransitions;
}

export { NODES_PER_PAGE };

/** The payload shapes of the model (scripts/patch-history-model.ts) as this executor's fakes answer, `cves` CVE ids per patch. */
export function modelShapes(cves = 1) {
  const id = 'i-00000000000000000';
  return {
    patch: { ...patch(50), CVEIds: Array.from({ length: cves }, (_, i) => `CVE-2025-${10000 + i}`).join(',') },
    node: instanceInformation(id),
    patchState: patchState(id),
    bucket: BUCKET,
    prefix: DEFAULT_PROPS.prefix,
    runId: RUN_ID,
    startTime: START_TIME,
    partition: PARTITION,
    instanceId: id,
    mapRunArn: `arn:aws:states:${REGION}:${ACCOUNT}:mapRun:${MACHINE}/${DISTRIBUTED_MAP_STATE}:00000001-aaaa-bbbb-cccc-000000000000`,
  };
}
