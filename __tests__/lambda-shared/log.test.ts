import { logJson } from '../../lambda/shared/log';
import { CONSOLE_LEVELS, LambdaLogRecord, lambdaJsonRecord } from '../helpers/lambda-json-console';

/** Runs `fn` with console patched as the Lambda runtime does under `logFormat: JSON`; returns the records. */
function underLambdaJson(fn: () => void): LambdaLogRecord[] {
  const records: LambdaLogRecord[] = [];
  for (const method of Object.keys(CONSOLE_LEVELS) as Array<keyof typeof CONSOLE_LEVELS>) {
    jest.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      records.push(lambdaJsonRecord(method, args));
    });
  }
  try {
    fn();
  } finally {
    jest.restoreAllMocks();
  }
  return records;
}

describe('the runtime stand-in follows the documented JSON log shape', () => {
  it('a string stays a string in message; an object stays an object', () => {
    const [text, object] = underLambdaJson(() => {
      console.log('{"outcome":"published"}');
      console.warn({ outcome: 'published' });
    });
    expect(text).toEqual({
      timestamp: '2025-03-04T02:15:42.123Z',
      level: 'INFO',
      requestId: '8f5a2c1e-3b4d-4e6f-9a7b-0c1d2e3f4a5b',
      message: '{"outcome":"published"}',
    });
    expect(object).toMatchObject({ level: 'WARN', message: { outcome: 'published' } });
  });

  it('several arguments are formatted into one message string, the first Error lifted to the top', () => {
    const [r] = underLambdaJson(() => console.error('failed:', Object.assign(new Error('boom'), { name: 'ThrottlingException' })));
    expect(r).toMatchObject({ level: 'ERROR', errorType: 'Error', errorMessage: 'boom', message: expect.stringContaining('failed:') });
  });
});

describe('logJson under the Lambda JSON log format', () => {
  it.each([
    ['INFO', 'INFO'],
    ['WARN', 'WARN'],
    ['ERROR', 'ERROR'],
  ] as const)(
    '%s: the fields are JSON keys a Logs Insights query can filter on (message.<field>), at the right level',
    (level, runtimeLevel) => {
      const records = underLambdaJson(() =>
        logJson(level, 'notification published', {
          outcome: 'published',
          eventId: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
          latencyMs: 42,
          enriched: true,
        }),
      );
      expect(records).toHaveLength(1);
      const [r] = records;
      expect(r.level).toBe(runtimeLevel);
      // Not a JSON text inside a string: Logs Insights discovers the keys of an object only.
      expect(typeof r.message).toBe('object');
      expect(r.message).toEqual({
        message: 'notification published',
        outcome: 'published',
        eventId: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
        latencyMs: 42,
        enriched: true,
      });
    },
  );

  it('keeps error details as plain fields, and never lets a field replace the text', () => {
    const [r] = underLambdaJson(() => logJson('ERROR', 'publish failed', { message: 'overwritten?', errorName: 'KMSDisabledException' }));
    expect(r.message).toEqual({ message: 'publish failed', errorName: 'KMSDisabledException' });
  });
});
