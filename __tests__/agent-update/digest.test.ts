import { mockClient } from 'aws-sdk-client-mock';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import {
  AssociationExecution,
  AssociationExecutionTarget,
  DescribeAssociationExecutionTargetsCommand,
  DescribeAssociationExecutionsCommand,
  DescribeInstanceInformationCommand,
  InstanceInformation,
  ListAssociationsCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DynamoDBClient,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { createDigestHandler, handler } from '../../lambda/agent-update/digest';
import { parseDigestRequest } from '../../lambda/agent-update/digest/request';
import { CLAIM_STALE_SECONDS, RUN_MEMORY_SECONDS } from '../../lambda/agent-update/digest/ledger';
import { composeDigest } from '../../lambda/agent-update/digest/message';
import { LOOKBACK_SECONDS, countsByStatus, isFinished, targetFilters } from '../../lambda/agent-update/digest/reconcile';
import { MalformedEventError } from '../../lambda/shared/handler';
import { notifierHarness } from '../helpers/notifier-harness';
import success from './fixtures/success.json';

const snsMock = mockClient(SNSClient);
const ssmMock = mockClient(SSMClient);
const ddbMock = mockClient(DynamoDBClient);

const ACCOUNT = '111111111111';
const REGION = 'ap-northeast-1';
const TOPIC_ARN = `arn:aws:sns:${REGION}:${ACCOUNT}:ssmb-notifications`;
const TABLE = `ssmb-agent-update-digests-${REGION}`;
const ENV = {
  TOPIC_ARN,
  ACCOUNT_NAME: 'prod',
  ACCOUNT_ID: ACCOUNT,
  RUNS_TABLE: TABLE,
  OUTPUT_BUCKET: `ssmb-${ACCOUNT}-${REGION}-agent-update`,
  OUTPUT_PREFIX: 'agent-update',
  AWS_REGION: REGION,
};
const { logs, published } = notifierHarness(snsMock, [ssmMock, ddbMock], ENV);

const ASSOCIATION_ID = '5c5a31f6-6dae-46f9-944c-0123456789ab';
const EXECUTION_ID = '7d9c2b1a-3e4f-4a5b-8c6d-0e1f2a3b4c5d';
const REQUEST = { account: ACCOUNT, region: REGION, associationId: ASSOCIATION_ID };
const ASSOCIATION = {
  AssociationId: ASSOCIATION_ID,
  AssociationName: 'ssmb-agent-update',
  Name: 'AWS-UpdateSSMAgent',
  DocumentVersion: '1',
  ScheduleExpression: 'rate(14 days)',
  Targets: [{ Key: 'InstanceIds', Values: ['*'] }],
};
const STARTED = new Date('2025-03-04T02:15:00Z');
const run = (over: Partial<AssociationExecution> = {}): AssociationExecution => ({
  AssociationId: ASSOCIATION_ID,
  AssociationVersion: '1',
  ExecutionId: EXECUTION_ID,
  Status: 'Failed',
  DetailedStatus: 'Failed',
  CreatedTime: STARTED,
  LastExecutionDate: new Date('2025-03-04T02:17:01Z'),
  ResourceCountByStatus: '{Failed=1, Success=1}',
  ...over,
});
const target = (id: string, status: string, over: Partial<AssociationExecutionTarget> = {}): AssociationExecutionTarget => ({
  AssociationId: ASSOCIATION_ID,
  AssociationVersion: '1',
  ExecutionId: EXECUTION_ID,
  ResourceId: id,
  ResourceType: 'ManagedInstance',
  Status: status,
  DetailedStatus: status,
  LastExecutionDate: new Date('2025-03-04T02:16:10Z'),
  OutputSource: { OutputSourceId: '1f2e3d4c-5b6a-4798-8a9b-0c1d2e3f4a5b', OutputSourceType: 'RunCommand' },
  ...over,
});
const node = (id: string, name: string, over: Partial<InstanceInformation> = {}): InstanceInformation => ({
  InstanceId: id,
  ComputerName: `${name}.ap-northeast-1.compute.internal`,
  PingStatus: 'Online',
  LastPingDateTime: new Date('2025-03-04T02:20:00Z'),
  RegistrationDate: new Date('2024-11-01T00:00:00Z'),
  ResourceType: 'EC2Instance',
  ...over,
});
const WEB = 'i-0123456789abcdef0';
const DB = 'i-0fedcba9876543210';
const STOPPED = 'i-0a1b2c3d4e5f60718';

/** The run of the field report: one success, one failure, one instance stopped (no result at all). */
function arrangeRun(execution: AssociationExecution = run()) {
  ssmMock.on(ListAssociationsCommand).resolves({ Associations: [ASSOCIATION] });
  ssmMock.on(DescribeAssociationExecutionsCommand).resolves({ AssociationExecutions: [execution] });
  ssmMock
    .on(DescribeAssociationExecutionTargetsCommand)
    .resolves({ AssociationExecutionTargets: [target(WEB, 'Success'), target(DB, 'Failed')] });
  ssmMock.on(DescribeInstanceInformationCommand).resolves({
    InstanceInformationList: [
      node(WEB, 'web-1'),
      node(DB, 'db-1'),
      node(STOPPED, 'batch-1', { PingStatus: 'ConnectionLost', LastPingDateTime: new Date('2025-03-01T18:04:11Z') }),
    ],
  });
}

beforeEach(() => {
  ddbMock.on(PutItemCommand).resolves({});
  ddbMock.on(UpdateItemCommand).resolves({});
  ddbMock.on(DeleteItemCommand).resolves({});
});

describe('agent-update digest: one mail per finished run', () => {
  beforeEach(() => arrangeRun());

  it('lists succeeded, failed and never-reported targets (a stopped instance) in one mail', async () => {
    await expect(handler(REQUEST)).resolves.toEqual({ runs: [{ executionId: EXECUTION_ID, outcome: 'published', messageId: 'msg-1' }] });
    const msg = published();
    expect(msg.TopicArn).toBe(TOPIC_ARN);
    expect(msg.Subject).toBe('[prod ap-northeast-1] SSM Agent update run: 1 failed, 1 never reported, 1 succeeded');
    const body = msg.Message!;
    expect(body).toMatch(/^SSM Agent update run of ssmb-agent-update: 1 failed, 1 never reported, 1 succeeded\n/);
    expect(body).toContain('Account prod (111111111111), region ap-northeast-1');
    expect(body).toMatch(/Execution id: +7d9c2b1a-3e4f-4a5b-8c6d-0e1f2a3b4c5d/);
    expect(body).toMatch(/Started: +2025-03-04T02:15:00Z/);
    expect(body).toMatch(/Failed or not successful \(1\)\n {2}i-0fedcba9876543210 \(db-1\) {2}Failed {2}2025-03-04T02:16:10Z\n/);
    expect(body).toMatch(
      /Never reported \(1\)\n(.*\n){2} {2}i-0a1b2c3d4e5f60718 \(batch-1\) {2}ConnectionLost \(stopped or unreachable\), last ping 2025-03-01T18:04:11Z\n/,
    );
    expect(body).toMatch(/Succeeded \(1\)\n {2}i-0123456789abcdef0 \(web-1\) {2}Success {2}2025-03-04T02:16:10Z\n/);
    expect(body).toContain(
      `https://${REGION}.console.aws.amazon.com/systems-manager/state-manager/${ASSOCIATION_ID}/description?region=${REGION}`,
    );
    expect(body).toContain(`s3://ssmb-${ACCOUNT}-${REGION}-agent-update/agent-update/<instance id>/`);
    expect(body).toContain('What to do');
    expect(body).not.toContain('{"');
  });

  it('asks the API for exactly this association: its runs since the look-back, its targets, its nodes', async () => {
    const now = Date.parse('2025-03-04T03:00:00Z');
    await createDigestHandler({ sns: new SNSClient({}), ddb: new DynamoDBClient({}), now: () => now })(REQUEST);
    expect(ssmMock.commandCalls(ListAssociationsCommand)[0].args[0].input).toEqual({
      AssociationFilterList: [{ key: 'AssociationId', value: ASSOCIATION_ID }],
    });
    expect(ssmMock.commandCalls(DescribeAssociationExecutionsCommand)[0].args[0].input).toEqual({
      AssociationId: ASSOCIATION_ID,
      Filters: [{ Key: 'CreatedTime', Value: new Date(now - LOOKBACK_SECONDS * 1000).toISOString(), Type: 'GREATER_THAN' }],
      MaxResults: 50,
    });
    expect(ssmMock.commandCalls(DescribeAssociationExecutionTargetsCommand)[0].args[0].input).toEqual({
      AssociationId: ASSOCIATION_ID,
      ExecutionId: EXECUTION_ID,
      MaxResults: 50,
    });
    // InstanceIds=*: every managed node, no filter.
    expect(ssmMock.commandCalls(DescribeInstanceInformationCommand)[0].args[0].input).toEqual({ MaxResults: 50 });
  });

  it('claims the run in the ledger before reading it, and marks it sent with the message id', async () => {
    const now = Date.parse('2025-03-04T03:00:00Z');
    await createDigestHandler({ sns: new SNSClient({}), ddb: new DynamoDBClient({}), now: () => now })(REQUEST);
    const [put] = ddbMock.commandCalls(PutItemCommand);
    const nowS = now / 1000;
    expect(put.args[0].input).toMatchObject({
      TableName: TABLE,
      Item: {
        runKey: { S: `${ACCOUNT}/${REGION}/${ASSOCIATION_ID}/${EXECUTION_ID}` },
        state: { S: 'claimed' },
        claimedAt: { N: String(nowS) },
        expiresAt: { N: String(nowS + RUN_MEMORY_SECONDS) },
      },
      ConditionExpression: 'attribute_not_exists(runKey) OR (#state = :claimed AND claimedAt < :stale)',
      ExpressionAttributeValues: { ':claimed': { S: 'claimed' }, ':stale': { N: String(nowS - CLAIM_STALE_SECONDS) } },
    });
    expect(put.calledBefore(ssmMock.commandCalls(DescribeAssociationExecutionTargetsCommand)[0])).toBe(true);
    const [update] = ddbMock.commandCalls(UpdateItemCommand);
    expect(update.args[0].input).toMatchObject({
      Key: { runKey: { S: `${ACCOUNT}/${REGION}/${ASSOCIATION_ID}/${EXECUTION_ID}` } },
      ExpressionAttributeValues: { ':sent': { S: 'sent' }, ':messageId': { S: 'msg-1' }, ':token': put.args[0].input.Item!.claimToken },
    });
    expect(ddbMock.commandCalls(DeleteItemCommand)).toHaveLength(0);
  });

  it('the ledger remembers a run longer than the look-back, so it is never mailed twice', () => {
    expect(RUN_MEMORY_SECONDS).toBeGreaterThan(LOOKBACK_SECONDS);
  });

  it('logs one line per run with the counts', async () => {
    await handler(REQUEST);
    expect(logs.find((l) => l.outcome === 'published')).toMatchObject({
      level: 'INFO',
      associationId: ASSOCIATION_ID,
      executionId: EXECUTION_ID,
      succeeded: 1,
      failed: 1,
      neverReported: 1,
      messageId: 'msg-1',
    });
  });
});

describe('agent-update digest: runs not finished, duplicates', () => {
  it.each([
    [
      'the run is in progress',
      run({ Status: 'InProgress', DetailedStatus: 'InProgress', ResourceCountByStatus: '{InProgress=2, Success=1}' }),
    ],
    ['the run is pending', run({ Status: 'Pending', DetailedStatus: 'Pending', ResourceCountByStatus: '{Pending=3}' })],
    ['targets are still pending', run({ Status: 'Success', ResourceCountByStatus: '{Pending=1, Success=2}' })],
  ])('%s: no claim, no mail; a later check mails it', async (_name, execution) => {
    arrangeRun(execution);
    await expect(handler(REQUEST)).resolves.toEqual({ runs: [{ executionId: EXECUTION_ID, outcome: 'run-in-progress' }] });
    expect(ddbMock.commandCalls(PutItemCommand)).toHaveLength(0);
    expect(snsMock.commandCalls(PublishCommand)).toHaveLength(0);
    expect(logs.find((l) => l.outcome === 'run-in-progress')).toMatchObject({ executionId: EXECUTION_ID });

    arrangeRun(run());
    await expect(handler(REQUEST)).resolves.toEqual({ runs: [{ executionId: EXECUTION_ID, outcome: 'published', messageId: 'msg-1' }] });
  });

  it('a duplicate trigger (the run is in the ledger): no second mail', async () => {
    arrangeRun();
    await handler(REQUEST);
    ddbMock
      .on(PutItemCommand)
      .rejects(new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: { httpStatusCode: 400 } }));
    await expect(handler(REQUEST)).resolves.toEqual({ runs: [{ executionId: EXECUTION_ID, outcome: 'already-mailed' }] });
    expect(snsMock.commandCalls(PublishCommand)).toHaveLength(1);
    // Skipped before the expensive reads.
    expect(ssmMock.commandCalls(DescribeAssociationExecutionTargetsCommand)).toHaveLength(1);
  });

  it('several runs in the window: each finished one mailed once, in-progress ones left', async () => {
    arrangeRun();
    const older = '0e1f2a3b-4c5d-4e6f-8a7b-9c0d1e2f3a4b';
    const newer = 'aa11bb22-cc33-4d44-8e55-ff6677889900';
    ssmMock.on(DescribeAssociationExecutionsCommand).resolves({
      AssociationExecutions: [
        run({ ExecutionId: newer, Status: 'InProgress', ResourceCountByStatus: '{InProgress=1}' }),
        run(),
        run({ ExecutionId: older, Status: 'Success', ResourceCountByStatus: '{Success=2}' }),
      ],
    });
    ddbMock.on(PutItemCommand).callsFake((input: { Item: { runKey: { S: string } } }) => {
      if (input.Item.runKey.S.endsWith(older))
        throw new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
      return {};
    });
    const out = await handler(REQUEST);
    expect(out.runs.map((r) => [r.executionId, r.outcome])).toEqual([
      [newer, 'run-in-progress'],
      [EXECUTION_ID, 'published'],
      [older, 'already-mailed'],
    ]);
    expect(snsMock.commandCalls(PublishCommand)).toHaveLength(1);
  });

  it('an association that is gone: nothing to reconcile, a warning', async () => {
    ssmMock.on(ListAssociationsCommand).resolves({ Associations: [] });
    await expect(handler(REQUEST)).resolves.toEqual({ runs: [] });
    expect(ssmMock.commandCalls(DescribeAssociationExecutionsCommand)).toHaveLength(0);
    expect(logs.find((l) => l.outcome === 'association-not-found')).toMatchObject({ level: 'WARN', associationId: ASSOCIATION_ID });
  });
});

