import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { mockClient } from 'aws-sdk-client-mock';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { DescribeSessionsCommand, SSMClient } from '@aws-sdk/client-ssm';
import { handler } from '../../lambda/session-manager';
import { parseEvent, principalName } from '../../lambda/session-manager/event';
import { notifierHarness } from '../helpers/notifier-harness';

const snsMock = mockClient(SNSClient);
const ssmMock = mockClient(SSMClient);

const TOPIC_ARN = 'arn:aws:sns:ap-northeast-1:111111111111:ssmb-notifications';
const ENV = {
  TOPIC_ARN,
  ACCOUNT_NAME: 'prod',
  TRANSCRIPT_BUCKET: 'ssmb-111111111111-ap-northeast-1-sessions',
  TRANSCRIPT_PREFIX: 'sessionmanager',
  SESSION_LOG_GROUP: '/ssmb/session-manager/sessions',
};
const SESSION = 'alice@example.com-0a1b2c3d4e5f60718';

const fixture = (name: string) => JSON.parse(readFileSync(join(__dirname, 'fixtures', `${name}.json`), 'utf8'));

const { logs, published, settlesAtEnrichmentDeadline } = notifierHarness(snsMock, [ssmMock], ENV);

describe('session notifier: a login', () => {
  it('mails who, target, session, source IP, time, account, region and where the transcript goes', async () => {
    await expect(handler(fixture('start-session'))).resolves.toEqual({ messageId: 'msg-1' });
    const msg = published();
    expect(msg.TopicArn).toBe(TOPIC_ARN);
    expect(msg.Subject).toBe('[prod ap-northeast-1] Session Manager login: i-0123456789abcdef0 by alice@example.com');
    const body = msg.Message!;
    expect(body.split('\n')[0]).toBe('A Session Manager session was started.');
    for (const line of [
      /^Who: +arn:aws:sts::111111111111:assumed-role\/AWSReservedSSO_Operators_0123456789abcdef\/alice@example\.com$/m,
      /^Target: +i-0123456789abcdef0$/m,
      new RegExp(`^Session ID: +${SESSION}$`, 'm'),
      /^Document: +SSM-SessionManagerRunShell$/m,
      /^Reason given: +CHG-1234 rotate nginx logs$/m,
      /^Source IP: +203\.0\.113\.24$/m,
      /^Time \(UTC\): +2026-03-02T01:02:03Z$/m,
      /^Account: +prod \(111111111111\)$/m,
      /^Region: +ap-northeast-1$/m,
      new RegExp(
        `^Transcript: +s3://ssmb-111111111111-ap-northeast-1-sessions/sessionmanager/${SESSION}\\.log \\(uploaded when the session ends\\)$`,
        'm',
      ),
      new RegExp(`^Live log: +CloudWatch Logs /ssmb/session-manager/sessions, stream ${SESSION}$`, 'm'),
      /^Target in console: +https:\/\/ap-northeast-1\.console\.aws\.amazon\.com\/ec2\/.*i-0123456789abcdef0$/m,
      /^CloudTrail event id: c3d2e1f0-/m,
    ]) {
      expect(body).toMatch(line);
    }
    expect(body).not.toMatch(/^Error:/m);
    expect(ssmMock.commandCalls(DescribeSessionsCommand)).toHaveLength(0);
    expect(logs).toContainEqual(
      expect.objectContaining({ outcome: 'published', eventName: 'StartSession', sessionId: SESSION, failed: false }),
    );
  });

  it('names IAM users and hybrid nodes plainly', async () => {
    await handler(fixture('start-session-iam-user'));
    const msg = published();
    expect(msg.Subject).toBe('[prod ap-northeast-1] Session Manager login: mi-0123456789abcdef0 by bob');
    expect(msg.Message).toMatch(/^Target in console: +https:\/\/.*fleet-manager\/managed-nodes\/mi-0123456789abcdef0\//m);
  });
});

describe('session notifier: a failed attempt', () => {
  it('says FAILED first, with the error, and no transcript', async () => {
    await handler(fixture('start-session-failed'));
    const msg = published();
    expect(msg.Subject).toBe('[prod ap-northeast-1] FAILED Session Manager login: i-0fedcba9876543210 by alice@example.com');
    expect(msg.Subject!.length).toBeLessThanOrEqual(100);
    const body = msg.Message!;
    expect(body.split('\n')[0]).toBe('A Session Manager login attempt FAILED (AccessDenied). Check that it was expected.');
    expect(body).toMatch(
      /^Error: +AccessDenied: User: .* is not authorized to perform: ssm:StartSession on resource: .*AWS-StartInteractiveCommand/m,
    );
    expect(body).toMatch(/^Session ID: +none \(the call failed\)$/m);
    expect(body).toMatch(/^Document: +AWS-StartInteractiveCommand$/m);
    expect(body).not.toMatch(/^Transcript:/m);
    expect(logs).toContainEqual(expect.objectContaining({ outcome: 'published', failed: true }));
  });
});

describe('session notifier: a resumed session', () => {
  it('looks the target up by session id', async () => {
    ssmMock
      .on(DescribeSessionsCommand)
      .resolves({ Sessions: [{ SessionId: SESSION, Target: 'i-0123456789abcdef0', Status: 'Connected' }] });
    await handler(fixture('resume-session'));
    const calls = ssmMock.commandCalls(DescribeSessionsCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0].args[0].input).toEqual({ State: 'Active', Filters: [{ key: 'SessionId', value: SESSION }] });
    const msg = published();
    expect(msg.Subject).toBe('[prod ap-northeast-1] Session Manager session resumed: i-0123456789abcdef0 by alice@example.com');
    expect(msg.Message!.split('\n')[0]).toBe('A Session Manager session was resumed.');
    expect(msg.Message).toMatch(/^Target: +i-0123456789abcdef0$/m);
  });

  it('still mails, saying why the target is unknown, when the lookup fails', async () => {
    ssmMock.on(DescribeSessionsCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    await handler(fixture('resume-session'));
    const msg = published();
    expect(msg.Subject).toBe('[prod ap-northeast-1] Session Manager session resumed: unknown target by alice@example.com');
    expect(msg.Message).toMatch(/^Target: +unknown \(DescribeSessions failed: ThrottlingException\)$/m);
    expect(logs).toContainEqual(expect.objectContaining({ level: 'WARN', errorName: 'ThrottlingException', sessionId: SESSION }));
  });

  it('still mails at the enrichment deadline when the lookup hangs, and cancels the request', async () => {
    ssmMock.on(DescribeSessionsCommand).callsFake(() => new Promise(() => undefined));
    await expect(settlesAtEnrichmentDeadline(() => handler(fixture('resume-session')))).resolves.toEqual({ messageId: 'msg-1' });
    const msg = published();
    expect(msg.Subject).toBe('[prod ap-northeast-1] Session Manager session resumed: unknown target by alice@example.com');
    expect(msg.Message).toMatch(/^Target: +unknown \(DescribeSessions failed: TimeoutError\)$/m);
    const [call] = ssmMock.commandCalls(DescribeSessionsCommand);
    expect((call.args as unknown[])[1]).toMatchObject({ abortSignal: expect.objectContaining({ aborted: true }) });
    expect(logs).toContainEqual(expect.objectContaining({ level: 'WARN', errorName: 'TimeoutError', sessionId: SESSION }));
  });

  it('says so when the session is no longer active', async () => {
    ssmMock.on(DescribeSessionsCommand).resolves({ Sessions: [] });
    await handler(fixture('resume-session'));
    expect(published().Message).toMatch(/^Target: +unknown \(the session is no longer active\)$/m);
  });
});

describe('session notifier: nothing is lost silently', () => {
  it('rejects when publishing fails, so Lambda retries and then dead-letters', async () => {
    snsMock.on(PublishCommand).rejects(Object.assign(new Error('KMS key disabled'), { name: 'KMSDisabledException' }));
    await expect(handler(fixture('start-session'))).rejects.toThrow('KMS key disabled');
    expect(logs).toContainEqual(expect.objectContaining({ level: 'ERROR', outcome: 'publish-failed', errorName: 'KMSDisabledException' }));
  });

  it('rejects a malformed event, naming what is missing, and publishes nothing', async () => {
    const bad = fixture('start-session');
    delete bad.detail.userIdentity;
    bad.detail.eventName = 'TerminateSession';
    await expect(handler(bad)).rejects.toThrow(/eventName is "TerminateSession".*userIdentity has no arn/);
    await expect(handler({ hello: 'world' })).rejects.toThrow('detail is missing');
    expect(snsMock.commandCalls(PublishCommand)).toHaveLength(0);
    expect(logs.filter((l) => l.outcome === 'malformed-event')).toHaveLength(2);
  });

  it('fails loudly without its configuration', async () => {
    delete process.env.TOPIC_ARN;
    await expect(handler(fixture('start-session'))).rejects.toThrow('environment variable TOPIC_ARN is not set');
  });
});

describe('session notifier: reading the record', () => {
  it('names principals the way a reader knows them', () => {
    expect(principalName('arn:aws:sts::111111111111:assumed-role/Operators/alice')).toBe('alice');
    expect(principalName('arn:aws:iam::111111111111:user/team/bob')).toBe('bob');
    expect(principalName('arn:aws:iam::111111111111:root')).toBe('root');
    expect(principalName('arn:aws:sts::111111111111:federated-user/carol')).toBe('carol');
  });

  it('takes the session id from the response, or from the request of a resume', () => {
    expect(parseEvent(fixture('start-session')).sessionId).toBe(SESSION);
    const resume = fixture('resume-session');
    delete resume.detail.responseElements;
    expect(parseEvent(resume)).toMatchObject({ eventName: 'ResumeSession', sessionId: SESSION, target: undefined });
    expect(parseEvent(fixture('start-session-failed'))).toMatchObject({
      errorCode: 'AccessDenied',
      sessionId: undefined,
      target: 'i-0fedcba9876543210',
    });
  });
});
