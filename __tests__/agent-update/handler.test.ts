import { mockClient } from 'aws-sdk-client-mock';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { DescribeInstanceInformationCommand, ListAssociationsCommand, SSMClient } from '@aws-sdk/client-ssm';
import { forgetAssociations, handler } from '../../lambda/agent-update';
import { MalformedEventError, parseEvent } from '../../lambda/agent-update/event';
import { composeMessage, subject } from '../../lambda/agent-update/message';
import success from './fixtures/success.json';
import failed from './fixtures/failed.json';
import otherAssociation from './fixtures/other-association.json';
import { notifierHarness } from '../helpers/notifier-harness';

const snsMock = mockClient(SNSClient);
const ssmMock = mockClient(SSMClient);

const TOPIC_ARN = 'arn:aws:sns:ap-northeast-1:111111111111:ssmb-notifications';
const ENV = {
  TOPIC_ARN,
  ACCOUNT_NAME: 'prod',
  ASSOCIATION_NAME: 'ssmb-agent-update',
  DOCUMENT_NAME: 'AWS-UpdateSSMAgent',
  OUTPUT_BUCKET: 'ssmb-111111111111-ap-northeast-1-agent-update',
  OUTPUT_PREFIX: 'agent-update',
};

const webInfo = {
  InstanceId: 'i-0123456789abcdef0',
  ComputerName: 'web-1.ap-northeast-1.compute.internal',
  PlatformType: 'Linux' as const,
  PlatformName: 'Amazon Linux',
  PlatformVersion: '2023',
  AgentVersion: '3.3.2299.0',
  IsLatestVersion: true,
  PingStatus: 'Online' as const,
  IPAddress: '10.0.1.23',
};

const { logs, published, settlesAtEnrichmentDeadline } = notifierHarness(snsMock, [ssmMock], ENV);

/** Our association as ssm:ListAssociations returns it (the fixtures' association id). */
const OWN = {
  AssociationId: '5c5a31f6-6dae-46f9-944c-0123456789ab',
  AssociationName: 'ssmb-agent-update',
  Name: 'AWS-UpdateSSMAgent',
  AssociationVersion: '3',
  ScheduleExpression: 'rate(14 days)',
  Targets: [{ Key: 'InstanceIds', Values: ['*'] }],
};

// Each test starts as a fresh execution environment whose association lookup answers.
beforeEach(() => {
  forgetAssociations();
  ssmMock.on(ListAssociationsCommand).resolves({ Associations: [OWN] });
});

describe('association notifier: Success', () => {
  beforeEach(() => {
    ssmMock.on(DescribeInstanceInformationCommand).resolves({ InstanceInformationList: [webInfo] });
  });

  it('publishes one readable mail to the topic', async () => {
    await expect(handler(success)).resolves.toEqual({ messageId: 'msg-1' });
    const msg = published();
    expect(msg.TopicArn).toBe(TOPIC_ARN);
    expect(msg.Subject).toBe('[prod ap-northeast-1] SSM Agent update Success on web-1 (i-0123456789abcdef0)');
    const body = msg.Message!;
    expect(body).toMatch(/^SSM Agent update Success on web-1 \(i-0123456789abcdef0\)\n/);
    expect(body).toContain('Account prod (111111111111), region ap-northeast-1');
    expect(body).toMatch(/Status: +Success/);
    expect(body).toMatch(/Computer name: +web-1\.ap-northeast-1\.compute\.internal/);
    expect(body).toMatch(/Platform: +Amazon Linux 2023 \(Linux\)/);
    expect(body).toMatch(/Agent version: +3\.3\.2299\.0\n/);
    expect(body).toMatch(/Association id: +5c5a31f6-6dae-46f9-944c-0123456789ab/);
    expect(body).toMatch(/Document: +AWS-UpdateSSMAgent \(version 1\)/);
    expect(body).toMatch(/Executed at: +2025-03-04T02:15:39Z/);
    expect(body).toContain('s3://ssmb-111111111111-ap-northeast-1-agent-update/agent-update/i-0123456789abcdef0/');
    expect(body).toContain(
      'https://ap-northeast-1.console.aws.amazon.com/systems-manager/state-manager/5c5a31f6-6dae-46f9-944c-0123456789ab/description?region=ap-northeast-1',
    );
    expect(body).toContain(
      'https://ap-northeast-1.console.aws.amazon.com/ec2/home?region=ap-northeast-1#InstanceDetails:instanceId=i-0123456789abcdef0',
    );
    // Empty optional fields are left out instead of printed as blanks.
    expect(body).not.toMatch(/Error code:/);
    expect(body).not.toMatch(/Output URL:/);
    // Plain text, not JSON.
    expect(body).not.toContain('{');
  });

  it('asks only for this instance', async () => {
    await handler(success);
    const calls = ssmMock.commandCalls(DescribeInstanceInformationCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0].args[0].input).toEqual({ Filters: [{ Key: 'InstanceIds', Values: ['i-0123456789abcdef0'] }] });
  });

  it('logs one structured line with outcome, ids and latency', async () => {
    await handler(success);
    const line = logs.find((l) => l.outcome === 'published');
    expect(line).toMatchObject({
      level: 'INFO',
      outcome: 'published',
      eventId: success.id,
      associationId: success.detail['association-id'],
      instanceId: success.detail['instance-id'],
      status: 'Success',
      enriched: true,
      messageId: 'msg-1',
    });
    expect(typeof line!.latencyMs).toBe('number');
  });
});

