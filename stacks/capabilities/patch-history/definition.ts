/**
 * The patch-snapshot state machine as plain Amazon States Language (JSONPath), so
 * tests can validate it and run it in a local executor exactly as deployed.
 *
 * Why JSONPath and not JSONata (the field report's choice): no maintained local
 * executor runs JSONata machines, and an independent executor is worth more than the
 * newer syntax. The constraints that shaped the machine:
 * - JSONPath has no way to join strings over an array or to sum numbers, so a page is
 *   one JSON object holding the patches array (Athena unnests it), and the run totals
 *   are added by a short sequential loop over the per-instance results.
 * - Indefinite paths (`[*]`) are only used where at least two values exist: JSONPath
 *   engines disagree on one match (AWS returns a list, others the bare value) and on
 *   none. A one-instance page takes its own branch with a definite path.
 * - A state's payload is capped at 256 KiB, and a DescribeInstances reservation is a
 *   few KiB per instance, so instances are listed 20 at a time.
 * - Tolerated-failure thresholds exist only for distributed Maps; in this inline Map
 *   every step of an iteration catches errors after its retries, records the failure
 *   and ends the iteration normally, so one instance never loses the others.
 */

/** What the machine reads and where it writes. */
export interface SnapshotDefinitionProps {
  /** Bucket the snapshots go to (its name, not ARN). */
  readonly bucket: string;
  /** Key prefix without leading or trailing "/". */
  readonly prefix: string;
  /** Reserved folder under the prefix for summaries and failure records. */
  readonly runsFolder: string;
  readonly tagKey: string;
  /** @default - any value of tagKey */
  readonly tagValue?: string;
  readonly classifications: readonly string[];
  /** Instances read at once. */
  readonly maxConcurrency: number;
}

/** Instances per DescribeInstances page: keeps a raw page well under the 256 KiB state payload quota. */
export const INSTANCES_PER_PAGE = 20;
/** DescribeInstancePatches allows 10-100 per page; the maximum means fewer calls and objects. */
export const PATCHES_PER_PAGE = 100;
/** A run that has not finished in 6 hours is stuck; fail it so the alarm fires. */
export const EXECUTION_TIMEOUT_SECONDS = 6 * 3600;

/**
 * Error names that are worth retrying. Step Functions names SDK errors
 * `<Service>.<Exception>`; errors a service does not model (EC2 has none at all;
 * throttling such as RequestLimitExceeded or "Rate exceeded", InternalError, SlowDown)
 * arrive as the service's base exception, so those are retried too, boundedly.
 * Modeled permanent errors (e.g. Ssm.InvalidInstanceIdException) are not retried.
 */
export const TRANSIENT_ERRORS = {
  ec2: ['Ec2.Ec2Exception', 'Ec2.RequestLimitExceededException'],
  ssm: ['Ssm.ThrottlingException', 'Ssm.InternalServerErrorException', 'Ssm.SsmException'],
  s3: ['S3.SlowDownException', 'S3.InternalErrorException', 'S3.S3Exception'],
} as const;

/** Exponential backoff with full jitter: 2, 4, 8, 16, 32, 60 s caps, at most 6 retries. */
export const RETRY_POLICY = { IntervalSeconds: 2, BackoffRate: 2, MaxAttempts: 6, MaxDelaySeconds: 60, JitterStrategy: 'FULL' } as const;

/** Error the execution ends with when some instances could not be snapshotted. */
export const INSTANCES_FAILED_ERROR = 'PatchHistory.InstancesFailed';

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

/** DescribeInstances filter: the tag (key, or key=value), on instances that still exist. */
function instanceFilters(p: SnapshotDefinitionProps): Json[] {
  const tag = p.tagValue === undefined ? { Name: 'tag-key', Values: [p.tagKey] } : { Name: `tag:${p.tagKey}`, Values: [p.tagValue] };
  // Terminated instances linger in DescribeInstances for about an hour and have no patch data.
  return [tag, { Name: 'instance-state-name', Values: ['pending', 'running', 'stopping', 'stopped'] }];
}

