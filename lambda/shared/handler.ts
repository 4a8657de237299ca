/**
 * The flow every notifier shares: read the event (a malformed one fails loudly and
 * publishes nothing), enrich it best effort, compose the mail, publish it. One
 * structured log line per event says how it ended (`outcome`) and how long it took.
 */
import type { SNSClient } from '@aws-sdk/client-sns';
import { describeError, logJson } from './log';
import { Notification, publish } from './notify';

/** The invocation's input is not an event this function handles: retrying cannot help. */
export class MalformedEventError extends Error {
  /** @param what what the event should have been, e.g. `a Session Manager login event` */
  constructor(
    readonly problems: string[],
    what: string,
  ) {
    super(`not ${what}: ${problems.join('; ')}`);
    this.name = 'MalformedEventError';
  }
}

/** Parses the event; a failure is logged (`outcome: malformed-event`) and rethrown. */
export function parseOrReject<T>(event: unknown, parse: (event: unknown) => T, started: number): T {
  try {
    return parse(event);
  } catch (err) {
    const eventId = typeof event === 'object' && event !== null ? (event as { id?: unknown }).id : undefined;
    logJson('ERROR', 'malformed event; nothing published', {
      outcome: 'malformed-event',
      eventId,
      problems: err instanceof MalformedEventError ? err.problems : undefined,
      ...describeError(err),
      latencyMs: Date.now() - started,
    });
    throw err;
  }
}

export interface PublishLog {
  /** Message of the success line, e.g. "notification published". */
  readonly message?: string;
  /** Fields of both log lines (ids, what was enriched). */
  readonly fields: Record<string, unknown>;
  /** Date.now() when the invocation started. */
  readonly started: number;
}

/**
 * Publishes and logs the outcome. A failure is logged (`outcome: publish-failed`) and
 * rethrown: Lambda retries the invocation, then it lands in the dead-letter queue.
 */
export async function publishAndLog(sns: SNSClient, topicArn: string, message: Notification, log: PublishLog): Promise<string | undefined> {
  try {
    const messageId = await publish(sns, topicArn, message);
    logJson('INFO', log.message ?? 'notification published', {
      outcome: 'published',
      ...log.fields,
      messageId,
      latencyMs: Date.now() - log.started,
    });
    return messageId;
  } catch (err) {
    logJson('ERROR', 'publish failed; the invocation will be retried, then dead-lettered', {
      outcome: 'publish-failed',
      ...log.fields,
      ...describeError(err),
      latencyMs: Date.now() - log.started,
    });
    throw err;
  }
}

export interface NotifierSteps<E, X> {
  readonly sns: SNSClient;
  readonly topicArn: string;
  /** Validates the event (throws MalformedEventError). */
  readonly parse: (event: unknown) => E;
  /** Best effort: must not throw (failures become part of the result and the mail). */
  readonly enrich: (event: E) => Promise<X>;
  readonly compose: (event: E, enrichment: X) => Notification;
  /** Fields of the outcome log line. */
  readonly logFields: (event: E, enrichment: X) => Record<string, unknown>;
  readonly publishedMessage?: string;
}

/** parse, enrich, compose, publish: the whole invocation of a notifier with one mail per event. */
export async function runNotifier<E, X>(
  event: unknown,
  steps: NotifierSteps<E, X>,
  started: number = Date.now(),
): Promise<{ messageId?: string }> {
  const parsed = parseOrReject(event, steps.parse, started);
  const enrichment = await steps.enrich(parsed);
  const message = steps.compose(parsed, enrichment);
  const messageId = await publishAndLog(steps.sns, steps.topicArn, message, {
    message: steps.publishedMessage,
    fields: steps.logFields(parsed, enrichment),
    started,
  });
  return { messageId };
}