describe('association notifier: Failed', () => {
  beforeEach(() => {
    ssmMock.on(DescribeInstanceInformationCommand).resolves({
      InstanceInformationList: [
        {
          InstanceId: 'i-0fedcba9876543210',
          ComputerName: 'EC2AMAZ-DB01',
          PlatformType: 'Windows',
          PlatformName: 'Microsoft Windows Server 2022 Datacenter',
          AgentVersion: '3.1.459.0',
          IsLatestVersion: false,
          PingStatus: 'Online',
        },
      ],
    });
  });

  it('says what failed, where to look and what to do', async () => {
    await handler(failed);
    const msg = published();
    expect(msg.Subject).toBe('[prod ap-northeast-1] SSM Agent update Failed on EC2AMAZ-DB01 (i-0fedcba9876543210)');
    const body = msg.Message!;
    expect(body).toMatch(/Status: +Failed/);
    expect(body).toMatch(/Detailed status: +Failed/);
    expect(body).toMatch(/Error code: +1/);
    expect(body).toContain('Failed to update amazon-ssm-agent to 100000');
    expect(body).toMatch(/Last success: +2025-02-18T09:02:55Z/);
    expect(body).toMatch(/Agent version: +3\.1\.459\.0 \(not the latest\)/);
    expect(body).toMatch(/Platform: +Microsoft Windows Server 2022 Datacenter \(Windows\)/);
    expect(body).toContain('What to do');
    expect(body).toContain('stdout');
    expect(body).toContain('s3://ssmb-111111111111-ap-northeast-1-agent-update/agent-update/i-0fedcba9876543210/');
  });
});

describe('association notifier: enrichment failure degrades, never blocks', () => {
  it.each([
    ['throttled', Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }), /ThrottlingException: Rate exceeded/],
    [
      'access denied',
      Object.assign(new Error('not authorized to perform ssm:DescribeInstanceInformation'), { name: 'AccessDeniedException' }),
      /AccessDeniedException/,
    ],
  ])('%s: the mail still goes out with the event facts', async (_name, error, reason) => {
    ssmMock.on(DescribeInstanceInformationCommand).rejects(error);
    await expect(handler(failed)).resolves.toEqual({ messageId: 'msg-1' });
    const msg = published();
    expect(msg.Subject).toBe('[prod ap-northeast-1] SSM Agent update Failed on i-0fedcba9876543210');
    expect(msg.Message).toMatch(/Instance id: +i-0fedcba9876543210/);
    expect(msg.Message).toMatch(reason);
    expect(msg.Message).toMatch(/Association id: +5c5a31f6/);
    expect(logs.find((l) => l.level === 'WARN')).toMatchObject({ instanceId: 'i-0fedcba9876543210', errorName: error.name });
    expect(logs.find((l) => l.outcome === 'published')).toMatchObject({ enriched: false });
  });

  it('a call that hangs: gives up at the enrichment deadline, cancels the request and still sends', async () => {
    ssmMock.on(DescribeInstanceInformationCommand).callsFake(() => new Promise(() => undefined));
    await expect(settlesAtEnrichmentDeadline(() => handler(failed))).resolves.toEqual({ messageId: 'msg-1' });
    const msg = published();
    expect(msg.Subject).toBe('[prod ap-northeast-1] SSM Agent update Failed on i-0fedcba9876543210');
    expect(msg.Message).toMatch(
      /DescribeInstanceInformation failed: TimeoutError: DescribeInstanceInformation did not answer within 3000 ms/,
    );
    const [call] = ssmMock.commandCalls(DescribeInstanceInformationCommand);
    expect((call.args as unknown[])[1]).toMatchObject({ abortSignal: expect.objectContaining({ aborted: true }) });
    expect(logs.find((l) => l.outcome === 'published')).toMatchObject({ enriched: false });
  });

  it('instance gone: says so and still sends', async () => {
    ssmMock.on(DescribeInstanceInformationCommand).resolves({ InstanceInformationList: [] });
    await handler(success);
    expect(published().Message).toContain('no longer a managed node');
  });
});

