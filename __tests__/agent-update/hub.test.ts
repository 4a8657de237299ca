import { mockClient } from 'aws-sdk-client-mock';
import { SNSClient } from '@aws-sdk/client-sns';
import { DescribeInstanceInformationCommand, ListAssociationsCommand, SSMClient } from '@aws-sdk/client-ssm';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/nested-clients/sts';
import { forgetAssociations, handler } from '../../lambda/agent-update';
import failed from './fixtures/failed.json';
import { notifierHarness } from '../helpers/notifier-harness';

const snsMock = mockClient(SNSClient);
const ssmMock = mockClient(SSMClient);
const stsMock = mockClient(STSClient);

// The hub's notifier (account 333333333333, eu-west-1); the recorded result is from
// account 111111111111, ap-northeast-1.
const ENV = {
  TOPIC_ARN: 'arn:aws:sns:eu-west-1:333333333333:ssmb-hub-notifications',
  ACCOUNT_NAME: 'security',
  ASSOCIATION_NAME: 'ssmb-agent-update',
  DOCUMENT_NAME: 'AWS-UpdateSSMAgent',
  HUB_READ_ROLE_NAME: 'ssmb-hub-read',
  AWS_REGION: 'eu-west-1',
};
const OWN = { AssociationId: '5c5a31f6-6dae-46f9-944c-0123456789ab', AssociationName: 'ssmb-agent-update', Name: 'AWS-UpdateSSMAgent' };
const CREDENTIALS = {
  AccessKeyId: 'ASIAEXAMPLEHUBREAD02',
  SecretAccessKey: 'secret',
  SessionToken: 'token',
  Expiration: new Date('2099-01-01T00:00:00Z'),
};

const { logs, published } = notifierHarness(snsMock, [ssmMock, stsMock], ENV);

describe('association notifier in the hub', () => {
  beforeEach(() => {
    forgetAssociations();
    ssmMock.on(ListAssociationsCommand).resolves({ Associations: [OWN] });
    ssmMock
      .on(DescribeInstanceInformationCommand)
      .resolves({ InstanceInformationList: [{ InstanceId: 'i-0fedcba9876543210', ComputerName: 'db-1' }] });
  });

  it("looks the association and the instance up in the event's account-region, through its read role", async () => {
    stsMock.on(AssumeRoleCommand).resolves({ Credentials: CREDENTIALS });
    await handler(failed);
    expect(stsMock.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input.RoleArn)).toEqual([
      'arn:aws:iam::111111111111:role/ssmb-hub-read',
    ]);
    for (const call of [...ssmMock.commandCalls(ListAssociationsCommand), ...ssmMock.commandCalls(DescribeInstanceInformationCommand)]) {
      expect(await call.thisValue.config.region()).toBe('ap-northeast-1');
      expect((await call.thisValue.config.credentials()).accessKeyId).toBe('ASIAEXAMPLEHUBREAD02');
    }
    expect(logs).toContainEqual(expect.objectContaining({ outcome: 'published', associationConfirmed: true, enriched: true }));
    expect(published().Subject).not.toMatch(/security/);
    expect(published().Subject).toMatch(/111111111111/);
  });

  it('mails the result unconfirmed and unenriched when the read role cannot be assumed', async () => {
    stsMock.on(AssumeRoleCommand).rejects(Object.assign(new Error('not authorized to perform: sts:AssumeRole'), { name: 'AccessDenied' }));
    await expect(handler(failed)).resolves.toEqual({ messageId: 'msg-1' });
    expect(ssmMock.commandCalls(ListAssociationsCommand)).toHaveLength(0);
    expect(logs).toContainEqual(expect.objectContaining({ outcome: 'published', associationConfirmed: false, enriched: false }));
  });
});
