import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { mockClient } from 'aws-sdk-client-mock';
import { DescribeImagesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { forgetSpokeClients, handler } from '../../lambda/ami-alerts';
import { notifierHarness } from '../helpers/notifier-harness';
import { HUB_ENV, hubReadMock } from '../helpers/hub-read';

const ec2Mock = mockClient(EC2Client);
const snsMock = mockClient(SNSClient);
const ddbMock = mockClient(DynamoDBClient);
const read = hubReadMock();

// The hub's AMI notifier (333333333333, eu-west-1), no image memory; the sample is from 111111111111, ap-northeast-1.
const ENV = { ...HUB_ENV, WATCHED_TAGS: JSON.stringify([{ key: 'Release', value: 'golden' }]) };
const available = () => JSON.parse(readFileSync(join(__dirname, 'fixtures', 'ami-available.json'), 'utf8'));

const { published } = notifierHarness(snsMock, [ec2Mock, ddbMock, read.sts], ENV);

describe('AMI notifier in the hub', () => {
  beforeEach(() => forgetSpokeClients());

  it("reads the image's tags in the event's account-region through its read role", async () => {
    read.grants('ASIAEXAMPLEHUBREAD03');
    ec2Mock.on(DescribeImagesCommand).resolves({
      Images: [{ ImageId: 'ami-0a1b2c3d4e5f60718', Name: 'web-base', State: 'available', Tags: [{ Key: 'Release', Value: 'golden' }] }],
    });
    await expect(handler(available())).resolves.toMatchObject({ notified: true });
    expect(read.requests().map((r) => r.RoleArn)).toEqual(['arn:aws:iam::111111111111:role/ssmb-hub-read']);
    const call = ec2Mock.commandCalls(DescribeImagesCommand)[0];
    expect(await call.thisValue.config.region()).toBe('ap-northeast-1');
    expect((await call.thisValue.config.credentials()).accessKeyId).toBe('ASIAEXAMPLEHUBREAD03');
    expect(published().Message).not.toMatch(/security/);
  });

  it('fails the invocation (retried, then dead-lettered) when the role cannot be assumed: the decision needs the tags', async () => {
    read.denies();
    await expect(handler(available())).rejects.toThrow(/AssumeRole/);
    expect(ec2Mock.commandCalls(DescribeImagesCommand)).toHaveLength(0);
  });
});
