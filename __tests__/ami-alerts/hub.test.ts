import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { mockClient } from 'aws-sdk-client-mock';
import { DescribeImagesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/nested-clients/sts';
import { forgetSpokeClients, handler } from '../../lambda/ami-alerts';
import { notifierHarness } from '../helpers/notifier-harness';

const ec2Mock = mockClient(EC2Client);
const snsMock = mockClient(SNSClient);
const ddbMock = mockClient(DynamoDBClient);
const stsMock = mockClient(STSClient);

// The hub's AMI notifier (333333333333, eu-west-1), no image memory; the sample is from 111111111111, ap-northeast-1.
const ENV = {
  TOPIC_ARN: 'arn:aws:sns:eu-west-1:333333333333:ssmb-hub-notifications',
  ACCOUNT_NAME: 'security',
  WATCHED_TAGS: JSON.stringify([{ key: 'Release', value: 'golden' }]),
  HUB_READ_ROLE_NAME: 'ssmb-hub-read',
  AWS_REGION: 'eu-west-1',
};
const available = () => JSON.parse(readFileSync(join(__dirname, 'fixtures', 'ami-available.json'), 'utf8'));

const { published } = notifierHarness(snsMock, [ec2Mock, ddbMock, stsMock], ENV);

describe('AMI notifier in the hub', () => {
  beforeEach(() => forgetSpokeClients());

  it("reads the image's tags in the event's account-region through its read role", async () => {
    stsMock.on(AssumeRoleCommand).resolves({
      Credentials: {
        AccessKeyId: 'ASIAEXAMPLEHUBREAD03',
        SecretAccessKey: 's',
        SessionToken: 't',
        Expiration: new Date('2099-01-01T00:00:00Z'),
      },
    });
    ec2Mock.on(DescribeImagesCommand).resolves({
      Images: [{ ImageId: 'ami-0a1b2c3d4e5f60718', Name: 'web-base', State: 'available', Tags: [{ Key: 'Release', Value: 'golden' }] }],
    });
    await expect(handler(available())).resolves.toMatchObject({ notified: true });
    expect(stsMock.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input.RoleArn)).toEqual([
      'arn:aws:iam::111111111111:role/ssmb-hub-read',
    ]);
    const call = ec2Mock.commandCalls(DescribeImagesCommand)[0];
    expect(await call.thisValue.config.region()).toBe('ap-northeast-1');
    expect((await call.thisValue.config.credentials()).accessKeyId).toBe('ASIAEXAMPLEHUBREAD03');
    expect(published().Message).not.toMatch(/security/);
  });

  it('fails the invocation (retried, then dead-lettered) when the role cannot be assumed: the decision needs the tags', async () => {
    stsMock.on(AssumeRoleCommand).rejects(Object.assign(new Error('not authorized to perform: sts:AssumeRole'), { name: 'AccessDenied' }));
    await expect(handler(available())).rejects.toThrow(/AssumeRole/);
    expect(ec2Mock.commandCalls(DescribeImagesCommand)).toHaveLength(0);
  });
});