/** The per-instance iteration: page DescribeInstancePatches, write each page, report [pages, patches, failed]. */
function itemProcessor(p: SnapshotDefinitionProps): Json {
  const describe = (withToken: boolean): Json => ({
    Type: 'Task',
    Resource: sdk('ssm', 'describeInstancePatches'),
    Parameters: {
      'InstanceId.$': '$.instance_id',
      Filters: [{ Key: 'Classification', Values: [...p.classifications] }],
      MaxResults: PATCHES_PER_PAGE,
      ...(withToken ? { 'NextToken.$': '$.result.NextToken' } : {}),
    },
    ResultPath: '$.result',
    Retry: retry('ssm'),
    Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'DescribeReadFailure' }],
    Next: 'BuildPage',
  });
  const prefix = literal(p.prefix);
  const runs = literal(p.runsFolder);
  // What the failure record says: the pages and patches actually written before the error.
  const describeFailure = (pagesWritten: string, patchesWritten: string): Json => ({
    Type: 'Pass',
    Parameters: {
      'instance_id.$': '$.instance_id',
      'run_id.$': '$.run.id',
      'snapshot_time.$': '$.run.snapshot_time',
      'pages_written.$': pagesWritten,
      'patches_written.$': patchesWritten,
      'error.$': '$.error.Error',
      'cause.$': '$.error.Cause',
    },
    ResultPath: '$.failure',
    Next: 'RecordFailure',
  });
  return {
    ProcessorConfig: { Mode: 'INLINE' },
    StartAt: 'DescribePatches',
    States: {
      DescribePatches: describe(false),
      DescribeMorePatches: describe(true),
      BuildPage: {
        Type: 'Pass',
        Comment: 'One JSON object per page: the Athena record (see docs/patch-history.md).',
        Parameters: {
          'pages.$': 'States.MathAdd($.progress.pages, 1)',
          'patches.$': 'States.MathAdd($.progress.patches, States.ArrayLength($.result.Patches))',
          // What is known written until this page's write succeeds (for a failure record).
          'written_pages.$': '$.progress.pages',
          'written_patches.$': '$.progress.patches',
          record: {
            'instance_id.$': '$.instance_id',
            'snapshot_time.$': '$.run.snapshot_time',
            'run_id.$': '$.run.id',
            'page.$': 'States.MathAdd($.progress.pages, 1)',
            'patches.$': '$.result.Patches',
          },
        },
        ResultPath: '$.progress',
        Next: 'WritePage',
      },
      WritePage: {
        Type: 'Task',
        Resource: sdk('s3', 'putObject'),
        Parameters: {
          Bucket: p.bucket,
          // Deterministic per run and page: a retried write overwrites, never duplicates.
          'Key.$': `States.Format('${prefix}/{}/instanceid={}/{}-{}.json', $.run.partition, $.instance_id, $.run.id, $.progress.pages)`,
          'Body.$': 'States.JsonToString($.progress.record)',
          ContentType: 'application/json',
        },
        ResultPath: null,
        Retry: retry('s3'),
        Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'DescribeWriteFailure' }],
        Next: 'MorePatches',
      },
      MorePatches: {
        Type: 'Choice',
        Choices: [{ Variable: '$.result.NextToken', IsPresent: true, Next: 'DescribeMorePatches' }],
        Default: 'InstanceDone',
      },
      InstanceDone: {
        Type: 'Pass',
        Parameters: { 'stats.$': 'States.Array($.progress.pages, $.progress.patches, 0)' },
        OutputPath: '$.stats',
        End: true,
      },
      DescribeReadFailure: describeFailure('$.progress.pages', '$.progress.patches'),
      DescribeWriteFailure: describeFailure('$.progress.written_pages', '$.progress.written_patches'),
      RecordFailure: {
        Type: 'Task',
        Resource: sdk('s3', 'putObject'),
        Parameters: {
          Bucket: p.bucket,
          'Key.$': `States.Format('${prefix}/${runs}/{}/{}/failures/{}.json', $.run.partition, $.run.id, $.instance_id)`,
          'Body.$': 'States.JsonToString($.failure)',
          ContentType: 'application/json',
        },
        ResultPath: null,
        Retry: retry('s3'),
        // Still counted as failed in the summary (and the execution fails) even if the
        // record cannot be written; the error is in the execution history.
        Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.record_error', Next: 'InstanceFailed' }],
        Next: 'InstanceFailed',
      },
      InstanceFailed: {
        Type: 'Pass',
        Parameters: { 'stats.$': 'States.Array($.failure.pages_written, $.failure.patches_written, 1)' },
        OutputPath: '$.stats',
        End: true,
      },
    },
  };
}

