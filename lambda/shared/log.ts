/**
 * One structured JSON log line (the functions log in JSON format, so CloudWatch
 * Logs Insights can filter on these fields).
 */
export function logJson(level: 'INFO' | 'WARN' | 'ERROR', message: string, fields: Record<string, unknown> = {}): void {
  const line = JSON.stringify({ level, message, ...fields });
  if (level === 'ERROR') console.error(line);
  else if (level === 'WARN') console.warn(line);
  else console.log(line);
}

/** A short, loggable description of an error (name, message, AWS error code if any). */
export function describeError(err: unknown): Record<string, unknown> {
  if (err instanceof Error) {
    const meta = (err as { $metadata?: { httpStatusCode?: number } }).$metadata;
    return { errorName: err.name, errorMessage: err.message, ...(meta?.httpStatusCode ? { httpStatus: meta.httpStatusCode } : {}) };
  }
  return { errorMessage: String(err) };
}
