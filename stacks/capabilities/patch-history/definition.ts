/**
 * The patch-snapshot state machine as plain Amazon States Language (JSONPath), so
 * tests can validate it and run it in a local executor exactly as deployed.
 *
 * Why JSONPath and not JSONata (the field report's choice): no maintained local
 * executor runs JSONata machines, and an independent executor is worth more than the
 * newer syntax. The constraints that shaped the machine:
 * - One execution holds at most 25,000 history events, so the fleet is split over
 *   executions: the run (parent) lists managed nodes 50 at a time and hands each page
 *   of ids to a distributed Map, whose child executions read one node each. The parent
 *   grows by a fixed number of events per page of 50 nodes, a child by a fixed number
 *   per page of patches (scripts/patch-history-model.ts has the figures).
 * - A state's payload is capped at 256 KiB: the parent holds one listing page of
 *   ids, a child one page of patches, never two (the page record replaces the raw
 *   response instead of being built beside it).
 * - JSONPath has no way to join strings over an array or to sum numbers, so a page is
 *   one JSON object holding the patches array (Athena unnests it), and the parent
 *   sums per page what DescribeMapRun counts.
 * - Indefinite paths (`[*]`) are only used where at least two values exist: JSONPath
 *   engines disagree on one match (AWS returns a list, others the bare value) and on
 *   none. A one-node page takes its own branch with a definite path.
 * - A Pass state cannot catch, and a path that does not exist fails the execution
 *   (`States.Runtime`): optional response fields (`Patches`, `NextToken`, patch state
 *   counts) are tested with Choice states or merged over defaults before they are read.
 */

/** What the machine reads and where it writes. */
export interface SnapshotDefinitionProps {
  /** Bucket the snapshots go to (its name, not ARN). */
  readonly bucket: string;
  /** Key prefix without leading or trailing "/". */
  readonly prefix: string;
  /** Reserved folder under the prefix for the distributed Map's own result files. */
  readonly runsFolder: string;
  /**
   * Where the distributed Map's result files go when the records go elsewhere (a hub
   * archive admits only PutObject, while the ResultWriter also reads back and aborts its
   * uploads): `<bucket>/<prefix>/<runsFolder>/...`.
   * @default - the records' bucket and prefix
   */
  readonly results?: { readonly bucket: string; readonly prefix: string };
  readonly tagKey: string;
  /** @default - any value of tagKey */
  readonly tagValue?: string;
  readonly classifications: readonly string[];
  /** DescribeInstancePatches State filter. @default - every state */
  readonly patchStates?: readonly string[];
  /** Nodes read at once (child executions of one page running together). */
  readonly maxConcurrency: number;
}

/** Managed nodes per DescribeInstanceInformation page: the API maximum (5-50). */
export const NODES_PER_PAGE = 50;
/** DescribeInstancePatches allows 10-100 per page; the maximum means fewer calls and objects. */
export const PATCHES_PER_PAGE = 100;
/** DescribeInstancePatchStates allows 10-100; one node is asked for at a time. */
export const PATCH_STATES_PER_PAGE = 10;
/**
 * A run that has not finished in 48 hours is stuck; fail it so the alarm fires. The
 * model's estimate for 10,000 nodes x 20 pages is about 15 hours at the default
 * concurrency of 2, 3 at 10 (docs/patch-history.md, "Limits").
 */
export const EXECUTION_TIMEOUT_SECONDS = 48 * 3600;
/** Version of the record layout, written into every run manifest. */
export const DEFINITION_VERSION = 1;

/**
 * Error names that are worth retrying. Step Functions names SDK errors
 * `<Service>.<Exception>`; errors a service does not model (throttling such as
 * "Rate exceeded", InternalError, SlowDown) arrive as the service's base exception,
 * so those are retried too, boundedly. Modeled permanent errors (e.g.
 * Ssm.InvalidInstanceIdException) are not retried.
 */
export const TRANSIENT_ERRORS = {
  ssm: ['Ssm.ThrottlingException', 'Ssm.InternalServerErrorException', 'Ssm.SsmException'],
  s3: ['S3.SlowDownException', 'S3.InternalErrorException', 'S3.S3Exception'],
  sfn: ['Sfn.SfnException'],
} as const;

/** Exponential backoff with full jitter: 2, 4, 8, 16, 32, 60 s caps, at most 6 retries. */
export const RETRY_POLICY = { IntervalSeconds: 2, BackoffRate: 2, MaxAttempts: 6, MaxDelaySeconds: 60, JitterStrategy: 'FULL' } as const;

