/**
 * One structured log line. The functions log in Lambda's JSON format, where the runtime
 * writes each console call as {timestamp, level, requestId, message} and keeps a single
 * object argument as an object under `message` (a string, even a JSON text, stays a
 * string). So the fields go to the console as an object: CloudWatch Logs Insights then
 * finds them as `message.outcome`, `message.eventId`, ...; the level is the runtime's own
 * top-level `level`, chosen by the console method.
 */
export function logJson(level: 'INFO' | 'WARN' | 'ERROR', message: string, fields: Record<string, unknown> = {}): void {
  // The text first and last: no field can replace it.
  const record = Object.assign({ message }, fields, { message });
  if (level === 'ERROR') console.error(record);
  else if (level === 'WARN') console.warn(record);
  else console.info(record);
}

/** A short, loggable description of an error (name, message, AWS error code if any). */
export function describeError(err: unknown): Record<string, unknown> {
  if (err instanceof Error) {
    const meta = (err as { $metadata?: { httpStatusCode?: number } }).$metadata;
    return { errorName: err.name, errorMessage: err.message, ...(meta?.httpStatusCode ? { httpStatus: meta.httpStatusCode } : {}) };
  }
  return { errorMessage: String(err) };
}
