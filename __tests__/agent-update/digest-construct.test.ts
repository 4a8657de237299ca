import { BaselineConfigInput } from '../../stacks/platform/config/schema';
import { TARGET_RETRY } from '../../stacks/constructs/event-rule';
import { DIGEST_CHECK_SCHEDULE, DIGEST_TIMEOUT_SECONDS } from '../../stacks/capabilities/agent-update/digest';
import { IamSim, iamSim } from '../helpers/iam-sim';
import { StackJson, findResource, policyStatements, resourcesOf, synthStack, testConfig } from '../helpers/synth';
import { parseDigestRequest } from '../../lambda/agent-update/digest/request';

const ACCOUNT = '111111111111';
const REGION = 'ap-northeast-1';
const FUNCTION = 'ssmb-agent-update-digest';
const ROLE = `ssmb-agent-update-digest-${REGION}`;
const SCHEDULE_ROLE = `ssmb-agent-update-digest-schedule-${REGION}`;
const GROUP_ARN = `arn:aws:scheduler:${REGION}:${ACCOUNT}:schedule-group/ssmb-agent-update-digest`;
const TABLE = 'ssmb-agent-update-digests';

const notify = (mode: string) => ({ agentUpdate: { notify: mode } }) as Partial<BaselineConfigInput>;
const association = (s: StackJson) => findResource(s, 'aws_ssm_association', (b) => b.name === 'AWS-UpdateSSMAgent');
const digestFunction = (s: StackJson) => Object.values(resourcesOf(s, 'aws_lambda_function')).find((b) => b.function_name === FUNCTION);
const perInstanceFunction = (s: StackJson) =>
  Object.values(resourcesOf(s, 'aws_lambda_function')).find((b) => b.function_name === 'ssmb-agent-update-notifier');
const perInstanceRule = (s: StackJson) =>
  Object.values(resourcesOf(s, 'aws_cloudwatch_event_rule')).find((b) => b.name === 'ssmb-agent-update-result');