/** Error the execution ends with when some nodes could not be snapshotted. */
export const INSTANCES_FAILED_ERROR = 'PatchHistory.InstancesFailed';
/** Error a child execution ends with after writing a `failed` instance record (the Map Run counts it). */
export const INSTANCE_FAILED_ERROR = 'PatchHistory.InstanceFailed';
/** Error a child execution ends with when even its instance record cannot be written. */
export const RECORD_NOT_WRITTEN_ERROR = 'PatchHistory.RecordNotWritten';
/** The node is not (or no longer) a managed node: recorded as `unmanaged`, not a failure. */
export const UNMANAGED_ERROR = 'Ssm.InvalidInstanceIdException';

/** States whose Map runs child executions (the local executor's stand-in replaces it). */
export const DISTRIBUTED_MAP_STATE = 'SnapshotNodes';

type Json = Record<string, unknown>;

/**
 * How a top-level Task or Map without a Catch says that its error ends the run on
 * purpose (checked by the state machine policy rules, see policies/RULES.md).
 */
const FAILS_RUN = 'Fails the run: ';

const retry = (service: keyof typeof TRANSIENT_ERRORS) => [{ ErrorEquals: [...TRANSIENT_ERRORS[service]], ...RETRY_POLICY }];
const sdk = (service: string, action: string) => `arn:aws:states:::aws-sdk:${service}:${action}`;

