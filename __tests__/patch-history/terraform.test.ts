import { StackResult } from '../../scripts/terraform-harness';
import { optionsAwayFromDefaults, planStack } from '../helpers/synth';
import { startSfnValidationStub } from '../../scripts/sfn-validation-stub';

const BUCKET = 'ssmb-111111111111-ap-northeast-1-patch-history';

// One stack with patch history set away from its defaults goes through terraform init +
// validate + an offline plan against the pinned provider: the provider's own schema
// checks (schedule, workgroup, Glue table, state machine) and Terraform's reading of
// the escaped `$${year}` templates.
describe('patch history: terraform validate and offline plan', () => {
  let result: StackResult;
  let changes: Array<{ type: string; name: string; change: { actions: string[]; after: Record<string, any> } }>;
  beforeAll(async () => {
    ({ result, changes } = await planStack(optionsAwayFromDefaults()));
  }, 300_000);

  const after = (type: string, pred: (a: Record<string, any>) => boolean = () => true) => {
    const hits = changes.filter((c) => c.type === type && pred(c.change.after));
    expect(hits).toHaveLength(1);
    expect(hits[0].change.actions).toEqual(['create']);
    return hits[0].change.after;
  };

  it('validates and plans', () => {
    if (!result.ok) throw new Error(`terraform ${result.step} failed:\n${result.output}`);
    expect(result.validated).toBe(true); // plan validates first
  });

  it('plans the state machine with its definition, logging and tracing', () => {
    const m = after('aws_sfn_state_machine');
    expect(m).toMatchObject({ name: 'ssmb-patch-history', type: 'STANDARD', tracing_configuration: [{ enabled: true }] });
    expect(m.logging_configuration[0]).toMatchObject({ level: 'ALL', include_execution_data: true });
    const def = JSON.parse(m.definition);
    expect(def.States.SnapshotNodes.MaxConcurrency).toBe(4);
    expect(def.States.ListNodes.Parameters.Filters).toEqual([{ Key: 'tag:Patch', Values: ['weekly'] }]);
  });

  it('plans the schedule in its group, with retry and dead-letter queue', () => {
    // The agent-update digest has its own schedule group and schedule in the same stack.
    expect(after('aws_scheduler_schedule_group', (a) => a.name === 'ssmb-patch-history').name).toBe('ssmb-patch-history');
    const sch = after('aws_scheduler_schedule', (a) => a.group_name === 'ssmb-patch-history');
    expect(sch).toMatchObject({
      group_name: 'ssmb-patch-history',
      schedule_expression: 'cron(0 3 ? * SUN *)',
      schedule_expression_timezone: 'Asia/Tokyo',
      flexible_time_window: [{ mode: 'FLEXIBLE', maximum_window_in_minutes: 60 }],
    });
    expect(sch.target[0].retry_policy).toEqual([{ maximum_event_age_in_seconds: 86400, maximum_retry_attempts: 185 }]);
  });

  it('plans the scan association', () => {
    const a = after('aws_ssm_association', (x) => x.name === 'AWS-RunPatchBaseline');
    expect(a.parameters).toEqual({ Operation: 'Scan', RebootOption: 'NoReboot' });
  });

  it('plans the Glue table with a literal ${year} template Athena will fill', () => {
    const t = after('aws_glue_catalog_table', (x) => x.name === 'snapshots');
    expect(t.parameters['storage.location.template']).toBe(`s3://${BUCKET}/patch-history/year=\${year}/month=\${month}/day=\${day}/`);
    expect(t.partition_keys.map((k: any) => k.name)).toEqual(['year', 'month', 'day']);
  });

  it('plans the workgroup and the six named queries', () => {
    const wg = after('aws_athena_workgroup');
    expect(wg.configuration[0].enforce_workgroup_configuration).toBe(true);
    expect(wg.force_destroy).toBe(true);
    const queries = changes.filter((c) => c.type === 'aws_athena_named_query');
    expect(queries).toHaveLength(6);
    for (const q of queries) expect(q.change.after.database).toBe('ssmb_patch_history');
  });
});

describe('offline plan: the ValidateStateMachineDefinition stub', () => {
  const call = async (url: string, target: string, body: unknown) => {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'x-amz-target': target, 'content-type': 'application/x-amz-json-1.0' },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as any };
  };

  it('passes a well-formed definition, fails a broken one, refuses every other call', async () => {
    const stub = await startSfnValidationStub();
    try {
      const target = 'AWSStepFunctions.ValidateStateMachineDefinition';
      expect((await call(stub.url, target, { definition: '{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}' })).body.result).toBe(
        'OK',
      );
      expect((await call(stub.url, target, { definition: '{"StartAt":"B","States":{}}' })).body.result).toBe('FAIL');
      expect((await call(stub.url, target, { definition: '{not json' })).body.result).toBe('FAIL');
      expect((await call(stub.url, 'AWSStepFunctions.StartExecution', { stateMachineArn: 'x' })).status).toBe(400);
      expect(stub.validated).toHaveLength(3);
    } finally {
      await stub.close();
    }
  });
});