describe('association notifier: publish failure', () => {
  it('rejects, so Lambda retries and finally dead-letters', async () => {
    ssmMock.on(DescribeInstanceInformationCommand).resolves({ InstanceInformationList: [webInfo] });
    snsMock.on(PublishCommand).rejects(Object.assign(new Error('KMS key disabled'), { name: 'KMSDisabledException' }));
    await expect(handler(success)).rejects.toThrow('KMS key disabled');
    expect(logs.find((l) => l.outcome === 'publish-failed')).toMatchObject({
      level: 'ERROR',
      eventId: success.id,
      instanceId: 'i-0123456789abcdef0',
      errorName: 'KMSDisabledException',
    });
  });
});

describe('association notifier: malformed events', () => {
  it.each([
    ['not an object', 'hello', /expected a JSON object/],
    ['another detail-type', { ...success, 'detail-type': 'EC2 Command Status-change Notification' }, /detail-type must be/],
    ['no detail', { ...success, detail: undefined }, /detail is missing/],
    ['no instance id', { ...success, detail: { ...success.detail, 'instance-id': '' } }, /detail\.instance-id must be a non-empty string/],
    ['bad instance id', { ...success, detail: { ...success.detail, 'instance-id': 'web-1' } }, /not a managed instance id/],
    ['numeric status', { ...success, detail: { ...success.detail, status: 1 } }, /detail\.status must be a non-empty string/],
  ])('%s: rejects with a clear error and publishes nothing', async (_name, event, message) => {
    await expect(handler(event)).rejects.toThrow(message);
    expect(snsMock.commandCalls(PublishCommand)).toHaveLength(0);
    expect(ssmMock.commandCalls(DescribeInstanceInformationCommand)).toHaveLength(0);
    expect(logs.find((l) => l.outcome === 'malformed-event')).toMatchObject({ level: 'ERROR' });
  });

  it('names every problem at once', () => {
    try {
      parseEvent({ source: 'aws.ec2', detail: {} });
      throw new Error('should have thrown');
    } catch (err) {
      expect(err).toBeInstanceOf(MalformedEventError);
      const problems = (err as MalformedEventError).problems;
      expect(problems).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^source must be "aws\.ssm"/),
          expect.stringMatching(/^detail-type must be/),
          expect.stringMatching(/^id must be/),
          expect.stringMatching(/^detail\.association-id/),
          expect.stringMatching(/^detail\.instance-id/),
          expect.stringMatching(/^detail\.status/),
        ]),
      );
    }
  });

  it('a missing environment variable fails loudly, before anything is sent', async () => {
    delete process.env.TOPIC_ARN;
    await expect(handler(success)).rejects.toThrow('environment variable TOPIC_ARN is not set');
    expect(snsMock.commandCalls(PublishCommand)).toHaveLength(0);
  });
});

describe('association notifier: subject', () => {
  const r = parseEvent(failed);
  const settings = { accountName: 'production-eu' };

  it('stays within 100 printable ASCII characters, keeping account, status and instance id', () => {
    const long = subject(r, settings, { ComputerName: `${'a'.repeat(200)}.example.internal` });
    expect(long.length).toBeLessThanOrEqual(100);
    expect(long).toMatch(/^\[production-eu ap-northeast-1\] SSM Agent update Failed on a+\.\.\. \(i-0fedcba9876543210\)$/);
    const odd = subject(r, settings, { ComputerName: 'wéb\tserver' });
    expect(odd).toMatch(/^[\x20-\x7e]+$/);
  });

  it('uses the hybrid node name when there is no computer name', () => {
    expect(subject(r, settings, { Name: 'onprem-db' })).toContain('on onprem-db (i-0fedcba9876543210)');
  });

  it('the body lists output and links without an output bucket too', () => {
    const { body } = composeMessage(r, { accountName: 'prod' }, { ok: false, reason: 'x' });
    expect(body).not.toContain('s3://');
    expect(body).toContain('Managed node:');
  });
});