/** `States.Format` escapes: the literal text of a template must not contain `{}'\`. */
function literal(text: string): string {
  if (/[{}'\\]/.test(text)) throw new Error(`cannot embed ${JSON.stringify(text)} in a States.Format template`);
  return text;
}

/**
 * The UTC date of the execution start as `["YYYY", "MM", "DD"]` (3 intrinsic calls). The
 * partition is formatted from it in the next state: in one field the two would take 13
 * calls, over the quota of 10 per field.
 */
const START_DATE_PARTS = "States.StringSplit(States.ArrayGetItem(States.StringSplit($$.Execution.StartTime, 'T'), 0), '-')";

/** DescribeInstanceInformation filter: the tag key, or key=value (`tag-key`, `tag:<key>`). */
export function nodeFilters(p: Pick<SnapshotDefinitionProps, 'tagKey' | 'tagValue'>): Json[] {
  return [p.tagValue === undefined ? { Key: 'tag-key', Values: [p.tagKey] } : { Key: `tag:${p.tagKey}`, Values: [p.tagValue] }];
}

/** DescribeInstancePatches filters: Classification, and State when configured. */
export function patchFilters(p: Pick<SnapshotDefinitionProps, 'classifications' | 'patchStates'>): Json[] {
  return [
    { Key: 'Classification', Values: [...p.classifications] },
    ...(p.patchStates && p.patchStates.length > 0 ? [{ Key: 'State', Values: [...p.patchStates] }] : []),
  ];
}

/**
 * The provenance fields of an instance record and the InstancePatchState field each
 * comes from (DescribeInstancePatchStates). Timestamps are copied as the SDK
 * integration returns them.
 */
export const PROVENANCE_FIELDS = {
  operation: 'Operation',
  operation_start_time: 'OperationStartTime',
  operation_end_time: 'OperationEndTime',
  baseline_id: 'BaselineId',
  patch_group: 'PatchGroup',
  installed_count: 'InstalledCount',
  installed_other_count: 'InstalledOtherCount',
  installed_pending_reboot_count: 'InstalledPendingRebootCount',
  installed_rejected_count: 'InstalledRejectedCount',
  missing_count: 'MissingCount',
  failed_count: 'FailedCount',
  not_applicable_count: 'NotApplicableCount',
  unreported_not_applicable_count: 'UnreportedNotApplicableCount',
  critical_non_compliant_count: 'CriticalNonCompliantCount',
  security_non_compliant_count: 'SecurityNonCompliantCount',
  other_non_compliant_count: 'OtherNonCompliantCount',
} as const;

/** Every status an instance record can have. */
export const INSTANCE_STATUSES = ['complete', 'failed', 'not_scanned', 'unmanaged'] as const;
export type InstanceStatus = (typeof INSTANCE_STATUSES)[number];

/**
 * Parameters of a Pass state that builds an instance record (`$.record`), keys in the
 * order of the record layout. Provenance comes from `$.ps` (merged over nulls) when the
 * patch state was read, else null; pages and patches from `$.progress`; the error from
 * `$.error` when there is one.
 */
function instanceRecord(status: InstanceStatus, opts: { provenance: boolean; error: boolean }): Json {
  const provenance = Object.fromEntries(
    Object.entries(PROVENANCE_FIELDS).map(([field, api]) => (opts.provenance ? [`${field}.$`, `$.ps.${api}`] : [field, null])),
  );
  return {
    'instance_id.$': '$.instance_id',
    'run_id.$': '$.run.id',
    'snapshot_time.$': '$.run.snapshot_time',
    status,
    'pages.$': '$.progress.pages',
    'patches.$': '$.progress.patches',
    ...provenance,
    ...(opts.error ? { 'error.$': '$.error.Error', 'cause.$': '$.error.Cause' } : { error: null, cause: null }),
  };
}

/** One node, in its own child execution: patch state, every page of patches, then the instance record. */
function nodeProcessor(p: SnapshotDefinitionProps): Json {
  const prefix = literal(p.prefix);
  const unmanaged = { ErrorEquals: [UNMANAGED_ERROR], ResultPath: '$.error', Next: 'Unmanaged' };
  const describe = (withToken: boolean): Json => ({
    Type: 'Task',
    Resource: sdk('ssm', 'describeInstancePatches'),
    Parameters: {
      'InstanceId.$': '$.instance_id',
      Filters: patchFilters(p),
      MaxResults: PATCHES_PER_PAGE,
      ...(withToken ? { 'NextToken.$': '$.result.NextToken' } : {}),
    },
    ResultPath: '$.result',
    Retry: retry('ssm'),
    Catch: [unmanaged, { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'FailedAfterState' }],
    Next: 'PageShape',
  });
  // The page record replaces the raw response, so a page is held once, not twice.
  const buildPage = (withToken: boolean): Json => ({
    Type: 'Pass',
    Comment: 'One JSON object per page: the Athena record (see docs/patch-history.md).',
    Parameters: {
      record: {
        'instance_id.$': '$.instance_id',
        'snapshot_time.$': '$.run.snapshot_time',
        'run_id.$': '$.run.id',
        'page.$': 'States.MathAdd($.progress.pages, 1)',
        'patches.$': '$.result.Patches',
      },
      ...(withToken ? { 'NextToken.$': '$.result.NextToken' } : {}),
    },
    ResultPath: '$.result',
    Next: 'WritePage',
  });
  const defaults = Object.fromEntries(Object.values(PROVENANCE_FIELDS).map((api) => [api, null]));
  return {
    ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
    StartAt: 'ReadPatchState',
    States: {
      ReadPatchState: {
        Type: 'Task',
        Comment: 'Provenance of the data: which operation (Scan or Install) produced it, when, with which baseline.',
        Resource: sdk('ssm', 'describeInstancePatchStates'),
        Parameters: { 'InstanceIds.$': 'States.Array($.instance_id)', MaxResults: PATCH_STATES_PER_PAGE },
        ResultPath: '$.state',
        Retry: retry('ssm'),
        Catch: [unmanaged, { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'FailedBeforeState' }],
        Next: 'Scanned',
      },
      Scanned: {
        Type: 'Choice',
        Comment: 'No patch state: the node has never reported a scan.',
        Choices: [{ Variable: '$.state.InstancePatchStates[0]', IsPresent: true, Next: 'PatchStateDefaults' }],
        Default: 'NotScanned',
      },
      PatchStateDefaults: {
        Type: 'Pass',
        Comment: 'Optional counts may be absent from the response; they are merged over nulls so reading them cannot fail.',
        Parameters: { defaults, 'found.$': '$.state.InstancePatchStates[0]' },
        ResultPath: '$.state',
        Next: 'PatchState',
      },
      PatchState: {
        Type: 'Pass',
        Comment: 'Keeps only what the rest of the node needs: the raw response is dropped here.',
        Parameters: {
          'instance_id.$': '$.instance_id',
          'run.$': '$.run',
          'progress.$': '$.progress',
          'ps.$': 'States.JsonMerge($.state.defaults, $.state.found, false)',
        },
        Next: 'DescribePatches',
      },
      DescribePatches: describe(false),
      DescribeMorePatches: describe(true),
      PageShape: {
        Type: 'Choice',
        Choices: [
          // The SDK leaves out an empty list: an empty page must not fail on the missing key.
          { Not: { Variable: '$.result.Patches', IsPresent: true }, Next: 'NoPatches' },
          { Variable: '$.result.NextToken', IsPresent: true, Next: 'BuildPage' },
        ],
        Default: 'BuildLastPage',
      },
      NoPatches: { Type: 'Pass', Result: [], ResultPath: '$.result.Patches', Next: 'PageShape' },
      BuildPage: buildPage(true),
      BuildLastPage: buildPage(false),
      WritePage: {
        Type: 'Task',
        Resource: sdk('s3', 'putObject'),
        Parameters: {
          Bucket: p.bucket,
          // Deterministic per run and page: a retried write overwrites, never duplicates.
          'Key.$': `States.Format('${prefix}/{}/instanceid={}/{}-{}.json', $.run.partition, $.instance_id, $.run.id, $.result.record.page)`,
          'Body.$': 'States.JsonToString($.result.record)',
          ContentType: 'application/json',
        },
        ResultPath: null,
        Retry: retry('s3'),
        Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'FailedAfterState' }],
        Next: 'PageWritten',
      },
      PageWritten: {
        Type: 'Pass',
        Comment: 'Counted only once written: a failed record says what is really there.',
        Parameters: {
          'pages.$': '$.result.record.page',
          'patches.$': 'States.MathAdd($.progress.patches, States.ArrayLength($.result.record.patches))',
        },
        ResultPath: '$.progress',
        Next: 'MorePatches',
      },
      MorePatches: {
        Type: 'Choice',
        Choices: [{ Variable: '$.result.NextToken', IsPresent: true, Next: 'DescribeMorePatches' }],
        Default: 'Complete',
      },
      Complete: {
        Type: 'Pass',
        Parameters: instanceRecord('complete', { provenance: true, error: false }),
        ResultPath: '$.record',
        Next: 'WriteRecord',
      },
      NotScanned: {
        Type: 'Pass',
        Parameters: instanceRecord('not_scanned', { provenance: false, error: false }),
        ResultPath: '$.record',
        Next: 'WriteRecord',
      },
      Unmanaged: {
        Type: 'Pass',
        Comment: 'Listed, but SSM no longer knows the node (deregistered or terminated since): recorded, not a failure.',
        Parameters: instanceRecord('unmanaged', { provenance: false, error: true }),
        ResultPath: '$.record',
        Next: 'WriteRecord',
      },
      FailedBeforeState: {
        Type: 'Pass',
        Parameters: instanceRecord('failed', { provenance: false, error: true }),
        ResultPath: '$.record',
        Next: 'WriteRecord',
      },
      FailedAfterState: {
        Type: 'Pass',
        Parameters: instanceRecord('failed', { provenance: true, error: true }),
        ResultPath: '$.record',
        Next: 'WriteRecord',
      },
      WriteRecord: {
        Type: 'Task',
        Comment: 'Written last: a complete record proves every page of the node is there.',
        Resource: sdk('s3', 'putObject'),
        Parameters: {
          Bucket: p.bucket,
          'Key.$': `States.Format('${prefix}/instances/{}/{}/{}.json', $.run.partition, $.run.id, $.instance_id)`,
          'Body.$': 'States.JsonToString($.record)',
          ContentType: 'application/json',
        },
        ResultPath: null,
        Retry: retry('s3'),
        Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.record_error', Next: 'RecordNotWritten' }],
        Next: 'Recorded',
      },
      Recorded: {
        Type: 'Choice',
        Choices: [{ Variable: '$.record.status', StringEquals: 'failed', Next: 'InstanceFailed' }],
        Default: 'NodeDone',
      },
      NodeDone: { Type: 'Succeed', Comment: 'complete, not_scanned or unmanaged, recorded.', OutputPath: '$.record' },
      InstanceFailed: {
        Type: 'Fail',
        Comment: 'After its record is written: the Map Run counts the failed child, and the run reports it.',
        Error: INSTANCE_FAILED_ERROR,
        Cause: 'see the instance record (status failed) for the error',
      },
      RecordNotWritten: {
        Type: 'Fail',
        Error: RECORD_NOT_WRITTEN_ERROR,
        Cause: 'the instance record could not be written; the error is in this execution history',
      },
    },
  };
}

