/**
 * Deadlines for best-effort enrichment calls (a name, a state, a target looked up to
 * make the mail more useful). A hung call must not eat the function's timeout: then the
 * invocation fails, is retried and dead-lettered, and the mail never goes out. Only
 * enrichment gets a deadline; the SNS publish keeps the SDK defaults, since a publish
 * failure is what retries and the dead-letter queue are for.
 */

/** How long one enrichment call (all its SDK retries and pages included) may take. */
export const ENRICHMENT_TIMEOUT_MS = 3000;

/** The enrichment call did not answer in time; the caller degrades the mail as for any other failure. */
export class EnrichmentTimeoutError extends Error {
  constructor(
    readonly call: string,
    readonly timeoutMs: number,
  ) {
    super(`${call} did not answer within ${timeoutMs} ms`);
    this.name = 'TimeoutError';
  }
}

/**
 * Runs `call` with a deadline. The signal goes to the SDK (`client.send(command, {
 * abortSignal })`) so the HTTP request is cancelled; the race makes sure the caller gets
 * its answer at the deadline even if something does not honour the signal.
 */
export async function withDeadline<T>(
  call: string,
  run: (abortSignal: AbortSignal) => Promise<T>,
  timeoutMs: number = ENRICHMENT_TIMEOUT_MS,
): Promise<T> {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const err = new EnrichmentTimeoutError(call, timeoutMs);
      controller.abort(err);
      reject(err);
    }, timeoutMs);
  });
  try {
    return await Promise.race([run(controller.signal), deadline]);
  } finally {
    clearTimeout(timer);
  }
}
