import { IamSim, iamSim } from '../helpers/iam-sim';
import { StackJson, findResource, policyStatements, resourcesOf, synthStack, testConfig } from '../helpers/synth';
import { TARGET_RETRY } from '../../stacks/constructs/event-rule';
import { FAILURE_METRICS, LOG_DELIVERY_ACTIONS, XRAY_ACTIONS } from '../../stacks/capabilities/patch-history/state-machine';
import { SNAPSHOT_COLUMNS, namedQueries } from '../../stacks/capabilities/patch-history/query';
import { PATCH_DOCUMENT } from '../../stacks/capabilities/patch-history/scan-association';

const ACCOUNT = '111111111111';
const REGION = 'ap-northeast-1';
const MACHINE = 'ssmb-patch-history';
const MACHINE_ARN = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${MACHINE}`;
const BUCKET = `ssmb-${ACCOUNT}-${REGION}-patch-history`;
const MACHINE_ROLE = `ssmb-patch-history-${REGION}`;
const SCHEDULE_ROLE = `ssmb-patch-history-schedule-${REGION}`;
const GROUP_ARN = `arn:aws:scheduler:${REGION}:${ACCOUNT}:schedule-group/ssmb-patch-history`;
const INSTANCE = (id = 'i-0123456789abcdef0', region = REGION, account = ACCOUNT) => `arn:aws:ec2:${region}:${account}:instance/${id}`;

describe('patch history: synthesized resources (defaults)', () => {
  let s: StackJson;
  beforeAll(() => {
    s = synthStack(testConfig());
  });

  test('a daily AWS-RunPatchBaseline Scan on the instances the snapshot reads', () => {
    const [, a] = findResource(s, 'aws_ssm_association', (b) => b.name === PATCH_DOCUMENT);
    expect(a).toMatchObject({
      association_name: 'ssmb-patch-scan',
      schedule_expression: 'rate(1 day)',
      parameters: { Operation: 'Scan', RebootOption: 'NoReboot' },
      targets: [{ key: 'tag-key', values: ['CheckPatch'] }],
      max_concurrency: '10%',
      max_errors: '10%',
    });
  });

  test('a Standard state machine with logging to a retained log group and X-Ray on', () => {
    const [, m] = findResource(s, 'aws_sfn_state_machine', (b) => b.name === MACHINE);
    expect(m.type).toBe('STANDARD');
    expect(m.tracing_configuration).toEqual({ enabled: true });
    expect(m.logging_configuration).toMatchObject({ level: 'ERROR', include_execution_data: true });
    const [lgId, lg] = findResource(s, 'aws_cloudwatch_log_group', (b) => b.name === `/aws/vendedlogs/states/${MACHINE}`);
    expect(lg.retention_in_days).toBe(365);
    expect(m.logging_configuration.log_destination).toBe(`\${aws_cloudwatch_log_group.${lgId}.arn}:*`);
    const def = JSON.parse(m.definition);
    expect(def.States.SnapshotNodes.MaxConcurrency).toBe(2);
    expect(def.States.ListNodes.Parameters.Filters).toEqual([{ Key: 'tag-key', Values: ['CheckPatch'] }]);
    expect(def.States.SnapshotNodes.ItemProcessor.States.DescribePatches.Parameters.Filters).toEqual([
      { Key: 'Classification', Values: ['Security', 'CriticalUpdates', 'SecurityUpdates'] },
    ]);
    expect(def.States.SnapshotNodes.ItemProcessor.States.WritePage.Parameters.Bucket).toBe(BUCKET);
    expect(def.States.SnapshotNodes.ResultWriter.Parameters.Bucket).toBe(BUCKET);
  });

  test('alarms on failed, timed-out and aborted runs mail the shared topic', () => {
    const alarms = Object.values(resourcesOf(s, 'aws_cloudwatch_metric_alarm')).filter((a) => a.namespace === 'AWS/States');
    expect(alarms.map((a) => a.metric_name).sort()).toEqual([...FAILURE_METRICS].sort());
    for (const a of alarms) {
      expect(a.dimensions.StateMachineArn).toMatch(/^\$\{aws_sfn_state_machine\.[^.]+\.arn\}$/);
      expect(a.alarm_actions).toEqual([expect.stringMatching(/^\$\{aws_sns_topic\..*\.arn\}$/)]);
    }
  });

  test('a schedule in its own group: rate(7 days), retried for a day, then dead-lettered', () => {
    const [, g] = findResource(s, 'aws_scheduler_schedule_group', (x) => x.name === 'ssmb-patch-history');
    expect(g.name).toBe('ssmb-patch-history');
    const [, sch] = findResource(s, 'aws_scheduler_schedule', (x) => /^\$\{aws_sfn_state_machine\./.test(x.target.arn));
    expect(sch).toMatchObject({
      schedule_expression: 'rate(7 days)',
      schedule_expression_timezone: 'UTC',
      state: 'ENABLED',
      flexible_time_window: { mode: 'OFF' },
    });
    expect(sch.group_name).toMatch(/^\$\{aws_scheduler_schedule_group\./);
    expect(sch.target.arn).toMatch(/^\$\{aws_sfn_state_machine\./);
    expect(sch.target.input).toBe('{}');
    expect(sch.target.retry_policy).toEqual({
      maximum_event_age_in_seconds: TARGET_RETRY.maximumEventAgeInSeconds,
      maximum_retry_attempts: TARGET_RETRY.maximumRetryAttempts,
    });
    expect(sch.target.dead_letter_config.arn).toMatch(/^\$\{aws_sqs_queue\./);
  });

  test('state machine role: exactly the calls of the definition, scoped', () => {
    const [, role] = findResource(s, 'aws_iam_role', (b) => b.name === MACHINE_ROLE);
    const [, policy] = findResource(s, 'aws_iam_role_policy', (b) => b.name === 'patch-snapshot');
    const byId = Object.fromEntries(policyStatements(s, policy.policy).map((st) => [st.sid, st]));
    expect(Object.keys(byId).sort()).toEqual([
      'CountMapRuns',
      'DeliverLogs',
      'ListInstances',
      'ReadPatchState',
      'RunChildExecutions',
      'Trace',
      'WatchChildExecutions',
      'WriteMapResults',
      'WriteSnapshots',
    ]);
    expect(byId.ListInstances.actions).toEqual(['ssm:DescribeInstanceInformation']);
    expect(byId.ReadPatchState.resources).toEqual([
      `arn:aws:ec2:${REGION}:${ACCOUNT}:instance/*`,
      `arn:aws:ssm:${REGION}:${ACCOUNT}:managed-instance/*`,
    ]);
    expect(byId.WriteSnapshots.resources).toEqual([expect.stringMatching(/^\$\{aws_s3_bucket\.[^.]+\.arn\}\/patch-history\/\*$/)]);
    expect(byId.WriteMapResults.resources).toEqual([expect.stringMatching(/^\$\{aws_s3_bucket\.[^.]+\.arn\}\/patch-history\/_runs\/\*$/)]);
    expect(byId.RunChildExecutions.resources).toEqual([MACHINE_ARN]);
    expect(byId.DeliverLogs.actions).toEqual(LOG_DELIVERY_ACTIONS);
    expect(byId.Trace.actions).toEqual(XRAY_ACTIONS);
    const trust = policyStatements(s, role.assume_role_policy);
    expect(trust).toEqual([
      expect.objectContaining({
        principals: [{ type: 'Service', identifiers: ['states.amazonaws.com'] }],
        condition: expect.arrayContaining([
          { test: 'StringEquals', variable: 'aws:SourceAccount', values: [ACCOUNT] },
          { test: 'ArnLike', variable: 'aws:SourceArn', values: [MACHINE_ARN] },
        ]),
      }),
    ]);
  });

  test('history bucket: secure defaults with the configured expiration; results bucket expires fast', () => {
    const [, b] = findResource(s, 'aws_s3_bucket', (x) => x.bucket === BUCKET);
    expect(b.force_destroy).toBe(false);
    const lifecycles = Object.values(resourcesOf(s, 'aws_s3_bucket_lifecycle_configuration'));
    const expirations = lifecycles.map((l) => l.rule[0].expiration?.[0]?.days).filter((d) => d !== undefined);
    expect(expirations).toEqual(expect.arrayContaining([730, 30]));
  });

  test('Glue table: JSON SerDe, columns of the record, projected year/month/day over the prefix', () => {
    const [, db] = findResource(s, 'aws_glue_catalog_database');
    expect(db.name).toBe('ssmb_patch_history');
    const [, t] = findResource(s, 'aws_glue_catalog_table', (x) => x.name === 'snapshots');
    expect(t.storage_descriptor.location).toBe(`s3://${BUCKET}/patch-history/`);
    expect(t.storage_descriptor.ser_de_info.serialization_library).toBe('org.openx.data.jsonserde.JsonSerDe');
    expect(t.storage_descriptor.columns.map((c: any) => [c.name, c.type])).toEqual(SNAPSHOT_COLUMNS.map((c) => [c.name, c.type]));
    expect(t.partition_keys.map((k: any) => k.name)).toEqual(['year', 'month', 'day']);
    expect(t.parameters).toMatchObject({
      'projection.enabled': 'true',
      'projection.month.digits': '2',
      'projection.day.digits': '2',
      // `$${` renders as a literal `${` after Terraform reads the JSON.
      'storage.location.template': `s3://${BUCKET}/patch-history/year=$\${year}/month=$\${month}/day=$\${day}/`,
    });
    expect(resourcesOf(s, 'aws_glue_crawler')).toEqual({});
  });

  test('Athena workgroup enforces an encrypted result location in its own bucket', () => {
    const [, wg] = findResource(s, 'aws_athena_workgroup');
    expect(wg.configuration).toMatchObject({
      enforce_workgroup_configuration: true,
      result_configuration: { encryption_configuration: { encryption_option: 'SSE_S3' }, expected_bucket_owner: ACCOUNT },
    });
    const ref = /^s3:\/\/\$\{aws_s3_bucket\.([^.]+)\.bucket\}\/results\/$/.exec(wg.configuration.result_configuration.output_location);
    expect(ref).not.toBeNull();
    expect(s.resource!.aws_s3_bucket[ref![1]].bucket).toBe(`ssmb-${ACCOUNT}-${REGION}-patch-queries`);
  });

  test('the named queries, in the workgroup, on the table', () => {
    const queries = Object.values(resourcesOf(s, 'aws_athena_named_query'));
    expect(queries.map((q) => q.name).sort()).toEqual(
      namedQueries('"x"."y"')
        .map((q) => q.name)
        .sort(),
    );
    for (const q of queries) {
      // Every query reads the tables of the capability's database (run completeness reads manifests, not pages).
      expect(q.query).toContain(q.name.includes('completeness') ? '"ssmb_patch_history"."runs"' : '"ssmb_patch_history"."snapshots"');
      expect(q.workgroup).toMatch(/^\$\{aws_athena_workgroup\./);
      expect(q.query).not.toContain('${');
    }
  });

  test('outputs say how to start a snapshot and where the data is', () => {
    expect(Object.keys(s.output ?? {})).toEqual(
      expect.arrayContaining([
        'patch_history_state_machine_arn',
        'patch_history_bucket',
        'patch_history_athena_workgroup',
        'patch_history_glue_table',
      ]),
    );
  });
});

describe('patch history: configuration variants', () => {
  test('skipScanAssociation drops the association and nothing else', () => {
    const s = synthStack(testConfig({ patchHistory: { skipScanAssociation: true } }));
    expect(Object.values(resourcesOf(s, 'aws_ssm_association')).filter((a) => a.name === PATCH_DOCUMENT)).toEqual([]);
    expect(Object.keys(resourcesOf(s, 'aws_sfn_state_machine'))).toHaveLength(1);
  });

  test('tag value, classifications, concurrency, schedule and window reach the output', () => {
    const s = synthStack(
      testConfig({
        patchHistory: {
          tagKey: 'Patch',
          tagValue: 'weekly',
          classifications: ['Security'],
          patchStates: ['Missing', 'Failed'],
          maxConcurrency: 5,
          schedule: 'cron(0 3 ? * SUN *)',
          scheduleTimezone: 'Asia/Tokyo',
          flexibleWindowMinutes: 30,
          s3Prefix: 'compliance/patches',
          logLevel: 'ALL',
        },
      }),
    );
    const [, a] = findResource(s, 'aws_ssm_association', (b) => b.name === PATCH_DOCUMENT);
    expect(a.targets).toEqual([{ key: 'tag:Patch', values: ['weekly'] }]);
    const [, m] = findResource(s, 'aws_sfn_state_machine');
    const def = JSON.parse(m.definition);
    expect(def.States.ListNodes.Parameters.Filters).toEqual([{ Key: 'tag:Patch', Values: ['weekly'] }]);
    expect(def.States.SnapshotNodes.MaxConcurrency).toBe(5);
    expect(def.States.SnapshotNodes.ItemProcessor.States.DescribePatches.Parameters.Filters).toEqual([
      { Key: 'Classification', Values: ['Security'] },
      { Key: 'State', Values: ['Missing', 'Failed'] },
    ]);
    expect(m.logging_configuration.level).toBe('ALL');
    const [, sch] = findResource(s, 'aws_scheduler_schedule', (x) => /^\$\{aws_sfn_state_machine\./.test(x.target.arn));
    expect(sch).toMatchObject({
      schedule_expression: 'cron(0 3 ? * SUN *)',
      schedule_expression_timezone: 'Asia/Tokyo',
      flexible_time_window: { mode: 'FLEXIBLE', maximum_window_in_minutes: 30 },
    });
    const [, t] = findResource(s, 'aws_glue_catalog_table', (x) => x.name === 'snapshots');
    expect(t.storage_descriptor.location).toBe(`s3://${BUCKET}/compliance/patches/`);
  });

  test('disabled: nothing of the capability', () => {
    const s = synthStack(testConfig({ patchHistory: { enabled: false } }));
    expect(resourcesOf(s, 'aws_sfn_state_machine')).toEqual({});
    expect(resourcesOf(s, 'aws_glue_catalog_table')).toEqual({});
  });
});

describe('patch history: least privilege (IAM simulation)', () => {
  let s: StackJson;
  let sim: IamSim;
  let bucket: string;
  let dlq: string;
  let machineArn: string;
  beforeAll(() => {
    s = synthStack(testConfig());
    sim = iamSim(s);
    bucket = sim.arn('aws_s3_bucket', BUCKET);
    dlq = sim.arn('aws_sqs_queue', 'ssmb-dead-letters');
    machineArn = sim.arn('aws_sfn_state_machine', MACHINE);
  });

  test('the machine ARN the trust policy names is the real one', () => {
    expect(machineArn).toBe(MACHINE_ARN);
    expect(sim.arn('aws_scheduler_schedule_group', 'ssmb-patch-history')).toBe(GROUP_ARN);
  });

  test('state machine role: lists, reads patch state here, writes under the prefix, runs its own children; nothing else', async () => {
    const RUN = '4f3c1e2a-9b7d-4c61-8a5e-0d2b6f9e1a37';
    const MAP_RUN = `arn:aws:states:${REGION}:${ACCOUNT}:mapRun:${MACHINE}/SnapshotNodes:2d0a3c6e-51f4-4b8a-9e27-7c1d5f3b8a90`;
    const CHILD = `arn:aws:states:${REGION}:${ACCOUNT}:execution:${MACHINE}/SnapshotNodes:6b1e9f2c-0d7a-4e35-b8c4-2a9f5d3e7c18`;
    const HYBRID = `arn:aws:ssm:${REGION}:${ACCOUNT}:managed-instance/mi-0123456789abcdef0`;
    const miss = await sim.roleTable(MACHINE_ROLE, {
      allowed: [
        ['ssm:DescribeInstanceInformation', '*'],
        ['ssm:DescribeInstancePatches', INSTANCE()],
        ['ssm:DescribeInstancePatchStates', INSTANCE()],
        ['ssm:DescribeInstancePatches', HYBRID],
        ['ssm:DescribeInstancePatchStates', HYBRID],
        ['s3:PutObject', `${bucket}/patch-history/year=2025/month=03/day=07/instanceid=i-0123456789abcdef0/${RUN}-1.json`],
        ['s3:PutObject', `${bucket}/patch-history/instances/year=2025/month=03/day=07/${RUN}/i-0123456789abcdef0.json`],
        ['s3:PutObject', `${bucket}/patch-history/runs/year=2025/month=03/day=07/${RUN}.json`],
        [
          's3:PutObject',
          `${bucket}/patch-history/_runs/year=2025/month=03/day=07/${RUN}/map/2d0a3c6e-51f4-4b8a-9e27-7c1d5f3b8a90/manifest.json`,
        ],
        [
          's3:GetObject',
          `${bucket}/patch-history/_runs/year=2025/month=03/day=07/${RUN}/map/2d0a3c6e-51f4-4b8a-9e27-7c1d5f3b8a90/manifest.json`,
        ],
        [
          's3:AbortMultipartUpload',
          `${bucket}/patch-history/_runs/year=2025/month=03/day=07/${RUN}/map/2d0a3c6e-51f4-4b8a-9e27-7c1d5f3b8a90/SUCCEEDED_0.json`,
        ],
        [
          's3:ListMultipartUploadParts',
          `${bucket}/patch-history/_runs/year=2025/month=03/day=07/${RUN}/map/2d0a3c6e-51f4-4b8a-9e27-7c1d5f3b8a90/SUCCEEDED_0.json`,
        ],
        ['states:StartExecution', machineArn],
        ['states:DescribeExecution', CHILD],
        ['states:StopExecution', CHILD],
        ['states:DescribeMapRun', MAP_RUN],
        ...LOG_DELIVERY_ACTIONS.map((a): [string, string] => [a, '*']),
        ...XRAY_ACTIONS.map((a): [string, string] => [a, '*']),
      ],
      denied: [
        ['ssm:DescribeInstancePatches', INSTANCE('i-0123456789abcdef0', 'us-east-1')],
        ['ssm:DescribeInstancePatches', INSTANCE('i-0123456789abcdef0', REGION, '222222222222')],
        ['ssm:DescribeInstancePatchStates', HYBRID.replace(REGION, 'us-east-1')],
        ['ssm:SendCommand', INSTANCE()],
        ['ec2:DescribeInstances', '*'],
        ['s3:GetObject', `${bucket}/patch-history/instances/year=2025/month=03/day=07/${RUN}/i-0123456789abcdef0.json`],
        ['states:StartExecution', `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:other`],
        [
          'states:DescribeExecution',
          `arn:aws:states:${REGION}:${ACCOUNT}:execution:other/SnapshotNodes:6b1e9f2c-0d7a-4e35-b8c4-2a9f5d3e7c18`,
        ],
        ['states:DescribeMapRun', `arn:aws:states:${REGION}:${ACCOUNT}:mapRun:other/SnapshotNodes:2d0a3c6e-51f4-4b8a-9e27-7c1d5f3b8a90`],
        ['states:StartExecution', MACHINE_ARN.replace(REGION, 'us-east-1')],
        ['ec2:StopInstances', INSTANCE()],
        ['s3:PutObject', `${bucket}/other-prefix/x.json`],
        ['s3:PutObject', `${bucket}/patch-history`],
        ['s3:GetObject', `${bucket}/patch-history/year=2025/month=03/day=07/instanceid=i-1/run-1.json`],
        ['s3:DeleteObject', `${bucket}/patch-history/year=2025/month=03/day=07/instanceid=i-1/run-1.json`],
        ['s3:PutObject', 'arn:aws:s3:::someone-elses-bucket/patch-history/x.json'],
        ['logs:PutLogEvents', `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/other:log-stream:x`],
      ],
    });
    expect(miss).toEqual([]);
  });

  test('the history bucket policy refuses non-TLS writes even from the role', async () => {
    expect(await sim.canRole(MACHINE_ROLE, 's3:PutObject', `${bucket}/patch-history/x.json`, { 'aws:SecureTransport': 'false' })).toBe(
      'ExplicitlyDenied',
    );
  });

  test('state machine trust: Step Functions, for this machine in this account only', async () => {
    const miss = await sim.trustTable(MACHINE_ROLE, {
      allowed: [['states.amazonaws.com', { 'aws:SourceAccount': ACCOUNT, 'aws:SourceArn': MACHINE_ARN }]],
      denied: [
        [
          'states.amazonaws.com',
          { 'aws:SourceAccount': ACCOUNT, 'aws:SourceArn': `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:other` },
        ],
        ['states.amazonaws.com', { 'aws:SourceAccount': '222222222222', 'aws:SourceArn': MACHINE_ARN.replace(ACCOUNT, '222222222222') }],
        ['states.amazonaws.com'],
        ['scheduler.amazonaws.com', { 'aws:SourceAccount': ACCOUNT, 'aws:SourceArn': MACHINE_ARN }],
        ['lambda.amazonaws.com', { 'aws:SourceAccount': ACCOUNT, 'aws:SourceArn': MACHINE_ARN }],
      ],
    });
    expect(miss).toEqual([]);
  });

  test('scheduler role: starts this machine and dead-letters; nothing else', async () => {
    const miss = await sim.roleTable(SCHEDULE_ROLE, {
      allowed: [
        ['states:StartExecution', machineArn],
        ['sqs:SendMessage', dlq],
      ],
      denied: [
        ['states:StartExecution', `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:other`],
        ['states:StopExecution', `arn:aws:states:${REGION}:${ACCOUNT}:execution:${MACHINE}:run-1`],
        ['states:StartSyncExecution', machineArn],
        ['sqs:ReceiveMessage', dlq],
        ['sqs:SendMessage', `arn:aws:sqs:${REGION}:${ACCOUNT}:another-queue`],
        ['lambda:InvokeFunction', `arn:aws:lambda:${REGION}:${ACCOUNT}:function:x`],
        ['s3:PutObject', `${bucket}/patch-history/x.json`],
      ],
    });
    expect(miss).toEqual([]);
  });

  test('scheduler trust: Scheduler, for schedules of this group in this account only', async () => {
    const miss = await sim.trustTable(SCHEDULE_ROLE, {
      allowed: [['scheduler.amazonaws.com', { 'aws:SourceAccount': ACCOUNT, 'aws:SourceArn': GROUP_ARN }]],
      denied: [
        [
          'scheduler.amazonaws.com',
          { 'aws:SourceAccount': ACCOUNT, 'aws:SourceArn': `arn:aws:scheduler:${REGION}:${ACCOUNT}:schedule-group/default` },
        ],
        ['scheduler.amazonaws.com', { 'aws:SourceAccount': '222222222222', 'aws:SourceArn': GROUP_ARN }],
        ['scheduler.amazonaws.com'],
        ['events.amazonaws.com', { 'aws:SourceAccount': ACCOUNT, 'aws:SourceArn': GROUP_ARN }],
      ],
    });
    expect(miss).toEqual([]);
  });

  test("the shared topic admits the capability's alarms only by their ARN", async () => {
    const topic = sim.arn('aws_sns_topic', 'ssmb-notifications');
    const alarm = sim.arn('aws_cloudwatch_metric_alarm', 'ssmb-patch-history-failed');
    const miss = await sim.resourceTable(topic, {
      allowed: [['cloudwatch.amazonaws.com', 'sns:Publish', topic, { 'aws:SourceArn': alarm, 'aws:SourceAccount': ACCOUNT }]],
      denied: [
        [
          'cloudwatch.amazonaws.com',
          'sns:Publish',
          topic,
          { 'aws:SourceArn': `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:other`, 'aws:SourceAccount': ACCOUNT },
        ],
        [
          'cloudwatch.amazonaws.com',
          'sns:Publish',
          topic,
          { 'aws:SourceArn': alarm.replace(ACCOUNT, '222222222222'), 'aws:SourceAccount': '222222222222' },
        ],
        ['cloudwatch.amazonaws.com', 'sns:Subscribe', topic, { 'aws:SourceArn': alarm, 'aws:SourceAccount': ACCOUNT }],
        ['states.amazonaws.com', 'sns:Publish', topic, { 'aws:SourceArn': MACHINE_ARN, 'aws:SourceAccount': ACCOUNT }],
      ],
    });
    expect(miss).toEqual([]);
  });
});