describe('agent-update digest: default (notify both)', () => {
  let s: StackJson;
  let sim: IamSim;
  let associationArn: string;
  beforeAll(() => {
    s = synthStack(testConfig());
    sim = iamSim(s);
    associationArn = sim.arn('aws_ssm_association', association(s)[0]);
  });

  it('keeps the per-instance mails and adds the digest function, its ledger and its schedule', () => {
    expect(perInstanceFunction(s)).toBeDefined();
    expect(perInstanceRule(s)).toBeDefined();
    expect(digestFunction(s)).toMatchObject({
      handler: 'index.handler',
      timeout: DIGEST_TIMEOUT_SECONDS,
      environment: {
        variables: expect.objectContaining({
          ACCOUNT_NAME: 'prod',
          ACCOUNT_ID: ACCOUNT,
          OUTPUT_PREFIX: 'agent-update',
        }),
      },
    });
    const [tableId, table] = findResource(s, 'aws_dynamodb_table', (b) => b.name === TABLE);
    expect(table).toMatchObject({
      billing_mode: 'PAY_PER_REQUEST',
      hash_key: 'runKey',
      attribute: [{ name: 'runKey', type: 'S' }],
      ttl: { attribute_name: 'expiresAt', enabled: true },
    });
    expect(digestFunction(s)!.environment.variables.RUNS_TABLE).toBe(`\${aws_dynamodb_table.${tableId}.name}`);
  });

  it('retries a failed invocation twice, then dead-letters it (a NotifierFunction)', () => {
    const [fnId] = findResource(s, 'aws_lambda_function', (b) => b.function_name === FUNCTION);
    const [, invokeConfig] = findResource(
      s,
      'aws_lambda_function_event_invoke_config',
      (b) => b.function_name === `\${aws_lambda_function.${fnId}.function_name}`,
    );
    expect(invokeConfig).toMatchObject({ maximum_retry_attempts: 2 });
    expect(invokeConfig.destination_config.on_failure.destination).toMatch(/aws_sqs_queue\./);
  });

  it('checks every hour with the association account, region and id as input, retried and dead-lettered', () => {
    const [, schedule] = findResource(s, 'aws_scheduler_schedule', (b) => b.name === 'ssmb-agent-update-digest');
    const [associationId] = association(s);
    expect(schedule).toMatchObject({
      schedule_expression: DIGEST_CHECK_SCHEDULE,
      state: 'ENABLED',
      flexible_time_window: { mode: 'OFF' },
      target: {
        retry_policy: {
          maximum_event_age_in_seconds: TARGET_RETRY.maximumEventAgeInSeconds,
          maximum_retry_attempts: TARGET_RETRY.maximumRetryAttempts,
        },
      },
    });
    expect(schedule.target.dead_letter_config.arn).toMatch(/aws_sqs_queue\./);
    const input = JSON.parse(schedule.target.input);
    expect(input).toEqual({ account: ACCOUNT, region: REGION, associationId: `\${aws_ssm_association.${associationId}.association_id}` });
    // The handler reads the input as a request once Terraform has filled in the id.
    expect(parseDigestRequest(sim.resolve(input))).toEqual({
      account: ACCOUNT,
      region: REGION,
      associationId: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
  });

  it('the association still waits for the per-instance path only; nothing of the digest delays it', () => {
    const [, a] = association(s);
    expect(a.depends_on.join(' ')).not.toMatch(/scheduler|dynamodb|digest/);
  });

  it("digest role: reads only its association's runs, lists targets, remembers runs, publishes; nothing else", async () => {
    const topic = sim.arn('aws_sns_topic', 'ssmb-notifications');
    const table = sim.arn('aws_dynamodb_table', TABLE);
    const other = `arn:aws:ssm:${REGION}:${ACCOUNT}:association/e1f2a3b4-c5d6-4e7f-8091-a2b3c4d5e6f7`;
    const miss = await sim.roleTable(ROLE, {
      allowed: [
        ['ssm:DescribeAssociationExecutions', associationArn],
        ['ssm:DescribeAssociationExecutionTargets', associationArn],
        ['ssm:ListAssociations', '*'],
        ['ssm:DescribeInstanceInformation', '*'],
        ['dynamodb:PutItem', table],
        ['dynamodb:UpdateItem', table],
        ['dynamodb:DeleteItem', table],
        ['sns:Publish', topic],
      ],
      denied: [
        ['ssm:DescribeAssociationExecutions', other],
        ['ssm:DescribeAssociationExecutionTargets', other],
        ['ssm:DescribeAssociationExecutions', `arn:aws:ssm:${REGION}:222222222222:association/${associationArn.split('/')[1]}`],
        ['ssm:DescribeAssociation', associationArn],
        ['ssm:UpdateAssociation', associationArn],
        ['ssm:StartAssociationsOnce', associationArn],
        ['ssm:SendCommand', `arn:aws:ec2:${REGION}:${ACCOUNT}:instance/i-0123456789abcdef0`],
        ['dynamodb:GetItem', table],
        ['dynamodb:Scan', table],
        ['dynamodb:DeleteTable', table],
        ['dynamodb:PutItem', `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/ssmb-ami-alerts-images`],
        ['sns:Publish', `arn:aws:sns:${REGION}:${ACCOUNT}:another-topic`],
        ['sts:AssumeRole', `arn:aws:iam::222222222222:role/ssmb-read`],
      ],
    });
    expect(miss).toEqual([]);
  });

  it("schedule role: invokes only the digest function and dead-letters; trusted by this group's schedules only", async () => {
    const fn = sim.arn('aws_lambda_function', FUNCTION);
    const dlq = sim.arn('aws_sqs_queue', 'ssmb-dead-letters');
    expect(
      await sim.roleTable(SCHEDULE_ROLE, {
        allowed: [
          ['lambda:InvokeFunction', fn],
          ['sqs:SendMessage', dlq],
        ],
        denied: [
          ['lambda:InvokeFunction', sim.arn('aws_lambda_function', 'ssmb-agent-update-notifier')],
          ['lambda:UpdateFunctionCode', fn],
          ['sqs:ReceiveMessage', dlq],
        ],
      }),
    ).toEqual([]);
    expect(
      await sim.trustTable(SCHEDULE_ROLE, {
        allowed: [['scheduler.amazonaws.com', { 'aws:SourceAccount': ACCOUNT, 'aws:SourceArn': GROUP_ARN }]],
        denied: [
          [
            'scheduler.amazonaws.com',
            { 'aws:SourceAccount': ACCOUNT, 'aws:SourceArn': `arn:aws:scheduler:${REGION}:${ACCOUNT}:schedule-group/default` },
          ],
          ['scheduler.amazonaws.com', { 'aws:SourceAccount': '222222222222', 'aws:SourceArn': GROUP_ARN }],
          ['events.amazonaws.com', { 'aws:SourceAccount': ACCOUNT }],
        ],
      }),
    ).toEqual([]);
  });
});

describe('agent-update digest: notify modes', () => {
  it("perInstance: exactly today's resources (no digest, no ledger, no schedule)", () => {
    const s = synthStack(testConfig(notify('perInstance')));
    expect(digestFunction(s)).toBeUndefined();
    expect(Object.values(resourcesOf(s, 'aws_dynamodb_table')).filter((b) => b.name === TABLE)).toEqual([]);
    expect(Object.values(resourcesOf(s, 'aws_scheduler_schedule')).filter((b) => String(b.name).includes('digest'))).toEqual([]);
    expect(perInstanceFunction(s)).toBeDefined();
    expect(association(s)[1].depends_on).toHaveLength(3);
  });

  it('digest: no per-instance rule or notifier; the association waits for its output grant only', () => {
    const s = synthStack(testConfig(notify('digest')));
    expect(perInstanceFunction(s)).toBeUndefined();
    expect(perInstanceRule(s)).toBeUndefined();
    expect(digestFunction(s)).toBeDefined();
    const deps: string[] = association(s)[1].depends_on;
    expect(deps).toEqual([expect.stringMatching(/^aws_iam_role_policy_attachment\./)]);
    // The digest role's statements name the association it reads.
    const [, policy] = findResource(s, 'aws_iam_role_policy', (b) => b.name === 'agent-update-digest');
    const reads = policyStatements(s, policy.policy).find((st) => st.sid === 'ReadOwnAssociationRuns');
    expect(reads!.resources).toEqual([
      `arn:aws:ssm:${REGION}:${ACCOUNT}:association/\${aws_ssm_association.${association(s)[0]}.association_id}`,
    ]);
  });
});
