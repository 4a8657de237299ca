import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { mockClient } from 'aws-sdk-client-mock';
import { DescribeImagesCommand, EC2Client, Image } from '@aws-sdk/client-ec2';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { AttributeValue, DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { handler } from '../../lambda/ami-alerts';
import { parseWatchedTags } from '../../stacks/capabilities/ami-alerts/env';
import { MAX_LISTED_IMAGES, MAX_OTHER_IDS_CHARS, formatAlert } from '../../lambda/ami-alerts/message';
import { notifierHarness } from '../helpers/notifier-harness';
import { MalformedEventError } from '../../lambda/shared/handler';

const ec2Mock = mockClient(EC2Client);
const snsMock = mockClient(SNSClient);
const ddbMock = mockClient(DynamoDBClient);

const TOPIC_ARN = 'arn:aws:sns:ap-northeast-1:111111111111:ssmb-notifications';
const MEMORY_TABLE = 'ssmb-ami-alerts-images';
const WATCHED = [{ key: 'Release', value: 'golden' }, { key: 'BackupPlan' }];
const ENV = { TOPIC_ARN, ACCOUNT_NAME: 'prod', WATCHED_TAGS: JSON.stringify(WATCHED), IMAGE_MEMORY_TABLE: MEMORY_TABLE };

const fixture = (name: string) => JSON.parse(readFileSync(join(__dirname, 'fixtures', `${name}.json`), 'utf8'));

function image(id: string, over: Partial<Image> = {}): Image {
  return {
    ImageId: id,
    Name: 'web-base-2026-03-02',
    State: 'pending',
    SourceInstanceId: 'i-0123456789abcdef0',
    CreationDate: '2026-03-02T01:15:09.000Z',
    Tags: [
      { Key: 'Release', Value: 'golden' },
      { Key: 'Name', Value: 'web-base' },
    ],
    ...over,
  };
}

const { logs, published, settlesAtEnrichmentDeadline } = notifierHarness(snsMock, [ec2Mock, ddbMock], ENV);

beforeEach(() => {
  // The memory answers and remembers unless a test says otherwise; it holds nothing.
  ddbMock.on(GetItemCommand).resolves({});
  ddbMock.on(PutItemCommand).resolves({});
});

describe('ami notifier: tag at creation (CreateImage)', () => {
  it('publishes who, when, where, the image, its source instance and a console link', async () => {
    ec2Mock.on(DescribeImagesCommand).resolves({ Images: [image('ami-0a1b2c3d4e5f60718')] });
    await expect(handler(fixture('create-image-tagged'))).resolves.toMatchObject({ notified: true, messageId: 'msg-1' });
    const msg = published();
    expect(msg.TopicArn).toBe(TOPIC_ARN);
    expect(msg.Subject).toBe('[prod ap-northeast-1] AMI created: ami-0a1b2c3d4e5f60718 (web-base-2026-03-02)');
    const body = msg.Message!;
    expect(body).toMatch(/^An AMI carrying a watched tag is being created \(CreateImage\)\. It stays pending/);
    expect(body).toMatch(/Matched tags: +Release=golden\n/);
    expect(body).toMatch(/Who: +arn:aws:sts::111111111111:assumed-role\/PlatformAdmin\/alice@example\.com\n/);
    expect(body).toMatch(/Source IP: +203\.0\.113\.24\n/);
    expect(body).toMatch(/When: +2026-03-02T01:15:09Z\n/);
    expect(body).toMatch(/Account: +prod \(111111111111\)\n/);
    expect(body).toMatch(/Region: +ap-northeast-1\n/);
    expect(body).toMatch(/Event: +CreateImage, request 5d2c9a41-7c1e-4c55-9d1e-000000000001/);
    expect(body).toContain('AMI ami-0a1b2c3d4e5f60718\n');
    expect(body).toMatch(/ {2}Name: +web-base-2026-03-02\n/);
    expect(body).toMatch(/ {2}State: +pending\n/);
    expect(body).toMatch(/ {2}Source instance: +i-0123456789abcdef0\n/);
    expect(body).toContain(
      'https://ap-northeast-1.console.aws.amazon.com/ec2/home?region=ap-northeast-1#ImageDetails:imageId=ami-0a1b2c3d4e5f60718',
    );
    expect(body).not.toMatch(/\{"/); // readable text, not raw event JSON
    expect(ec2Mock.commandCalls(DescribeImagesCommand)[0].args[0].input).toMatchObject({
      Filters: [{ Name: 'image-id', Values: ['ami-0a1b2c3d4e5f60718'] }],
    });
    expect(logs).toContainEqual(
      expect.objectContaining({ level: 'INFO', message: 'notification published', imageIds: ['ami-0a1b2c3d4e5f60718'] }),
    );
  });

  it('matches a key watched with any value', async () => {
    ec2Mock.on(DescribeImagesCommand).resolves({ Images: [] });
    await expect(handler(fixture('create-image-any-value'))).resolves.toMatchObject({ notified: true });
    expect(published().Message).toMatch(/Matched tags: +BackupPlan=daily-35d\n/);
  });

  it('degrades to the facts of the event when the image lookup fails', async () => {
    ec2Mock.on(DescribeImagesCommand).rejects(Object.assign(new Error('not authorized'), { name: 'UnauthorizedOperation' }));
    await expect(handler(fixture('create-image-tagged'))).resolves.toMatchObject({ notified: true });
    const body = published().Message!;
    expect(body).toContain('Image details could not be looked up (UnauthorizedOperation)');
    // Name and source instance still come from the CreateImage request, state from the call.
    expect(body).toMatch(/ {2}Name: +web-base-2026-03-02\n/);
    expect(body).toMatch(/ {2}Source instance: +i-0123456789abcdef0\n/);
    expect(body).toMatch(/ {2}State: +pending\n/);
    expect(logs).toContainEqual(
      expect.objectContaining({
        level: 'WARN',
        message: 'image lookup failed; sending the facts of the event',
        errorName: 'UnauthorizedOperation',
      }),
    );
  });

  it('still mails at the enrichment deadline when the lookup hangs, and cancels the request', async () => {
    ec2Mock.on(DescribeImagesCommand).callsFake(() => new Promise(() => undefined));
    await expect(settlesAtEnrichmentDeadline(() => handler(fixture('create-image-tagged')))).resolves.toMatchObject({
      notified: true,
      messageId: 'msg-1',
    });
    const body = published().Message!;
    expect(body).toContain('Image details could not be looked up (TimeoutError)');
    expect(body).toMatch(/ {2}Name: +web-base-2026-03-02\n/);
    const [call] = ec2Mock.commandCalls(DescribeImagesCommand);
    expect((call.args as unknown[])[1]).toMatchObject({ abortSignal: expect.objectContaining({ aborted: true }) });
  });

  it('throws when publishing fails, so Lambda retries and then dead-letters', async () => {
    ec2Mock.on(DescribeImagesCommand).resolves({ Images: [image('ami-0a1b2c3d4e5f60718')] });
    snsMock.on(PublishCommand).rejects(Object.assign(new Error('KMS key disabled'), { name: 'KMSDisabledException' }));
    await expect(handler(fixture('create-image-tagged'))).rejects.toThrow('KMS key disabled');
    expect(logs).toContainEqual(expect.objectContaining({ level: 'ERROR', outcome: 'publish-failed', errorName: 'KMSDisabledException' }));
  });
});

describe('ami notifier: tagged at CopyImage and RegisterImage', () => {
  it('announces a tagged copy with its source image', async () => {
    ec2Mock.on(DescribeImagesCommand).resolves({ Images: [] });
    await expect(handler(fixture('copy-image-tagged'))).resolves.toMatchObject({ notified: true });
    const msg = published();
    expect(msg.Subject).toBe('[prod ap-northeast-1] AMI copied: ami-0e5f60718293a4b5c (web-base-2026-03-02-apne1)');
    expect(msg.Message).toMatch(/^An AMI carrying a watched tag is being copied \(CopyImage\)\. It stays pending/);
    expect(msg.Message).toMatch(/Event: +CopyImage, request 7a3e1c55-2f4b-4d8e-9b6a-000000000011\n/);
    expect(msg.Message).toMatch(/ {2}Source image: +ami-0f1e2d3c4b5a69788 \(us-east-1\)\n/);
    expect(msg.Message).toMatch(/ {2}State: +pending\n/);
  });

  it('announces a tagged registered image', async () => {
    ec2Mock
      .on(DescribeImagesCommand)
      .resolves({ Images: [image('ami-0718293a4b5c6d7e8', { Name: 'web-base-2026-03-02-imported', State: 'available' })] });
    await expect(handler(fixture('register-image-tagged'))).resolves.toMatchObject({ notified: true });
    const msg = published();
    expect(msg.Subject).toBe('[prod ap-northeast-1] AMI registered: ami-0718293a4b5c6d7e8 (web-base-2026-03-02-imported)');
    expect(msg.Message).toMatch(/^An AMI carrying a watched tag was registered \(RegisterImage\)\./);
    expect(msg.Message).toMatch(/Matched tags: +BackupPlan=daily-35d\n/);
  });
});

describe('ami notifier: tagged at CreateRestoreImageTask and ImportImage', () => {
  it('announces a tagged restore like a creation: pending, with the stored object it came from, and remembers it', async () => {
    ec2Mock.on(DescribeImagesCommand).resolves({ Images: [] });
    await expect(handler(fixture('restore-image-tagged'))).resolves.toMatchObject({ notified: true });
    const msg = published();
    expect(msg.Subject).toBe('[prod ap-northeast-1] AMI restored: ami-0f60718293a4b5c6d (web-base-2026-03-02-restored)');
    expect(msg.Message).toMatch(/^An AMI carrying a watched tag is being restored from S3 \(CreateRestoreImageTask\)\. It stays pending/);
    expect(msg.Message).toMatch(/Matched tags: +Release=golden\n/);
    expect(msg.Message).toMatch(/Event: +CreateRestoreImageTask, request 9b1f4c27-3e6a-4d2b-8c5f-000000000531\n/);
    expect(msg.Message).toMatch(/ {2}State: +pending\n/);
    expect(msg.Message).toMatch(/ {2}Source image: +s3:\/\/example-ami-archive-111111111111\/ami-0f1e2d3c4b5a69788\.bin\n/);
    expect(ec2Mock.commandCalls(DescribeImagesCommand)[0].args[0].input).toMatchObject({
      Filters: [{ Name: 'image-id', Values: ['ami-0f60718293a4b5c6d'] }],
    });
    expect(ddbMock.commandCalls(PutItemCommand).map((c) => c.args[0].input.Item)).toEqual([
      expect.objectContaining({ imageId: { S: 'ami-0f60718293a4b5c6d' }, path: { S: 'createRestoreImageTask' } }),
    ]);
  });

  it('announces an import by its task id, says the AMI id comes when the task completes, and looks nothing up', async () => {
    await expect(handler(fixture('import-image-tagged'))).resolves.toMatchObject({ notified: true });
    const msg = published();
    expect(msg.Subject).toBe('[prod ap-northeast-1] AMI import started: import-ami-0a1b2c3d4e5f60718');
    const body = msg.Message!;
    expect(body).toMatch(/^An image import whose import task carries a watched tag was started \(ImportImage\)\./);
    expect(body).toContain('The AMI gets its id only when the task completes');
    expect(body).toMatch(/Matched tags: +Release=golden\n/);
    expect(body).toMatch(/Who: +arn:aws:sts::111111111111:assumed-role\/PlatformAdmin\/alice@example\.com\n/);
    expect(body).toMatch(/Event: +ImportImage, request 9b1f4c27-3e6a-4d2b-8c5f-000000000541\n/);
    expect(body).toContain('Import task import-ami-0a1b2c3d4e5f60718\n');
    expect(body).toMatch(/ {2}Description: +web tier appliance 2026\.03\n/);
    expect(body).toMatch(/ {2}Status: +active\n/);
    expect(body).toContain('aws ec2 describe-import-image-tasks --region ap-northeast-1 --import-task-ids import-ami-0a1b2c3d4e5f60718');
    expect(body).not.toMatch(/^AMI ami-/m);
    expect(ec2Mock.commandCalls(DescribeImagesCommand)).toHaveLength(0);
    expect(ddbMock.commandCalls(PutItemCommand)).toHaveLength(0); // no AMI id to remember
    expect(logs).toContainEqual(
      expect.objectContaining({
        level: 'INFO',
        message: 'notification published',
        importTaskId: 'import-ami-0a1b2c3d4e5f60718',
        imageCount: 0,
      }),
    );
  });
});

describe('ami notifier: tag later (CreateTags)', () => {
  it('reports every AMI of a multi-resource call, each with its own details', async () => {
    ec2Mock.on(DescribeImagesCommand).resolves({
      Images: [
        image('ami-0c3d4e5f60718293a', { Name: 'web-nightly', State: 'available' }),
        image('ami-0d4e5f60718293a4b', { Name: 'db-nightly', State: 'available', SourceInstanceId: 'i-0fedcba9876543210' }),
      ],
    });
    await expect(handler(fixture('create-tags-multi'))).resolves.toMatchObject({ notified: true });
    const msg = published();
    expect(msg.Subject).toBe('[prod ap-northeast-1] 2 AMIs tagged: ami-0c3d4e5f60718293a, ami-0d4e5f60718293a4b');
    const body = msg.Message!;
    expect(body).toMatch(/^A watched tag was added to 2 AMIs \(CreateTags\)\./);
    expect(body).toMatch(/Who: +arn:aws:sts::111111111111:assumed-role\/ami-backup-tool\/backup-job-7f3a\n/);
    expect(body).toMatch(
      /AMI ami-0c3d4e5f60718293a\n {2}Name: +web-nightly\n {2}State: +available\n {2}Source instance: +i-0123456789abcdef0\n/,
    );
    expect(body).toMatch(
      /AMI ami-0d4e5f60718293a4b\n {2}Name: +db-nightly\n {2}State: +available\n {2}Source instance: +i-0fedcba9876543210\n/,
    );
    expect(body).not.toContain('snap-');
    expect(ec2Mock.commandCalls(DescribeImagesCommand)[0].args[0].input.Filters).toEqual([
      { Name: 'image-id', Values: ['ami-0c3d4e5f60718293a', 'ami-0d4e5f60718293a4b'] },
    ]);
  });

  it('keeps the subject within SNS limits however many AMIs one call tags', async () => {
    const event = fixture('create-tags-multi');
    event.detail.requestParameters.resourcesSet.items = Array.from({ length: 12 }, (_, i) => ({
      resourceId: `ami-0${String(i).padStart(16, '0')}`,
    }));
    ec2Mock.on(DescribeImagesCommand).resolves({ Images: [] });
    await handler(event);
    const { Subject, Message } = published();
    expect(Subject!.length).toBeLessThanOrEqual(100);
    expect(Subject).toMatch(/^\[prod ap-northeast-1\] 12 AMIs tagged: ami-0/);
    expect(Subject).toMatch(/^[\x20-\x7e]+$/);
    expect(Message!.match(/^AMI ami-/gm)).toHaveLength(12);
  });

  it('describes the first 20 of 1,000 AMIs, looks up only those, lists the rest by id, and stays small', async () => {
    const ids = Array.from({ length: 1000 }, (_, i) => `ami-0${i.toString(16).padStart(16, '0')}`);
    const event = fixture('create-tags-multi');
    event.detail.requestParameters.resourcesSet.items = ids.map((resourceId) => ({ resourceId }));
    ec2Mock
      .on(DescribeImagesCommand)
      .callsFake((input) => ({ Images: input.Filters[0].Values.map((id: string) => image(id, { State: 'available' })) }));
    await expect(handler(event)).resolves.toMatchObject({ notified: true });
    const calls = ec2Mock.commandCalls(DescribeImagesCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0].args[0].input.Filters).toEqual([{ Name: 'image-id', Values: ids.slice(0, MAX_LISTED_IMAGES) }]);
    const { Subject, Message } = published();
    expect(Subject).toMatch(/^\[prod ap-northeast-1\] 1000 AMIs tagged: ami-0/);
    expect(Subject!.length).toBeLessThanOrEqual(100);
    const body = Message!;
    expect(body).toMatch(/^A watched tag was added to 1000 AMIs \(CreateTags\)\./);
    expect(body.match(/^AMI ami-/gm)).toHaveLength(MAX_LISTED_IMAGES);
    expect(body).toContain(`AMI ${ids[19]}\n  Name: `);
    expect(body).not.toContain(`AMI ${ids[20]}`);
    const more = body.split('\n').find((l) => l.startsWith('+'))!;
    expect(more).toBe(`+980 more AMIs (not looked up): ${ids.slice(20).join(', ')}`);
    expect(Buffer.byteLength(body)).toBeLessThan(40_000);
    expect(logs).toContainEqual(
      expect.objectContaining({ outcome: 'published', imageCount: 1000, imageIds: ids.slice(0, MAX_LISTED_IMAGES) }),
    );
  });

  it('bounds the line of further ids however many a record names', () => {
    const ids = Array.from({ length: 5000 }, (_, i) => `ami-0${i.toString(16).padStart(16, '0')}`);
    const { body } = formatAlert({
      kind: 'createTags',
      imageIds: ids,
      matched: [{ key: 'Release', value: 'golden' }],
      images: new Map(),
      region: 'ap-northeast-1',
      accountId: '111111111111',
      eventLabel: 'CreateTags',
    });
    const more = body.split('\n').find((l) => l.startsWith('+'))!;
    expect(more).toMatch(/^\+4980 more AMIs \(not looked up\): ami-0.*, \.\.\. and \d+ more \(see the CloudTrail event\)$/);
    expect(more.length).toBeLessThanOrEqual(MAX_OTHER_IDS_CHARS + 120);
    expect(body.match(/^AMI ami-/gm)).toHaveLength(MAX_LISTED_IMAGES);
  });

  it('shows the state as unknown when the lookup returns nothing for an id', async () => {
    ec2Mock.on(DescribeImagesCommand).resolves({ Images: [] });
    await handler(fixture('create-tags-ami'));
    expect(published().Message).toMatch(/ {2}Name: +\(unknown\)\n {2}State: +\(unknown\)\n/);
  });
});

describe('ami notifier: must not fire', () => {
  it.each([
    'create-image-untagged',
    'create-image-snapshot-only',
    'create-image-tag-on-snapshot-not-image',
    'create-image-crossed',
    'create-image-other-value',
    'create-image-failed',
    'create-tags-snapshot-only',
    'create-tags-crossed',
    'create-tags-other-value',
    'create-tags-failed',
    'copy-image-failed',
    'copy-image-crossed',
    'register-image-failed',
    'restore-image-failed',
    'restore-image-other-value',
    'restore-image-tag-on-snapshot-not-image',
    'restore-image-wrapped-other-value',
    'import-image-failed',
    'import-image-other-value',
    'import-image-crossed',
  ])('%s: no publish, no lookup, one log line saying why', async (name) => {
    const out = await handler(fixture(name));
    expect(out.notified).toBe(false);
    expect(snsMock.commandCalls(PublishCommand)).toHaveLength(0);
    expect(ec2Mock.commandCalls(DescribeImagesCommand)).toHaveLength(0);
    expect(logs).toEqual([
      expect.objectContaining({ level: 'INFO', message: 'no notification', reason: (out as { reason: string }).reason }),
    ]);
  });
});

describe('ami notifier: available / failed (EC2 AMI State Change)', () => {
  it('looks the tags up and announces a watched image that became available', async () => {
    ec2Mock.on(DescribeImagesCommand).resolves({ Images: [image('ami-0a1b2c3d4e5f60718', { State: 'available' })] });
    await expect(handler(fixture('ami-available'))).resolves.toMatchObject({ notified: true });
    const msg = published();
    expect(msg.Subject).toBe('[prod ap-northeast-1] AMI available: ami-0a1b2c3d4e5f60718 (web-base-2026-03-02)');
    expect(msg.Message).toMatch(/^An AMI carrying a watched tag is now available/);
    expect(msg.Message).toMatch(/ {2}State: +available\n/);
    expect(msg.Message).toMatch(/When: +2026-03-02T01:24:52Z\n/);
    expect(msg.Message).not.toMatch(/Who:/); // state changes name nobody; no made-up principal
  });

  it("announces a failed image with EC2's error message", async () => {
    ec2Mock.on(DescribeImagesCommand).resolves({
      Images: [
        image('ami-0a1b2c3d4e5f60718', { State: 'failed', StateReason: { Code: 'Server.InternalError', Message: 'Server.InternalError' } }),
      ],
    });
    await handler(fixture('ami-failed'));
    const msg = published();
    expect(msg.Subject).toBe('[prod ap-northeast-1] AMI FAILED: ami-0a1b2c3d4e5f60718 (web-base-2026-03-02)');
    expect(msg.Message).toMatch(/ {2}Error: +Snapshot creation failed: the volume is in an error state\n/);
  });

  it('stays silent for an image without a watched pair (crossed tags included)', async () => {
    ec2Mock.on(DescribeImagesCommand).resolves({
      Images: [
        image('ami-0a1b2c3d4e5f60718', {
          State: 'available',
          Tags: [
            { Key: 'Release', Value: 'candidate' },
            { Key: 'Channel', Value: 'golden' },
          ],
        }),
      ],
    });
    await expect(handler(fixture('ami-available'))).resolves.toEqual({ notified: false, reason: 'the image carries no watched tag pair' });
    expect(snsMock.commandCalls(PublishCommand)).toHaveLength(0);
  });

  it('stays silent, and says why, when the image is gone', async () => {
    ec2Mock.on(DescribeImagesCommand).resolves({ Images: [] });
    await expect(handler(fixture('ami-failed'))).resolves.toMatchObject({ notified: false });
    expect(logs).toContainEqual(
      expect.objectContaining({ message: 'no notification', reason: 'the image no longer exists, so its tags cannot be read' }),
    );
  });

  it('throws when the tags cannot be read: the decision needs them (retried, then dead-lettered)', async () => {
    ec2Mock.on(DescribeImagesCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'RequestLimitExceeded' }));
    await expect(handler(fixture('ami-available'))).rejects.toThrow('Rate exceeded');
    expect(snsMock.commandCalls(PublishCommand)).toHaveLength(0);
  });

  it('pages through DescribeImages', async () => {
    ec2Mock
      .on(DescribeImagesCommand)
      .resolvesOnce({ Images: [], NextToken: 'page-2' })
      .resolvesOnce({ Images: [image('ami-0a1b2c3d4e5f60718', { State: 'available' })] });
    await expect(handler(fixture('ami-available'))).resolves.toMatchObject({ notified: true });
    expect(ec2Mock.commandCalls(DescribeImagesCommand).map((c) => c.args[0].input.NextToken)).toEqual([undefined, 'page-2']);
  });
});

