/**
 * Turns a Session Manager login (CloudTrail StartSession / ResumeSession, failed
 * attempts included) into an e-mail: who, target, session id, source IP, time,
 * account and region, and where the transcript will be.
 *
 * - ResumeSession records only the session id: the target is looked up with
 *   ssm:DescribeSessions, best effort (a failure leaves "unknown (why)" in the mail).
 * - A publish failure rejects: Lambda retries the async invocation, then sends it to
 *   the dead-letter queue. Nothing is lost silently.
 * - A malformed event rejects with a clear error and publishes nothing.
 */
import { SNSClient } from '@aws-sdk/client-sns';
import { DescribeSessionsCommand, SSMClient } from '@aws-sdk/client-ssm';
import { describeError, logJson } from '../shared/log';
import { publish, requiredEnv } from '../shared/notify';
import { LoginRecord, MalformedEventError, parseEvent } from './event';
import { MessageSettings, TargetLookup, composeMessage } from './message';

// Created once per execution environment and reused across invocations.
const sns = new SNSClient({});
const ssm = new SSMClient({});

/** The target of a session still active (a resumed one is), or why it is unknown. */
export async function lookupTarget(client: SSMClient, r: LoginRecord): Promise<TargetLookup | undefined> {
  if (r.target || !r.sessionId) return undefined;
  try {
    const out = await client.send(new DescribeSessionsCommand({ State: 'Active', Filters: [{ key: 'SessionId', value: r.sessionId }] }));
    const session = out.Sessions?.find((x) => x.SessionId === r.sessionId);
    if (session?.Target) return { ok: true, target: session.Target };
    return { ok: false, reason: 'the session is no longer active' };
  } catch (err) {
    const e = describeError(err);
    logJson('WARN', 'target lookup failed; sending the record facts only', { eventId: r.eventId, sessionId: r.sessionId, ...e });
    return { ok: false, reason: `DescribeSessions failed: ${String(e.errorName ?? 'Error')}` };
  }
}

function settingsFromEnv(): MessageSettings & { topicArn: string } {
  return {
    topicArn: requiredEnv('TOPIC_ARN'),
    accountName: requiredEnv('ACCOUNT_NAME'),
    transcriptBucket: process.env.TRANSCRIPT_BUCKET || undefined,
    transcriptPrefix: process.env.TRANSCRIPT_PREFIX || undefined,
    logGroup: process.env.SESSION_LOG_GROUP || undefined,
  };
}

export async function handler(event: unknown): Promise<{ messageId?: string }> {
  const started = Date.now();
  const settings = settingsFromEnv();
  let record: LoginRecord;
  try {
    record = parseEvent(event);
  } catch (err) {
    logJson('ERROR', 'malformed event; nothing published', {
      outcome: 'malformed-event',
      problems: err instanceof MalformedEventError ? err.problems : undefined,
      ...describeError(err),
      latencyMs: Date.now() - started,
    });
    throw err;
  }

  const ids = { eventId: record.eventId, eventName: record.eventName, sessionId: record.sessionId, target: record.target, failed: record.errorCode !== undefined };
  const lookup = await lookupTarget(ssm, record);
  const message = composeMessage(record, settings, lookup);
  try {
    const messageId = await publish(sns, settings.topicArn, message);
    logJson('INFO', 'login notification published', { outcome: 'published', ...ids, messageId, latencyMs: Date.now() - started });
    return { messageId };
  } catch (err) {
    logJson('ERROR', 'publish failed; the invocation will be retried, then dead-lettered', {
      outcome: 'publish-failed',
      ...ids,
      ...describeError(err),
      latencyMs: Date.now() - started,
    });
    throw err;
  }
}
