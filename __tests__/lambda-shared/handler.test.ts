import { mockClient } from 'aws-sdk-client-mock';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { parseEvent as parseAssociation } from '../../lambda/agent-update/event';
import { parseEvent as parseLogin } from '../../lambda/session-manager/event';
import { ENRICHMENT_TIMEOUT_MS, EnrichmentTimeoutError, withDeadline } from '../../lambda/shared/enrichment';
import { MalformedEventError, runNotifier } from '../../lambda/shared/handler';
import { MAX_MESSAGE_BYTES, boundedBody, publish } from '../../lambda/shared/notify';
import { notifierHarness } from '../helpers/notifier-harness';

const snsMock = mockClient(SNSClient);
const TOPIC_ARN = 'arn:aws:sns:ap-northeast-1:111111111111:ssmb-notifications';

// Mocks reset, SNS Publish succeeds, console captured as JSON (no function environment needed).
const { logs } = notifierHarness(snsMock, [], {});

describe('shared: enrichment deadline', () => {
  it('is short enough to leave the function time to publish', () => {
    expect(ENRICHMENT_TIMEOUT_MS).toBeLessThanOrEqual(5000);
  });

  it('passes an answer in time through and leaves no timer behind', async () => {
    jest.useFakeTimers();
    let signal: AbortSignal | undefined;
    await expect(
      withDeadline('Call', async (s) => {
        signal = s;
        return 42;
      }),
    ).resolves.toBe(42);
    expect(jest.getTimerCount()).toBe(0);
    expect(signal!.aborted).toBe(false);
  });

  it('rejects at the deadline with a TimeoutError and aborts the signal', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    let signal: AbortSignal | undefined;
    const run = withDeadline(
      'DescribeThings',
      (s) => {
        signal = s;
        return new Promise<never>(() => undefined);
      },
      50,
    );
    const outcome = expect(run).rejects.toMatchObject({ name: 'TimeoutError', message: 'DescribeThings did not answer within 50 ms' });
    await jest.advanceTimersByTimeAsync(50);
    await outcome;
    await expect(run).rejects.toBeInstanceOf(EnrichmentTimeoutError);
    expect(signal!.aborted).toBe(true);
  });

  it('passes errors of the call through unchanged', async () => {
    const err = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    await expect(withDeadline('Call', () => Promise.reject(err))).rejects.toBe(err);
  });
});

describe('shared: message size', () => {
  it('leaves a body that fits alone', () => {
    expect(boundedBody('hello\nworld')).toBe('hello\nworld');
  });

  it('cuts a body over the limit at a character boundary and says so', () => {
    // 3-byte and 4-byte (surrogate pair) characters: a byte cut must not split either.
    const text = 'é漢😀'.repeat(40_000);
    expect(Buffer.byteLength(text)).toBeGreaterThan(MAX_MESSAGE_BYTES);
    const cut = boundedBody(text);
    expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
    expect(cut).toMatch(/\n\n\[message cut here: SNS accepts at most 256 KB\]$/);
    const kept = cut.slice(0, cut.indexOf('\n\n['));
    expect(text.startsWith(kept)).toBe(true);
    expect(Buffer.from(kept, 'utf8').toString('utf8')).toBe(kept); // no lone surrogate, no U+FFFD
    expect(kept).not.toContain('\uFFFD');
  });

  it('publish never sends SNS more than it accepts', async () => {
    await publish(new SNSClient({}), TOPIC_ARN, { subject: 'big', body: 'x'.repeat(400_000) });
    const input = snsMock.commandCalls(PublishCommand)[0].args[0].input;
    expect(Buffer.byteLength(input.Message!)).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
  });
});

describe('shared: notifier flow', () => {
  it('both notifiers reject malformed events with the one shared error class', () => {
    for (const parse of [parseAssociation, parseLogin]) {
      try {
        parse({ id: 'e-1' });
        throw new Error('should have thrown');
      } catch (err) {
        expect(err).toBeInstanceOf(MalformedEventError);
        expect((err as MalformedEventError).problems.length).toBeGreaterThan(0);
        expect((err as Error).message).toMatch(/^not an? .*event: /);
      }
    }
  });

  const steps = (over: Partial<Parameters<typeof runNotifier<string, boolean>>[1]> = {}) => ({
    sns: new SNSClient({}),
    topicArn: TOPIC_ARN,
    parse: (e: unknown) => {
      if (typeof e !== 'object' || e === null || !('name' in e)) throw new MalformedEventError(['name is missing'], 'a test event');
      return String((e as { name: unknown }).name);
    },
    enrich: async () => true,
    compose: (name: string, enriched: boolean) => ({ subject: `hello ${name}`, body: `enriched: ${enriched}` }),
    logFields: (name: string, enriched: boolean) => ({ name, enriched }),
    ...over,
  });

  it('parses, enriches, composes, publishes and logs one line with latency', async () => {
    await expect(runNotifier({ name: 'x' }, steps())).resolves.toEqual({ messageId: 'msg-1' });
    expect(snsMock.commandCalls(PublishCommand)[0].args[0].input).toMatchObject({ Subject: 'hello x', Message: 'enriched: true' });
    expect(logs).toEqual([
      expect.objectContaining({
        level: 'INFO',
        message: 'notification published',
        outcome: 'published',
        name: 'x',
        enriched: true,
        messageId: 'msg-1',
        latencyMs: expect.any(Number),
      }),
    ]);
  });

  it('logs and rethrows a malformed event, publishing nothing', async () => {
    await expect(runNotifier({ id: 'e-9' }, steps())).rejects.toThrow('not a test event: name is missing');
    expect(snsMock.commandCalls(PublishCommand)).toHaveLength(0);
    expect(logs).toEqual([
      expect.objectContaining({
        level: 'ERROR',
        outcome: 'malformed-event',
        eventId: 'e-9',
        problems: ['name is missing'],
        errorName: 'MalformedEventError',
      }),
    ]);
  });

  it('logs and rethrows a failed publish', async () => {
    snsMock.on(PublishCommand).rejects(Object.assign(new Error('KMS key disabled'), { name: 'KMSDisabledException' }));
    await expect(runNotifier({ name: 'x' }, steps())).rejects.toThrow('KMS key disabled');
    expect(logs).toEqual([
      expect.objectContaining({ level: 'ERROR', outcome: 'publish-failed', name: 'x', errorName: 'KMSDisabledException' }),
    ]);
  });
});