describe('ami notifier: wiring errors fail loudly', () => {
  it.each([
    [
      'an event type no rule sends',
      { ...fixture('ami-available'), 'detail-type': 'EC2 Instance State-change Notification' },
      /unexpected event "EC2 Instance State-change Notification"/,
    ],
    [
      'a CloudTrail call no rule sends',
      (() => {
        const e = fixture('create-tags-ami');
        e.detail.eventName = 'DeleteTags';
        return e;
      })(),
      /unexpected CloudTrail event "DeleteTags"/,
    ],
    [
      'a state no rule sends',
      { ...fixture('ami-available'), detail: { ImageId: 'ami-0a1b2c3d4e5f60718', State: 'deregistered' } },
      /unexpected EC2 AMI State Change detail/,
    ],
  ])('rejects %s', async (_, event, message) => {
    await expect(handler(event)).rejects.toThrow(message);
  });

  it('rejects a missing or malformed configuration', async () => {
    delete process.env.TOPIC_ARN;
    await expect(handler(fixture('create-tags-ami'))).rejects.toThrow('environment variable TOPIC_ARN is not set');
    process.env.TOPIC_ARN = TOPIC_ARN;
    process.env.WATCHED_TAGS = '[{"Key":"Release"}]';
    await expect(handler(fixture('create-tags-ami'))).rejects.toThrow(/WATCHED_TAGS must be a non-empty list/);
    expect(() => parseWatchedTags('[]')).toThrow(/non-empty/);
    expect(() => parseWatchedTags('{')).toThrow(/not JSON/);
  });
});

