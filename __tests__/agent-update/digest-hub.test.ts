import { mockClient } from 'aws-sdk-client-mock';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import {
  DescribeAssociationExecutionTargetsCommand,
  DescribeAssociationExecutionsCommand,
  DescribeInstanceInformationCommand,
  ListAssociationsCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import { AssumeRoleCommand } from '@aws-sdk/nested-clients/sts';
import { DeleteItemCommand, DynamoDBClient, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { SpokesNotCheckedError, createDigestHandler } from '../../lambda/agent-update/digest';
import { parseHubDigestRequest } from '../../lambda/agent-update/digest/request';
import { MalformedEventError } from '../../lambda/shared/handler';
import { notifierHarness } from '../helpers/notifier-harness';
import { HUB_ENV, accessDenied, hubReadMock, readRoleCredentials } from '../helpers/hub-read';

const snsMock = mockClient(SNSClient);
const ssmMock = mockClient(SSMClient);
const ddbMock = mockClient(DynamoDBClient);
const read = hubReadMock();

// The hub's digest (account 333333333333, eu-west-1), as the hub stack configures it.
const ENV = { ...HUB_ENV, ACCOUNT_ID: '333333333333', RUNS_TABLE: 'ssmb-hub-agent-update-digests' };
const { logs } = notifierHarness(snsMock, [ssmMock, ddbMock, read.sts], ENV);

// staging (222222222222) has not deployed its read role yet; the hub account's own region is a spoke too.
const REQUEST = {
  associationName: 'ssmb-agent-update',
  spokes: [
    { account: '111111111111', region: 'eu-west-1' },
    { account: '222222222222', region: 'eu-west-1' },
    { account: '111111111111', region: 'us-east-1' },
    { account: '333333333333', region: 'eu-west-1' },
  ],
};
/** Each spoke's association has its own id (SSM makes it); the hub finds it by name. */
const ASSOCIATION_IDS: Record<string, string> = {
  '111111111111/eu-west-1': '5c5a31f6-6dae-46f9-944c-0123456789ab',
  '111111111111/us-east-1': '0b7e4c9d-2f1a-4e3b-9c8d-7a6b5c4d3e2f',
  '333333333333/eu-west-1': '9f8e7d6c-5b4a-4321-8fed-cba987654321',
};
const EXECUTION_ID = '7d9c2b1a-3e4f-4a5b-8c6d-0e1f2a3b4c5d';
const KEY_ID: Record<string, string> = { '111111111111': 'ASIAEXAMPLEPRODREAD1', '333333333333': 'ASIAEXAMPLEHUBREAD01' };
const NOW = new Date('2025-03-04T03:00:00Z').getTime();

/** The account-region a mocked SSM call was made for, from the client that made it. */
async function placeOf(client: SSMClient): Promise<string> {
  const credentials = await client.config.credentials();
  const account = Object.entries(KEY_ID).find(([, key]) => key === credentials.accessKeyId)?.[0] ?? 'unassumed';
  return `${account}/${await client.config.region()}`;
}

beforeEach(() => {
  ddbMock.on(PutItemCommand).resolves({});
  ddbMock.on(UpdateItemCommand).resolves({});
  ddbMock.on(DeleteItemCommand).resolves({});
  read.sts.on(AssumeRoleCommand).callsFake((input: { RoleArn: string }) => {
    const account = input.RoleArn.split(':')[4];
    if (!KEY_ID[account])
      throw accessDenied(
        `User: arn:aws:sts::333333333333:assumed-role/ssmb-hub-agent-update-digest-eu-west-1/ssmb-hub-agent-update-digest is not authorized to perform: sts:AssumeRole on resource: ${input.RoleArn}`,
      );
    return { Credentials: readRoleCredentials(KEY_ID[account]) };
  });
  ssmMock.on(ListAssociationsCommand).callsFake(async (input, getClient) => {
    const id = ASSOCIATION_IDS[await placeOf(getClient())];
    expect(input.AssociationFilterList).toEqual([{ key: 'AssociationName', value: 'ssmb-agent-update' }]);
    return {
      Associations: id
        ? [
            {
              AssociationId: id,
              AssociationName: 'ssmb-agent-update',
              Name: 'AWS-UpdateSSMAgent',
              Targets: [{ Key: 'InstanceIds', Values: ['*'] }],
            },
          ]
        : [],
    };
  });
  ssmMock.on(DescribeAssociationExecutionsCommand).callsFake(async (input) => ({
    AssociationExecutions: [
      {
        AssociationId: input.AssociationId,
        ExecutionId: EXECUTION_ID,
        Status: 'Success',
        CreatedTime: new Date('2025-03-04T02:15:00Z'),
        ResourceCountByStatus: '{Success=1}',
      },
    ],
  }));
  ssmMock.on(DescribeAssociationExecutionTargetsCommand).callsFake(async (input) => ({
    AssociationExecutionTargets: [
      { AssociationId: input.AssociationId, ExecutionId: EXECUTION_ID, ResourceId: 'i-0123456789abcdef0', Status: 'Success' },
    ],
  }));
  ssmMock.on(DescribeInstanceInformationCommand).resolves({
    InstanceInformationList: [{ InstanceId: 'i-0123456789abcdef0', ComputerName: 'web-1', PingStatus: 'Online' }],
  });
});

describe('agent-update digest in the hub', () => {
  const digest = () => createDigestHandler({ sns: new SNSClient({}), ddb: new DynamoDBClient({}), now: () => NOW });

  it('mails each reachable spoke, reports the one whose role cannot be assumed as not checked, then fails', async () => {
    const error = (await digest()(REQUEST).catch((e: unknown) => e)) as SpokesNotCheckedError;
    expect(error).toBeInstanceOf(SpokesNotCheckedError);
    expect(error.notChecked).toEqual([
      { account: '222222222222', region: 'eu-west-1', reason: expect.stringMatching(/^AccessDenied: .*sts:AssumeRole/) },
    ]);
    expect(error.message).toMatch(/^1 account-region\(s\) not checked: 222222222222 eu-west-1 \(AccessDenied/);
    // The others were mailed, one mail per run, each naming its account-region.
    const mails = snsMock.commandCalls(PublishCommand).map((c) => c.args[0].input);
    expect(mails.map((m) => m.Subject)).toEqual([
      '[111111111111 eu-west-1] SSM Agent update run: 0 failed, 0 never reported, 1 succeeded',
      '[111111111111 us-east-1] SSM Agent update run: 0 failed, 0 never reported, 1 succeeded',
      '[security eu-west-1] SSM Agent update run: 0 failed, 0 never reported, 1 succeeded',
    ]);
    expect(mails.every((m) => m.TopicArn === ENV.TOPIC_ARN)).toBe(true);
    expect(mails[1].Message).toContain('Account 111111111111, region us-east-1');
    expect(mails[1].Message).toContain(`Association id: ${ASSOCIATION_IDS['111111111111/us-east-1']}`);
    expect(error.outcome.runs).toEqual(
      ['111111111111/eu-west-1', '111111111111/us-east-1', '333333333333/eu-west-1'].map((p) => ({
        account: p.split('/')[0],
        region: p.split('/')[1],
        executionId: EXECUTION_ID,
        outcome: 'published',
        messageId: 'msg-1',
      })),
    );
    // Runs are remembered by the spoke's account, region and association id.
    expect(ddbMock.commandCalls(PutItemCommand).map((c) => c.args[0].input.Item!.runKey.S)).toEqual([
      `111111111111/eu-west-1/${ASSOCIATION_IDS['111111111111/eu-west-1']}/${EXECUTION_ID}`,
      `111111111111/us-east-1/${ASSOCIATION_IDS['111111111111/us-east-1']}/${EXECUTION_ID}`,
      `333333333333/eu-west-1/${ASSOCIATION_IDS['333333333333/eu-west-1']}/${EXECUTION_ID}`,
    ]);
    expect(logs).toContainEqual(
      expect.objectContaining({
        level: 'ERROR',
        outcome: 'spoke-not-checked',
        account: '222222222222',
        region: 'eu-west-1',
        errorName: 'AccessDenied',
      }),
    );
  });

  it("reads every spoke, the hub account's own region too, only through its read role, in the spoke's region", async () => {
    await digest()(REQUEST).catch(() => undefined);
    expect(read.requests().map((r) => [r.RoleArn, r.RoleSessionName])).toEqual([
      ['arn:aws:iam::111111111111:role/ssmb-hub-read', 'ssm-baseline-hub'],
      ['arn:aws:iam::222222222222:role/ssmb-hub-read', 'ssm-baseline-hub'],
      ['arn:aws:iam::111111111111:role/ssmb-hub-read', 'ssm-baseline-hub'],
      ['arn:aws:iam::333333333333:role/ssmb-hub-read', 'ssm-baseline-hub'],
    ]);
    const places = await Promise.all(ssmMock.calls().map((c) => placeOf(c.thisValue as SSMClient)));
    expect(new Set(places)).toEqual(new Set(['111111111111/eu-west-1', '111111111111/us-east-1', '333333333333/eu-west-1']));
  });

  it('succeeds when every spoke is checked, and skips a spoke where the association is not deployed yet', async () => {
    delete ASSOCIATION_IDS['111111111111/us-east-1'];
    try {
      const outcome = await digest()({ ...REQUEST, spokes: REQUEST.spokes.filter((s) => s.account !== '222222222222') });
      expect(outcome.runs.map((r) => `${r.account}/${r.region}`)).toEqual(['111111111111/eu-west-1', '333333333333/eu-west-1']);
      expect(logs).toContainEqual(
        expect.objectContaining({ outcome: 'association-not-found', account: '111111111111', region: 'us-east-1' }),
      );
    } finally {
      ASSOCIATION_IDS['111111111111/us-east-1'] = '0b7e4c9d-2f1a-4e3b-9c8d-7a6b5c4d3e2f';
    }
  });

  it('refuses a malformed hub request by field, and a many-spoke request without the read role', async () => {
    expect(() => parseHubDigestRequest({ associationName: 'x y', spokes: [{ account: '1', region: 'tokyo' }] })).toThrow(
      MalformedEventError,
    );
    expect(() => parseHubDigestRequest({ associationName: 'x y', spokes: [{ account: '1', region: 'tokyo' }] })).toThrow(
      /associationName must be an association name.*spokes\[0\]\.account must be a 12-digit account id.*spokes\[0\]\.region must be an AWS region/s,
    );
    delete process.env.HUB_READ_ROLE_NAME;
    await expect(digest()(REQUEST)).rejects.toThrow(/needs HUB_READ_ROLE_NAME/);
    expect(read.requests()).toHaveLength(0);
  });
});
