/**
 * A stand-in for what the Lambda Node.js runtime (nodejs22.x) does to `console` when the
 * function's log format is JSON, so tests can assert on the records CloudWatch receives.
 *
 * Sources: "Log and monitor Node.js Lambda functions", section "Using Lambda advanced
 * logging controls with Node.js" (https://docs.aws.amazon.com/lambda/latest/dg/nodejs-logging.html),
 * and the runtime interface client that implements it, aws/aws-lambda-nodejs-runtime-interface-client
 * `src/LogPatch.js` (`formatJsonMessage`, `_patchConsoleWith`), unchanged in v4's
 * `src/logging/formatter.ts`:
 * - console.trace/debug/info/warn/error/fatal write one JSON object per call with
 *   `timestamp`, `level` (TRACE..FATAL; console.log is console.info, so INFO) and `requestId`;
 * - one argument becomes `message` as it is: a string stays a string (a JSON text stays
 *   an escaped string), an object stays an object (so its keys are `message.<key>`);
 * - several arguments become `message = util.format(...args)`, and the first Error among
 *   them adds `errorType`, `errorMessage`, `stackTrace` at the top level;
 * - an Error inside the single argument is serialized as {errorType, errorMessage, stackTrace, ...own props}.
 */
import { format } from 'node:util';

export type LambdaLogLevel = 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'FATAL';

const errorReplacer = (_key: string, value: unknown) =>
  value instanceof Error
    ? Object.assign(
        {
          errorType: value?.constructor?.name ?? 'UnknownError',
          errorMessage: value.message,
          stackTrace: typeof value.stack === 'string' ? value.stack.split('\n') : value.stack,
        },
        value,
      )
    : value;

/** The line the runtime writes for one console call (formatJsonMessage). */
export function formatJsonMessage(requestId: string, timestamp: string, level: LambdaLogLevel, ...args: unknown[]): string {
  const result: Record<string, unknown> = { timestamp, level, requestId };
  if (args.length === 1) {
    result.message = args[0];
    try {
      return JSON.stringify(result, errorReplacer);
    } catch {
      result.message = format(result.message);
      return JSON.stringify(result);
    }
  }
  result.message = format(...args);
  const err = args.find((a) => a instanceof Error) as Error | undefined;
  if (err) {
    result.errorType = err?.constructor?.name ?? 'UnknownError';
    result.errorMessage = err.message;
    result.stackTrace = typeof err.stack === 'string' ? err.stack.split('\n') : [];
  }
  return JSON.stringify(result);
}

/** Which level each console method writes at (console.log is console.info). */
export const CONSOLE_LEVELS = { log: 'INFO', info: 'INFO', warn: 'WARN', error: 'ERROR', debug: 'DEBUG', trace: 'TRACE' } as const;

/** A record as CloudWatch Logs stores it (the parsed line). */
export type LambdaLogRecord = { timestamp: string; level: LambdaLogLevel; requestId: string; message: unknown; [key: string]: unknown };

/** The record the runtime would write for `console[method](...args)`. */
export function lambdaJsonRecord(method: keyof typeof CONSOLE_LEVELS, args: unknown[]): LambdaLogRecord {
  return JSON.parse(formatJsonMessage('8f5a2c1e-3b4d-4e6f-9a7b-0c1d2e3f4a5b', '2025-03-04T02:15:42.123Z', CONSOLE_LEVELS[method], ...args));
}
