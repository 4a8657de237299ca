import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { mockClient } from 'aws-sdk-client-mock';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { DescribeSessionsCommand, SSMClient } from '@aws-sdk/client-ssm';
import { forgetSpokeClients, handler } from '../../lambda/session-manager';
import { notifierHarness } from '../helpers/notifier-harness';
import { HUB_ENV, hubReadMock } from '../helpers/hub-read';

const snsMock = mockClient(SNSClient);
const ssmMock = mockClient(SSMClient);
const read = hubReadMock();

// The hub's login notifier (HUB_ENV: its topic is in the hub account 333333333333, eu-west-1).
const SESSION = 'alice@example.com-0a1b2c3d4e5f60718';
const fixture = (name: string) => JSON.parse(readFileSync(join(__dirname, 'fixtures', `${name}.json`), 'utf8'));
/** A resumed session forwarded from account 111111111111 (ap-northeast-1, the recorded sample). */
const resumed = () => fixture('resume-session');

const { published } = notifierHarness(snsMock, [ssmMock, read.sts], HUB_ENV);

describe('session notifier in the hub: enrichment through the spoke read role', () => {
  beforeEach(() => forgetSpokeClients());
  it("assumes the event's account read role and looks the target up in the event's region", async () => {
    read.grants('ASIAEXAMPLEHUBREAD01');
    ssmMock.on(DescribeSessionsCommand).resolves({ Sessions: [{ SessionId: SESSION, Target: 'i-0123456789abcdef0' }] });
    await handler(resumed());
    expect(read.requests()).toEqual([
      expect.objectContaining({ RoleArn: 'arn:aws:iam::111111111111:role/ssmb-hub-read', RoleSessionName: 'ssm-baseline-hub' }),
    ]);
    const call = ssmMock.commandCalls(DescribeSessionsCommand)[0];
    expect(await call.thisValue.config.region()).toBe('ap-northeast-1');
    expect((await call.thisValue.config.credentials()).accessKeyId).toBe('ASIAEXAMPLEHUBREAD01');
    const msg = published();
    expect(msg.Message).toMatch(/^Target: +i-0123456789abcdef0$/m);
    // The hub's own name never labels another account.
    expect(msg.Message).toMatch(/^Account: +111111111111 \(111111111111\)$/m);
    expect(msg.Subject).not.toMatch(/security/);
  });

  it('degrades to the record facts when the read role cannot be assumed, and still mails', async () => {
    read.denies();
    ssmMock.on(DescribeSessionsCommand).resolves({ Sessions: [{ SessionId: SESSION, Target: 'i-0123456789abcdef0' }] });
    await expect(handler(resumed())).resolves.toEqual({ messageId: 'msg-1' });
    expect(snsMock.commandCalls(PublishCommand)).toHaveLength(1);
    expect(published().Message).toMatch(/^Target: +unknown/m);
  });
});
