import { mockClient } from 'aws-sdk-client-mock';
import { SNSClient } from '@aws-sdk/client-sns';
import { DescribeInstanceInformationCommand, ListAssociationsCommand, SSMClient } from '@aws-sdk/client-ssm';
import { forgetAssociations, handler } from '../../lambda/agent-update';
import failed from './fixtures/failed.json';
import { notifierHarness } from '../helpers/notifier-harness';
import { HUB_ENV, hubReadMock } from '../helpers/hub-read';

const snsMock = mockClient(SNSClient);
const ssmMock = mockClient(SSMClient);
const read = hubReadMock();

// The hub's notifier (account 333333333333, eu-west-1); the recorded result is from
// account 111111111111, ap-northeast-1.
const ENV = { ...HUB_ENV, ASSOCIATION_NAME: 'ssmb-agent-update', DOCUMENT_NAME: 'AWS-UpdateSSMAgent' };
const OWN = { AssociationId: '5c5a31f6-6dae-46f9-944c-0123456789ab', AssociationName: 'ssmb-agent-update', Name: 'AWS-UpdateSSMAgent' };

const { logs, published } = notifierHarness(snsMock, [ssmMock, read.sts], ENV);

describe('association notifier in the hub', () => {
  beforeEach(() => {
    forgetAssociations();
    ssmMock.on(ListAssociationsCommand).resolves({ Associations: [OWN] });
    ssmMock
      .on(DescribeInstanceInformationCommand)
      .resolves({ InstanceInformationList: [{ InstanceId: 'i-0fedcba9876543210', ComputerName: 'db-1' }] });
  });

  it("looks the association and the instance up in the event's account-region, through its read role", async () => {
    read.grants('ASIAEXAMPLEHUBREAD02');
    await handler(failed);
    expect(read.requests().map((r) => r.RoleArn)).toEqual(['arn:aws:iam::111111111111:role/ssmb-hub-read']);
    for (const call of [...ssmMock.commandCalls(ListAssociationsCommand), ...ssmMock.commandCalls(DescribeInstanceInformationCommand)]) {
      expect(await call.thisValue.config.region()).toBe('ap-northeast-1');
      expect((await call.thisValue.config.credentials()).accessKeyId).toBe('ASIAEXAMPLEHUBREAD02');
    }
    expect(logs).toContainEqual(expect.objectContaining({ outcome: 'published', associationConfirmed: true, enriched: true }));
    expect(published().Subject).not.toMatch(/security/);
    expect(published().Subject).toMatch(/111111111111/);
  });

  it('mails the result unconfirmed and unenriched when the read role cannot be assumed', async () => {
    read.denies();
    await expect(handler(failed)).resolves.toEqual({ messageId: 'msg-1' });
    expect(ssmMock.commandCalls(ListAssociationsCommand)).toHaveLength(0);
    expect(logs).toContainEqual(expect.objectContaining({ outcome: 'published', associationConfirmed: false, enriched: false }));
  });
});