describe('ami notifier: an event without detail is malformed', () => {
  it.each([
    ['a CloudTrail record', 'create-image-tagged'],
    ['a state change', 'ami-available'],
  ])('%s without detail: MalformedEventError, logged as malformed-event, nothing looked up or published', async (_, name) => {
    const { detail: _detail, ...event } = fixture(name);
    const err = await handler(event).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MalformedEventError);
    expect((err as Error).message).toMatch(/detail/);
    expect(logs).toEqual([
      expect.objectContaining({ level: 'ERROR', outcome: 'malformed-event', eventId: event.id, errorName: 'MalformedEventError' }),
    ]);
    expect(ec2Mock.commandCalls(DescribeImagesCommand)).toHaveLength(0);
    expect(snsMock.commandCalls(PublishCommand)).toHaveLength(0);
  });
});

/** What the CreateImage record of create-image-tagged.json leaves in the memory. */
const REMEMBERED_CREATE_IMAGE: Record<string, AttributeValue> = {
  imageId: { S: 'ami-0a1b2c3d4e5f60718' },
  path: { S: 'createImage' },
  matched: { L: [{ M: { key: { S: 'Release' }, value: { S: 'golden' } } }] },
  event: { S: 'CreateImage, request 5d2c9a41-7c1e-4c55-9d1e-000000000001' },
  eventTime: { S: '2026-03-02T01:15:09Z' },
  name: { S: 'web-base-2026-03-02' },
  sourceInstanceId: { S: 'i-0123456789abcdef0' },
  // 2026-03-02T01:15:09Z plus 7 days, in epoch seconds (DynamoDB TTL).
  expiresAt: { N: '1773018909' },
};