/** The whole machine. */
export function snapshotDefinition(p: SnapshotDefinitionProps): Json {
  if (!Number.isInteger(p.maxConcurrency) || p.maxConcurrency < 1)
    throw new Error(`maxConcurrency must be a positive integer, got ${p.maxConcurrency}`);
  const prefix = literal(p.prefix);
  const runs = literal(p.runsFolder);
  const list = (withToken: boolean): Json => ({
    Type: 'Task',
    Resource: sdk('ec2', 'describeInstances'),
    Parameters: {
      Filters: instanceFilters(p),
      MaxResults: INSTANCES_PER_PAGE,
      ...(withToken ? { 'NextToken.$': '$.listing.NextToken' } : {}),
    },
    ResultPath: '$.listing',
    Retry: retry('ec2'),
    Comment: `${FAILS_RUN}without the list of instances an empty snapshot would read as a compliant fleet.`,
    Next: 'CountInstances',
  });
  const countInstancePage = (next: string): Json => ({
    Type: 'Pass',
    Parameters: {
      'instances.$': '$.acc.instances',
      'pages.$': '$.acc.pages',
      'patches.$': '$.acc.patches',
      'failed.$': '$.acc.failed',
      'instance_pages.$': 'States.MathAdd($.acc.instance_pages, 1)',
      i: 0,
      n: 0,
    },
    ResultPath: '$.acc',
    Next: next,
  });
  const tallyItem = (i: 0 | 1 | 2) => `States.ArrayGetItem(States.ArrayGetItem($.results, $.acc.i), ${i})`;
  return {
    Comment: `Patch-compliance snapshot: instances tagged ${p.tagKey}, classifications ${p.classifications.join(', ')}, to s3://${p.bucket}/${p.prefix}/`,
    StartAt: 'Start',
    TimeoutSeconds: EXECUTION_TIMEOUT_SECONDS,
    States: {
      Start: {
        Type: 'Pass',
        Comment: 'The UTC start date, split; the next state formats the partition from it.',
        Parameters: {
          'date.$': START_DATE_PARTS,
          acc: { instances: 0, pages: 0, patches: 0, failed: 0, instance_pages: 0, i: 0, n: 0 },
        },
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
        },
        Next: 'ListInstances',
      },
      ListInstances: list(false),
      ListMoreInstances: list(true),
      CountInstances: {
        Type: 'Choice',
        Choices: [
          // EC2 may return an empty page that still carries a NextToken.
          { Not: { Variable: '$.listing.Reservations[0]', IsPresent: true }, Next: 'MoreInstances' },
          {
            And: [
              { Not: { Variable: '$.listing.Reservations[1]', IsPresent: true } },
              { Not: { Variable: '$.listing.Reservations[0].Instances[1]', IsPresent: true } },
            ],
            Next: 'OneInstance',
          },
        ],
        Default: 'SeveralInstances',
      },
      OneInstance: {
        Type: 'Pass',
        Parameters: { 'ids.$': 'States.Array($.listing.Reservations[0].Instances[0].InstanceId)' },
        ResultPath: '$.batch',
        Next: 'SnapshotInstances',
      },
      SeveralInstances: {
        Type: 'Pass',
        Parameters: { 'ids.$': '$.listing.Reservations[*].Instances[*].InstanceId' },
        ResultPath: '$.batch',
        Next: 'SnapshotInstances',
      },
      SnapshotInstances: {
        Type: 'Map',
        Comment: `${FAILS_RUN}only on an error no step of an iteration catches (every Task inside catches; a Pass state cannot, e.g. a payload over 256 KiB).`,
        ItemsPath: '$.batch.ids',
        MaxConcurrency: p.maxConcurrency,
        ItemSelector: { 'instance_id.$': '$$.Map.Item.Value', 'run.$': '$.run', progress: { pages: 0, patches: 0 } },
        ItemProcessor: itemProcessor(p),
        ResultPath: '$.results',
        Next: 'StartTally',
      },
      StartTally: {
        Type: 'Pass',
        Comment: 'JSONPath cannot sum an array: add the per-instance [pages, patches, failed] one by one.',
        Parameters: {
          'instances.$': 'States.MathAdd($.acc.instances, States.ArrayLength($.results))',
          'pages.$': '$.acc.pages',
          'patches.$': '$.acc.patches',
          'failed.$': '$.acc.failed',
          'instance_pages.$': '$.acc.instance_pages',
          i: 0,
          'n.$': 'States.ArrayLength($.results)',
        },
        ResultPath: '$.acc',
        Next: 'Tally',
      },
      Tally: {
        Type: 'Choice',
        Choices: [{ Variable: '$.acc.i', NumericLessThanPath: '$.acc.n', Next: 'TallyInstance' }],
        Default: 'MoreInstances',
      },
      TallyInstance: {
        Type: 'Pass',
        Parameters: {
          'instances.$': '$.acc.instances',
          'pages.$': `States.MathAdd($.acc.pages, ${tallyItem(0)})`,
          'patches.$': `States.MathAdd($.acc.patches, ${tallyItem(1)})`,
          'failed.$': `States.MathAdd($.acc.failed, ${tallyItem(2)})`,
          'instance_pages.$': '$.acc.instance_pages',
          'i.$': 'States.MathAdd($.acc.i, 1)',
          'n.$': '$.acc.n',
        },
        ResultPath: '$.acc',
        Next: 'Tally',
      },
      MoreInstances: {
        Type: 'Choice',
        Choices: [{ Variable: '$.listing.NextToken', IsPresent: true, Next: 'NextInstancePage' }],
        Default: 'LastInstancePage',
      },
      NextInstancePage: countInstancePage('ListMoreInstances'),
      LastInstancePage: countInstancePage('BuildSummary'),
      BuildSummary: {
        Type: 'Pass',
        Parameters: {
          'run_id.$': '$.run.id',
          'snapshot_time.$': '$.run.snapshot_time',
          bucket: p.bucket,
          'prefix.$': `States.Format('${prefix}/{}/', $.run.partition)`,
          'instances.$': '$.acc.instances',
          'instance_pages.$': '$.acc.instance_pages',
          'pages.$': '$.acc.pages',
          'patches.$': '$.acc.patches',
          'failed.$': '$.acc.failed',
          'failures_prefix.$': `States.Format('${prefix}/${runs}/{}/{}/failures/', $.run.partition, $.run.id)`,
        },
        ResultPath: '$.summary',
        Next: 'WriteSummary',
      },
      WriteSummary: {
        Type: 'Task',
        Resource: sdk('s3', 'putObject'),
        Parameters: {
          Bucket: p.bucket,
          'Key.$': `States.Format('${prefix}/${runs}/{}/{}/summary.json', $.run.partition, $.run.id)`,
          'Body.$': 'States.JsonToString($.summary)',
          ContentType: 'application/json',
        },
        ResultPath: null,
        Retry: retry('s3'),
        Comment: `${FAILS_RUN}a run without its summary is incomplete, and the failed execution raises the alarm.`,
        Next: 'AnyFailed',
      },
      AnyFailed: {
        Type: 'Choice',
        Choices: [{ Variable: '$.summary.failed', NumericGreaterThan: 0, Next: 'DescribeFailures' }],
        Default: 'Done',
      },
      DescribeFailures: {
        Type: 'Pass',
        Parameters: {
          'cause.$': `States.Format('{} of {} instances could not be snapshotted; failure records are under s3://{}/{}', $.summary.failed, $.summary.instances, $.summary.bucket, $.summary.failures_prefix)`,
        },
        ResultPath: '$.failure',
        Next: 'InstancesFailed',
      },
      InstancesFailed: {
        Type: 'Fail',
        Comment: 'After the summary is written: the other instances are kept, and the failed execution raises the alarm.',
        Error: INSTANCES_FAILED_ERROR,
        CausePath: '$.failure.cause',
      },
      Done: { Type: 'Pass', OutputPath: '$.summary', End: true },
    },
  };
}