/** The whole machine. */
export function snapshotDefinition(p: SnapshotDefinitionProps): Json {
  if (!Number.isInteger(p.maxConcurrency) || p.maxConcurrency < 1 || p.maxConcurrency > NODES_PER_PAGE)
    throw new Error(`maxConcurrency must be an integer 1-${NODES_PER_PAGE}, got ${p.maxConcurrency}`);
  const prefix = literal(p.prefix);
  const runs = literal(p.runsFolder);
  const resultsPrefix = literal(p.results?.prefix ?? p.prefix);
  const list = (withToken: boolean): Json => ({
    Type: 'Task',
    Resource: sdk('ssm', 'describeInstanceInformation'),
    Parameters: {
      Filters: nodeFilters(p),
      MaxResults: NODES_PER_PAGE,
      ...(withToken ? { 'NextToken.$': '$.listing.NextToken' } : {}),
    },
    ResultPath: '$.listing',
    Retry: retry('ssm'),
    Comment: `${FAILS_RUN}without the list of nodes an empty snapshot would read as a compliant fleet.`,
    Next: 'CountNodes',
  });
  return {
    Comment: `Patch-compliance snapshot: managed nodes tagged ${p.tagKey}, classifications ${p.classifications.join(', ')}, to s3://${p.bucket}/${p.prefix}/`,
    StartAt: 'Start',
    TimeoutSeconds: EXECUTION_TIMEOUT_SECONDS,
    States: {
      Start: {
        Type: 'Pass',
        Comment: 'The UTC start date, split; the next state formats the partition from it.',
        Parameters: { 'date.$': START_DATE_PARTS, acc: { nodes: 0, failed: 0, listing_pages: 0 } },
        Next: 'Partition',
      },
      Partition: {
        Type: 'Pass',
        Comment: 'Run id = execution name; partition = UTC start date, so one run lands in one partition.',
        Parameters: {
          run: {
            'id.$': '$$.Execution.Name',
            'snapshot_time.$': '$$.Execution.StartTime',
            'partition.$':
              "States.Format('year={}/month={}/day={}', States.ArrayGetItem($.date, 0), States.ArrayGetItem($.date, 1), States.ArrayGetItem($.date, 2))",
          },
          'acc.$': '$.acc',
          // The Map Run's result folder, as a reference path for the ResultWriter: AWS
          // documents reference paths there, not intrinsic functions (4 calls, limit 10).
          'map_results_prefix.$': `States.Format('${resultsPrefix}/${runs}/year={}/month={}/day={}/{}/map', States.ArrayGetItem($.date, 0), States.ArrayGetItem($.date, 1), States.ArrayGetItem($.date, 2), $$.Execution.Name)`,
        },
        Next: 'ListNodes',
      },
      ListNodes: list(false),
      ListMoreNodes: list(true),
      CountNodes: {
        Type: 'Choice',
        Choices: [
          // A filtered listing may return an empty page that still carries a NextToken.
          { Not: { Variable: '$.listing.InstanceInformationList[0]', IsPresent: true }, Next: 'MoreNodes' },
          { Not: { Variable: '$.listing.InstanceInformationList[1]', IsPresent: true }, Next: 'OneNode' },
        ],
        Default: 'SeveralNodes',
      },
      OneNode: {
        Type: 'Pass',
        Parameters: { 'ids.$': 'States.Array($.listing.InstanceInformationList[0].InstanceId)' },
        ResultPath: '$.batch',
        Next: DISTRIBUTED_MAP_STATE,
      },
      SeveralNodes: {
        Type: 'Pass',
        Parameters: { 'ids.$': '$.listing.InstanceInformationList[*].InstanceId' },
        ResultPath: '$.batch',
        Next: DISTRIBUTED_MAP_STATE,
      },
      [DISTRIBUTED_MAP_STATE]: {
        Type: 'Map',
        Comment: `${FAILS_RUN}only when the Map Run itself fails (child executions cannot start, results cannot be written); a failing node only fails its own child execution, which every failure threshold tolerates.`,
        ItemsPath: '$.batch.ids',
        ItemSelector: { 'instance_id.$': '$$.Map.Item.Value', 'run.$': '$.run', progress: { pages: 0, patches: 0 } },
        MaxConcurrency: p.maxConcurrency,
        // Every node writes its own record; the run counts failures from the Map Run instead.
        ToleratedFailurePercentage: 100,
        ItemProcessor: nodeProcessor(p),
        ResultWriter: {
          Resource: 'arn:aws:states:::s3:putObject',
          Parameters: {
            Bucket: p.results?.bucket ?? p.bucket,
            'Prefix.$': '$.map_results_prefix',
          },
        },
        ResultSelector: { 'map_run_arn.$': '$.MapRunArn' },
        ResultPath: '$.map',
        Next: 'DescribeMapRun',
      },
      DescribeMapRun: {
        Type: 'Task',
        Comment: `${FAILS_RUN}without the counts the run cannot tell whether nodes failed.`,
        Resource: sdk('sfn', 'describeMapRun'),
        Parameters: { 'MapRunArn.$': '$.map.map_run_arn' },
        ResultSelector: {
          'total.$': '$.ItemCounts.Total',
          'failed.$': 'States.MathAdd(States.MathAdd($.ItemCounts.Failed, $.ItemCounts.TimedOut), $.ItemCounts.Aborted)',
        },
        ResultPath: '$.map',
        Retry: retry('sfn'),
        Next: 'CountPage',
      },
      CountPage: {
        Type: 'Pass',
        Parameters: {
          'nodes.$': 'States.MathAdd($.acc.nodes, States.ArrayLength($.batch.ids))',
          'failed.$': 'States.MathAdd($.acc.failed, $.map.failed)',
          'listing_pages.$': 'States.MathAdd($.acc.listing_pages, 1)',
        },
        ResultPath: '$.acc',
        Next: 'MoreNodes',
      },
      MoreNodes: {
        Type: 'Choice',
        Choices: [{ Variable: '$.listing.NextToken', IsPresent: true, Next: 'ListMoreNodes' }],
        Default: 'BuildManifest',
      },
      BuildManifest: {
        Type: 'Pass',
        Comment:
          'Per-status counts, pages and patches stay null: summing them inside the run would cost a state per node; count them from the instance records.',
        Parameters: {
          'run_id.$': '$.run.id',
          'snapshot_time.$': '$.run.snapshot_time',
          'finished_time.$': '$$.State.EnteredTime',
          classifications: [...p.classifications],
          patch_states: [...(p.patchStates ?? [])],
          tag_key: p.tagKey,
          tag_value: p.tagValue ?? null,
          'nodes.$': '$.acc.nodes',
          complete: null,
          not_scanned: null,
          unmanaged: null,
          'failed.$': '$.acc.failed',
          pages: null,
          patches: null,
          definition_version: DEFINITION_VERSION,
        },
        ResultPath: '$.manifest',
        Next: 'WriteManifest',
      },
      WriteManifest: {
        Type: 'Task',
        Resource: sdk('s3', 'putObject'),
        Parameters: {
          Bucket: p.bucket,
          'Key.$': `States.Format('${prefix}/runs/{}/{}.json', $.run.partition, $.run.id)`,
          'Body.$': 'States.JsonToString($.manifest)',
          ContentType: 'application/json',
        },
        ResultPath: null,
        Retry: retry('s3'),
        Comment: `${FAILS_RUN}a run without its manifest is incomplete, and the failed execution raises the alarm.`,
        Next: 'AnyFailed',
      },
      AnyFailed: {
        Type: 'Choice',
        Choices: [{ Variable: '$.manifest.failed', NumericGreaterThan: 0, Next: 'DescribeFailures' }],
        Default: 'Done',
      },
      DescribeFailures: {
        Type: 'Pass',
        Parameters: {
          'cause.$': `States.Format('{} of {} nodes could not be snapshotted; their instance records (status failed) are under s3://${p.bucket}/${prefix}/instances/{}/{}/', $.manifest.failed, $.manifest.nodes, $.run.partition, $.run.id)`,
        },
        ResultPath: '$.failure',
        Next: 'InstancesFailed',
      },
      InstancesFailed: {
        Type: 'Fail',
        Comment: 'After the manifest is written: the other nodes are kept, and the failed execution raises the alarm.',
        Error: INSTANCES_FAILED_ERROR,
        CausePath: '$.failure.cause',
      },
      Done: { Type: 'Pass', OutputPath: '$.manifest', End: true },
    },
  };
}

/** The child definition alone (what each child execution of the distributed Map runs). */
export function nodeDefinition(p: SnapshotDefinitionProps): Json {
  const parent = snapshotDefinition(p) as { States: Record<string, Json> };
  return parent.States[DISTRIBUTED_MAP_STATE].ItemProcessor as Json;
}