describe('ami notifier: matched AMIs are remembered for the available / failed mail (DynamoDB)', () => {
  it('remembers a matched CreateImage: the image, its matched pairs, the call and an expiry 7 days after it', async () => {
    ec2Mock.on(DescribeImagesCommand).resolves({ Images: [image('ami-0a1b2c3d4e5f60718')] });
    await expect(handler(fixture('create-image-tagged'))).resolves.toMatchObject({ notified: true });
    const puts = ddbMock.commandCalls(PutItemCommand);
    expect(puts).toHaveLength(1);
    expect(puts[0].args[0].input).toEqual({ TableName: MEMORY_TABLE, Item: REMEMBERED_CREATE_IMAGE });
  });

  it('remembers a copy with its source image, and every AMI of a CreateTags call (never a snapshot)', async () => {
    ec2Mock.on(DescribeImagesCommand).resolves({ Images: [] });
    await handler(fixture('copy-image-tagged'));
    expect(ddbMock.commandCalls(PutItemCommand).map((c) => c.args[0].input.Item)).toEqual([
      expect.objectContaining({
        imageId: { S: 'ami-0e5f60718293a4b5c' },
        path: { S: 'copyImage' },
        name: { S: 'web-base-2026-03-02-apne1' },
        sourceImage: { S: 'ami-0f1e2d3c4b5a69788 (us-east-1)' },
        expiresAt: { N: String(Date.parse('2026-03-02T02:40:31Z') / 1000 + 7 * 86400) },
      }),
    ]);
    ddbMock.resetHistory();
    snsMock.resetHistory();
    await handler(fixture('create-tags-multi'));
    const items = ddbMock.commandCalls(PutItemCommand).map((c) => c.args[0].input.Item!);
    expect(items.map((i) => i.imageId.S)).toEqual(['ami-0c3d4e5f60718293a', 'ami-0d4e5f60718293a4b']);
    for (const item of items) {
      expect(item).toMatchObject({
        path: { S: 'createTags' },
        matched: { L: [{ M: { key: { S: 'Release' }, value: { S: 'golden' } } }] },
        expiresAt: { N: String(Date.parse('2026-03-02T02:04:31Z') / 1000 + 7 * 86400) },
      });
      expect(item.name).toBeUndefined(); // one CreateTags call names no image
    }
  });

  it('remembers nothing for a call that does not match', async () => {
    await expect(handler(fixture('create-image-crossed'))).resolves.toMatchObject({ notified: false });
    expect(ddbMock.commandCalls(PutItemCommand)).toHaveLength(0);
  });

  it('still mails the CreateImage alert when remembering fails, and logs why', async () => {
    ec2Mock.on(DescribeImagesCommand).resolves({ Images: [image('ami-0a1b2c3d4e5f60718')] });
    ddbMock
      .on(PutItemCommand)
      .rejects(Object.assign(new Error('Throughput exceeds the current capacity of your account'), { name: 'ThrottlingException' }));
    await expect(handler(fixture('create-image-tagged'))).resolves.toMatchObject({ notified: true, messageId: 'msg-1' });
    expect(published().Subject).toBe('[prod ap-northeast-1] AMI created: ami-0a1b2c3d4e5f60718 (web-base-2026-03-02)');
    expect(logs).toContainEqual(
      expect.objectContaining({
        level: 'WARN',
        message: 'could not remember the matched images; their available / failed mail will look the tags up',
        imageIds: ['ami-0a1b2c3d4e5f60718'],
        errorName: 'ThrottlingException',
      }),
    );
  });

  it('still mails at the enrichment deadline when remembering hangs, and cancels the request', async () => {
    ec2Mock.on(DescribeImagesCommand).resolves({ Images: [image('ami-0a1b2c3d4e5f60718')] });
    ddbMock.on(PutItemCommand).callsFake(() => new Promise(() => undefined));
    await expect(settlesAtEnrichmentDeadline(() => handler(fixture('create-image-tagged')))).resolves.toMatchObject({ notified: true });
    const [call] = ddbMock.commandCalls(PutItemCommand);
    expect((call.args as unknown[])[1]).toMatchObject({ abortSignal: expect.objectContaining({ aborted: true }) });
    expect(logs).toContainEqual(expect.objectContaining({ level: 'WARN', errorName: 'TimeoutError' }));
  });

  it('announces a failed image from the memory, without DescribeImages (a failed image may be gone)', async () => {
    ddbMock.on(GetItemCommand).resolves({ Item: REMEMBERED_CREATE_IMAGE });
    await expect(handler(fixture('ami-failed'))).resolves.toMatchObject({ notified: true });
    expect(ec2Mock.commandCalls(DescribeImagesCommand)).toHaveLength(0);
    expect(ddbMock.commandCalls(GetItemCommand).map((c) => c.args[0].input)).toEqual([
      { TableName: MEMORY_TABLE, Key: { imageId: { S: 'ami-0a1b2c3d4e5f60718' } }, ConsistentRead: true },
    ]);
    const msg = published();
    expect(msg.Subject).toBe('[prod ap-northeast-1] AMI FAILED: ami-0a1b2c3d4e5f60718 (web-base-2026-03-02)');
    const body = msg.Message!;
    expect(body).toMatch(/Matched tags: +Release=golden\n/);
    expect(body).toMatch(/Matched at: +CreateImage, request 5d2c9a41-7c1e-4c55-9d1e-000000000001, 2026-03-02T01:15:09Z\n/);
    expect(body).toMatch(
      / {2}Name: +web-base-2026-03-02\n {2}State: +failed\n {2}Error: +Snapshot creation failed: the volume is in an error state\n/,
    );
    expect(body).toMatch(/ {2}Source instance: +i-0123456789abcdef0\n/);
    expect(body).not.toMatch(/Who:/);
    expect(body).not.toContain('could not be looked up');
  });

  it('carries the CreateImage record through the memory to the failed mail', async () => {
    ec2Mock.on(DescribeImagesCommand).resolves({ Images: [] });
    await handler(fixture('create-image-tagged'));
    const stored = ddbMock.commandCalls(PutItemCommand)[0].args[0].input.Item;
    ddbMock.reset();
    ec2Mock.reset();
    snsMock.resetHistory();
    ddbMock.on(GetItemCommand).resolves({ Item: stored });
    ec2Mock.on(DescribeImagesCommand).resolves({ Images: [] }); // the failed image is no longer described
    await expect(handler(fixture('ami-failed'))).resolves.toMatchObject({ notified: true });
    expect(published().Subject).toBe('[prod ap-northeast-1] AMI FAILED: ami-0a1b2c3d4e5f60718 (web-base-2026-03-02)');
    expect(ec2Mock.commandCalls(DescribeImagesCommand)).toHaveLength(0);
  });

  it('falls back to DescribeImages when the memory holds no item (tagged otherwise, or before the memory existed)', async () => {
    ec2Mock.on(DescribeImagesCommand).resolves({ Images: [image('ami-0a1b2c3d4e5f60718', { State: 'available' })] });
    await expect(handler(fixture('ami-available'))).resolves.toMatchObject({ notified: true });
    expect(ddbMock.commandCalls(GetItemCommand)).toHaveLength(1);
    expect(ec2Mock.commandCalls(DescribeImagesCommand)).toHaveLength(1);
    expect(published().Message).not.toMatch(/Matched at:/);
  });

  it('falls back to DescribeImages when the memory cannot be read, and logs why', async () => {
    ddbMock.on(GetItemCommand).rejects(Object.assign(new Error('Requested resource not found'), { name: 'ResourceNotFoundException' }));
    ec2Mock.on(DescribeImagesCommand).resolves({ Images: [image('ami-0a1b2c3d4e5f60718', { State: 'available' })] });
    await expect(handler(fixture('ami-available'))).resolves.toMatchObject({ notified: true });
    expect(ec2Mock.commandCalls(DescribeImagesCommand)).toHaveLength(1);
    expect(logs).toContainEqual(
      expect.objectContaining({
        level: 'WARN',
        message: 'could not read the image memory; looking the tags up',
        imageId: 'ami-0a1b2c3d4e5f60718',
        errorName: 'ResourceNotFoundException',
      }),
    );
  });

  it('falls back to DescribeImages when the memory read hangs past the enrichment deadline', async () => {
    ddbMock.on(GetItemCommand).callsFake(() => new Promise(() => undefined));
    ec2Mock.on(DescribeImagesCommand).resolves({ Images: [image('ami-0a1b2c3d4e5f60718', { State: 'available' })] });
    await expect(settlesAtEnrichmentDeadline(() => handler(fixture('ami-available')))).resolves.toMatchObject({ notified: true });
    expect(ec2Mock.commandCalls(DescribeImagesCommand)).toHaveLength(1);
  });

  it.each<[string, Record<string, AttributeValue>]>([
    // TTL deletion runs days late: an item past its expiry at the event's time is not used.
    ['an expired item', { ...REMEMBERED_CREATE_IMAGE, expiresAt: { N: String(Date.parse('2026-03-02T01:24:51Z') / 1000) } }],
    // The configuration changed since: the pair is no longer watched.
    [
      'an item whose pairs are no longer watched',
      { ...REMEMBERED_CREATE_IMAGE, matched: { L: [{ M: { key: { S: 'Team' }, value: { S: 'web' } } }] } },
    ],
    ['an unreadable item', { imageId: { S: 'ami-0a1b2c3d4e5f60718' }, matched: { S: 'Release=golden' } }],
  ])('does not trust %s: DescribeImages decides', async (_, item) => {
    ddbMock.on(GetItemCommand).resolves({ Item: item });
    ec2Mock.on(DescribeImagesCommand).resolves({ Images: [] });
    await expect(handler(fixture('ami-failed'))).resolves.toMatchObject({ notified: false });
    expect(ec2Mock.commandCalls(DescribeImagesCommand)).toHaveLength(1);
  });

  it('uses no table when none is configured (no CloudTrail path, or no state, watched)', async () => {
    delete process.env.IMAGE_MEMORY_TABLE;
    ec2Mock.on(DescribeImagesCommand).resolves({ Images: [image('ami-0a1b2c3d4e5f60718', { State: 'available' })] });
    await handler(fixture('create-image-tagged'));
    snsMock.resetHistory();
    await expect(handler(fixture('ami-available'))).resolves.toMatchObject({ notified: true });
    expect(ddbMock.calls()).toHaveLength(0);
  });
});