describe('agent-update digest: paging', () => {
  it('reads every page of runs, targets and managed nodes', async () => {
    arrangeRun();
    const ids = Array.from({ length: 120 }, (_, i) => `i-0${i.toString(16).padStart(16, '0')}`);
    ssmMock
      .on(DescribeAssociationExecutionsCommand)
      .resolvesOnce({ AssociationExecutions: [], NextToken: 'runs-2' })
      .resolvesOnce({ AssociationExecutions: [run({ ResourceCountByStatus: '{Failed=1, Success=117}' })] });
    ssmMock
      .on(DescribeAssociationExecutionTargetsCommand)
      .resolvesOnce({ AssociationExecutionTargets: ids.slice(0, 50).map((id) => target(id, 'Success')), NextToken: 't-2' })
      .resolvesOnce({ AssociationExecutionTargets: ids.slice(50, 100).map((id) => target(id, 'Success')), NextToken: 't-3' })
      .resolvesOnce({
        AssociationExecutionTargets: [...ids.slice(100, 117).map((id) => target(id, 'Success')), target(ids[117], 'Failed')],
      });
    ssmMock
      .on(DescribeInstanceInformationCommand)
      .resolvesOnce({ InstanceInformationList: ids.slice(0, 50).map((id) => node(id, 'n')), NextToken: 'n-2' })
      .resolvesOnce({ InstanceInformationList: ids.slice(50, 100).map((id) => node(id, 'n')), NextToken: 'n-3' })
      .resolvesOnce({
        InstanceInformationList: ids.slice(100).map((id, i) => node(id, 'n', i >= 18 ? { PingStatus: 'ConnectionLost' } : {})),
      });
    await handler(REQUEST);
    expect(ssmMock.commandCalls(DescribeAssociationExecutionsCommand)[1].args[0].input).toMatchObject({ NextToken: 'runs-2' });
    expect(ssmMock.commandCalls(DescribeAssociationExecutionTargetsCommand).map((c) => c.args[0].input.NextToken)).toEqual([
      undefined,
      't-2',
      't-3',
    ]);
    expect(ssmMock.commandCalls(DescribeInstanceInformationCommand).map((c) => c.args[0].input.NextToken)).toEqual([
      undefined,
      'n-2',
      'n-3',
    ]);
    expect(published().Subject).toBe('[prod ap-northeast-1] SSM Agent update run: 1 failed, 2 never reported, 117 succeeded');
    expect(published().Message).toMatch(new RegExp(`Never reported \\(2\\)[\\s\\S]*${ids[118]}[\\s\\S]*${ids[119]}`));
  });
});