describe('association notifier: only results of its own association', () => {
  beforeEach(() => {
    ssmMock.on(DescribeInstanceInformationCommand).resolves({ InstanceInformationList: [webInfo] });
  });

  it('looks its association up by name, least data: ListAssociations filtered on AssociationName', async () => {
    await handler(success);
    const calls = ssmMock.commandCalls(ListAssociationsCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0].args[0].input).toEqual({ AssociationFilterList: [{ key: 'AssociationName', value: 'ssmb-agent-update' }] });
    expect(published().Subject).toContain('Success');
  });

  it('drops a result of another AWS-UpdateSSMAgent association, publishing nothing, and says why', async () => {
    await expect(handler(otherAssociation)).resolves.toEqual({});
    expect(snsMock.commandCalls(PublishCommand)).toHaveLength(0);
    expect(ssmMock.commandCalls(DescribeInstanceInformationCommand)).toHaveLength(0);
    expect(logs).toEqual([
      expect.objectContaining({
        level: 'INFO',
        outcome: 'other-association',
        eventId: otherAssociation.id,
        associationId: 'e1f2a3b4-c5d6-4e7f-8091-a2b3c4d5e6f7',
        associationName: 'ssmb-agent-update',
        ownAssociationIds: ['5c5a31f6-6dae-46f9-944c-0123456789ab'],
      }),
    ]);
  });

  it('asks once per execution environment for its own id, and again for every id it does not own', async () => {
    await handler(success);
    await handler(failed);
    await handler(otherAssociation);
    await handler(otherAssociation);
    // success and failed share our id (one lookup); a foreign id is never remembered as
    // foreign: a lookup that ran before a replacement association was listed must not
    // drop that association's results for the life of the environment.
    expect(ssmMock.commandCalls(ListAssociationsCommand)).toHaveLength(3);
    expect(snsMock.commandCalls(PublishCommand)).toHaveLength(2);
  });

  it('follows a replaced association: a new id of the same name is looked up and mailed', async () => {
    await handler(success);
    const replaced = { ...OWN, AssociationId: '0b6d1c2e-7f8a-4b9c-8d0e-1f2a3b4c5d6e' };
    ssmMock.on(ListAssociationsCommand).resolves({ Associations: [replaced] });
    await handler({ ...success, detail: { ...success.detail, 'association-id': replaced.AssociationId } });
    expect(snsMock.commandCalls(PublishCommand)).toHaveLength(2);
  });

  it('reads every page and matches name and document exactly', async () => {
    ssmMock
      .on(ListAssociationsCommand)
      .resolvesOnce({
        Associations: [{ ...OWN, AssociationId: 'aaaaaaaa-0000-4000-8000-000000000001', AssociationName: 'ssmb-agent-update-old' }],
        NextToken: 'p2',
      })
      .resolvesOnce({ Associations: [{ ...OWN, AssociationId: 'aaaaaaaa-0000-4000-8000-000000000002', Name: 'AWS-RunShellScript' }, OWN] });
    await handler(success);
    expect(ssmMock.commandCalls(ListAssociationsCommand)[1].args[0].input).toMatchObject({ NextToken: 'p2' });
    expect(snsMock.commandCalls(PublishCommand)).toHaveLength(1);
  });

  it.each([
    [
      'access denied',
      () => ssmMock.on(ListAssociationsCommand).rejects(Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' })),
      /AccessDeniedException: not authorized/,
    ],
    [
      'no association of that name (yet)',
      () => ssmMock.on(ListAssociationsCommand).resolves({ Associations: [] }),
      /no AWS-UpdateSSMAgent association named ssmb-agent-update/,
    ],
  ])('lookup fails (%s): the mail still goes out, saying the association is unconfirmed', async (_name, arrange, reason) => {
    arrange();
    await expect(handler(otherAssociation)).resolves.toEqual({ messageId: 'msg-1' });
    const body = published().Message!;
    expect(body).toMatch(/Association check: +not confirmed/);
    expect(body).toMatch(reason);
    expect(logs.find((l) => l.level === 'WARN')).toMatchObject({
      outcome: 'association-unconfirmed',
      associationId: 'e1f2a3b4-c5d6-4e7f-8091-a2b3c4d5e6f7',
    });
    expect(logs.find((l) => l.outcome === 'published')).toMatchObject({ associationConfirmed: false });
  });

  it('a failed lookup is not remembered: the next event asks again', async () => {
    ssmMock
      .on(ListAssociationsCommand)
      .rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }))
      .resolves({ Associations: [OWN] });
    await handler(success);
    await handler(otherAssociation);
    expect(ssmMock.commandCalls(ListAssociationsCommand)).toHaveLength(2);
    expect(snsMock.commandCalls(PublishCommand)).toHaveLength(1);
  });
});