describe('agent-update digest: failures retry and dead-letter, never drop the run', () => {
  it.each([
    [
      'DescribeAssociationExecutionTargets throttled',
      () =>
        ssmMock
          .on(DescribeAssociationExecutionTargetsCommand)
          .rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' })),
      /Rate exceeded/,
    ],
    [
      'DescribeInstanceInformation denied',
      () =>
        ssmMock
          .on(DescribeInstanceInformationCommand)
          .rejects(Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' })),
      /not authorized/,
    ],
    [
      'publish fails',
      () => snsMock.on(PublishCommand).rejects(Object.assign(new Error('KMS key disabled'), { name: 'KMSDisabledException' })),
      /KMS key disabled/,
    ],
  ])('%s: rejects (Lambda retries, then dead-letters) and releases the claim for the retry', async (_name, arrange, message) => {
    arrangeRun();
    arrange();
    await expect(handler(REQUEST)).rejects.toThrow(message);
    const [put] = ddbMock.commandCalls(PutItemCommand);
    const [del] = ddbMock.commandCalls(DeleteItemCommand);
    expect(del.args[0].input).toEqual({
      TableName: TABLE,
      Key: { runKey: put.args[0].input.Item!.runKey },
      ConditionExpression: 'claimToken = :token',
      ExpressionAttributeValues: { ':token': put.args[0].input.Item!.claimToken },
    });
    expect(ddbMock.commandCalls(UpdateItemCommand)).toHaveLength(0);
    expect(logs.find((l) => l.outcome === 'digest-failed')).toMatchObject({
      level: 'ERROR',
      executionId: EXECUTION_ID,
      claimReleased: true,
    });

    // The retry finds the run unclaimed and mails it.
    snsMock.on(PublishCommand).resolves({ MessageId: 'msg-2' });
    arrangeRun();
    await expect(handler(REQUEST)).resolves.toEqual({ runs: [{ executionId: EXECUTION_ID, outcome: 'published', messageId: 'msg-2' }] });
  });

  it.each([
    ['ListAssociations', ListAssociationsCommand],
    ['DescribeAssociationExecutions', DescribeAssociationExecutionsCommand],
  ] as const)('%s fails: rejects before claiming anything', async (_name, command) => {
    arrangeRun();
    ssmMock
      .on(command as typeof ListAssociationsCommand)
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    await expect(handler(REQUEST)).rejects.toThrow('Rate exceeded');
    expect(ddbMock.commandCalls(PutItemCommand)).toHaveLength(0);
    expect(snsMock.commandCalls(PublishCommand)).toHaveLength(0);
  });

  it('the ledger is unavailable: rejects without mailing (a retry or the next check mails it)', async () => {
    arrangeRun();
    ddbMock
      .on(PutItemCommand)
      .rejects(Object.assign(new Error('Throughput exceeds the current capacity'), { name: 'ThrottlingException' }));
    await expect(handler(REQUEST)).rejects.toThrow('Throughput exceeds');
    expect(snsMock.commandCalls(PublishCommand)).toHaveLength(0);
  });

  it('marking the run sent fails after the publish: the invocation succeeds (the mail is out), a warning says it may repeat', async () => {
    arrangeRun();
    ddbMock.on(UpdateItemCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    await expect(handler(REQUEST)).resolves.toEqual({ runs: [{ executionId: EXECUTION_ID, outcome: 'published', messageId: 'msg-1' }] });
    expect(logs.find((l) => l.outcome === 'mark-sent-failed')).toMatchObject({ level: 'WARN', messageId: 'msg-1' });
  });
});

describe('agent-update digest: the mail at fleet scale', () => {
  it('10,000 targets: complete counts, capped lists with "and N more", far under 256 KB', () => {
    const ids = Array.from({ length: 10_000 }, (_, i) => `i-0${i.toString(16).padStart(16, '0')}`);
    const failed = ids.slice(0, 3000).map((id) => target(id, 'Failed', { DetailedStatus: 'TimedOut' }));
    const succeeded = ids.slice(3000, 7000).map((id) => target(id, 'Success'));
    const neverReported = ids.slice(7000).map((id) => node(id, `a-very-long-host-name-${id}`, { PingStatus: 'ConnectionLost' }));
    const nodes = new Map([...ids.slice(0, 7000).map((id) => [id, node(id, `a-very-long-host-name-${id}`)] as const)]);
    const { subject, body } = composeDigest({ association: ASSOCIATION, run: run(), failed, succeeded, neverReported, nodes }, REQUEST, {
      accountName: 'prod',
    });
    expect(subject).toBe('[prod ap-northeast-1] SSM Agent update run: 3000 failed, 3000 never reported, 4000 succeeded');
    expect(body).toContain('Failed or not successful (3000)');
    expect(body).toContain('... and 2,800 more');
    expect(body).toContain('Never reported (3000)');
    expect(body).toContain('... and 3,900 more');
    const bytes = Buffer.byteLength(body, 'utf8');
    expect(bytes).toBeLessThan(150_000);
    // Not cut by the publish guard: the lists end with their own note.
    expect(body).not.toContain('[message cut here');
  });

  it('targets that DescribeInstanceInformation cannot list: never-reported is marked unchecked, not "none"', async () => {
    arrangeRun();
    ssmMock
      .on(ListAssociationsCommand)
      .resolves({ Associations: [{ ...ASSOCIATION, Targets: [{ Key: 'resource-groups:Name', Values: ['web'] }] }] });
    await handler(REQUEST);
    expect(ssmMock.commandCalls(DescribeInstanceInformationCommand)).toHaveLength(0);
    const msg = published();
    expect(msg.Subject).toBe('[prod ap-northeast-1] SSM Agent update run: 1 failed, never-reported unchecked, 1 succeeded');
    expect(msg.Message).toMatch(/Never reported \(not checked\)\n {2}not checked: targets of kind resource-groups:Name/);
  });
});

describe("agent-update digest: target filters (the association's own targets)", () => {
  it.each([
    [[{ Key: 'InstanceIds', Values: ['*'] }], { filters: [] }],
    [[{ Key: 'tag-key', Values: ['Patch Group'] }], { filters: [{ Key: 'tag-key', Values: ['Patch Group'] }] }],
    [[{ Key: 'tag:Patch Group', Values: ['web', 'db'] }], { filters: [{ Key: 'tag:Patch Group', Values: ['web', 'db'] }] }],
    [[{ Key: 'InstanceIds', Values: [WEB, DB] }], { filters: [{ Key: 'InstanceIds', Values: [WEB, DB] }] }],
  ])('%j lists the managed nodes with %j', (targets, expected) => {
    expect(targetFilters(targets)).toEqual(expected);
  });

  it('sends the tag filter to DescribeInstanceInformation', async () => {
    arrangeRun();
    ssmMock
      .on(ListAssociationsCommand)
      .resolves({ Associations: [{ ...ASSOCIATION, Targets: [{ Key: 'tag:Patch Group', Values: ['web'] }] }] });
    await handler(REQUEST);
    expect(ssmMock.commandCalls(DescribeInstanceInformationCommand)[0].args[0].input).toEqual({
      Filters: [{ Key: 'tag:Patch Group', Values: ['web'] }],
      MaxResults: 50,
    });
  });

  it("reads SSM's counts and decides when a run is over", () => {
    expect(countsByStatus('{Failed=1, Success=3}')).toEqual({ Failed: 1, Success: 3 });
    expect(isFinished(run({ Status: 'Success', ResourceCountByStatus: '{Success=3}' }))).toBe(true);
    expect(isFinished(run({ Status: 'Failed', ResourceCountByStatus: '{Failed=1, InProgress=1}' }))).toBe(false);
  });
});

describe('agent-update digest: requests, and the seam for other accounts', () => {
  it('reads the schedule input and an association event alike', () => {
    expect(parseDigestRequest(REQUEST)).toEqual(REQUEST);
    expect(parseDigestRequest(success)).toEqual(REQUEST);
    const stateChange = {
      ...success,
      'detail-type': 'EC2 State Manager Association State Change',
      account: '222222222222',
      detail: { 'association-id': ASSOCIATION_ID, 'document-name': 'AWS-UpdateSSMAgent', status: 'Success' },
    };
    expect(parseDigestRequest(stateChange)).toEqual({ ...REQUEST, account: '222222222222' });
  });

  it('names every problem of a bad request, and mails nothing', async () => {
    expect(() => parseDigestRequest({ account: '1111', region: 'tokyo' })).toThrow(MalformedEventError);
    try {
      parseDigestRequest({ account: '1111', region: 'tokyo' });
    } catch (err) {
      expect((err as MalformedEventError).problems).toEqual([
        'account must be a 12-digit account id, got "1111"',
        'region must be an AWS region, got "tokyo"',
        'associationId must be an association id (UUID), got undefined',
      ]);
    }
    await expect(handler({ ...success, 'detail-type': 'EC2 Command Status-change Notification' })).rejects.toThrow(
      /detail-type must be one of/,
    );
    expect(snsMock.commandCalls(PublishCommand)).toHaveLength(0);
    expect(logs.find((l) => l.outcome === 'malformed-event')).toMatchObject({ level: 'ERROR' });
  });

  it('another account without a client factory: rejects, reads and mails nothing', async () => {
    arrangeRun();
    await expect(handler({ ...REQUEST, account: '222222222222' })).rejects.toThrow(
      'no SSM client for account 222222222222 region ap-northeast-1: this function reads its own account-region (111111111111 ap-northeast-1) only',
    );
    expect(ssmMock.calls()).toHaveLength(0);
    expect(snsMock.commandCalls(PublishCommand)).toHaveLength(0);
  });

  it('a client factory reaches the account-region of the request, and the mail names it', async () => {
    arrangeRun();
    const spoke = new SSMClient({ region: 'us-east-1' });
    const asked: unknown[] = [];
    const hubHandler = createDigestHandler({
      sns: new SNSClient({}),
      ddb: new DynamoDBClient({}),
      ssmFor: (place) => {
        asked.push(place);
        return spoke;
      },
    });
    await hubHandler({ account: '222222222222', region: 'us-east-1', associationId: ASSOCIATION_ID });
    expect(asked).toEqual([{ account: '222222222222', region: 'us-east-1', associationId: ASSOCIATION_ID }]);
    expect(published().Subject).toMatch(/^\[prod us-east-1\] /);
    expect(published().Message).toContain('Account prod (222222222222), region us-east-1');
    expect(ddbMock.commandCalls(PutItemCommand)[0].args[0].input.Item!.runKey).toEqual({
      S: `222222222222/us-east-1/${ASSOCIATION_ID}/${EXECUTION_ID}`,
    });
  });
});
