/**
 * Turns a Session Manager login (CloudTrail StartSession / ResumeSession, failed
 * attempts included) into an e-mail: who, target, session id, source IP, time,
 * account and region, and where the transcript will be.
 *
 * - ResumeSession records only the session id: the target is looked up with
 *   ssm:DescribeSessions, best effort (a failure, or a call that hangs past the
 *   enrichment deadline, leaves "unknown (why)" in the mail).
 * - One structured JSON log line per event: outcome, ids, latency.
 * - A publish failure rejects: Lambda retries the async invocation, then sends it to
 *   the dead-letter queue. Nothing is lost silently.
 * - A malformed event rejects with a clear error and publishes nothing.
 */
import { SNSClient } from '@aws-sdk/client-sns';
import { DescribeSessionsCommand, SSMClient } from '@aws-sdk/client-ssm';
import { withDeadline } from '../shared/enrichment';
import { runNotifier } from '../shared/handler';
import { describeError, logJson } from '../shared/log';
import { LOGIN_ALERTS_ENVIRONMENT } from '../../stacks/capabilities/session-manager/env';
import { LoginRecord, parseEvent } from './event';
import { MessageSettings, TargetLookup, composeMessage } from './message';

// Created once per execution environment and reused across invocations.
const sns = new SNSClient({});
const ssm = new SSMClient({});

/** The target of a session still active (a resumed one is), or why it is unknown (a hung call gives up after the enrichment deadline). */
export async function lookupTarget(client: SSMClient, r: LoginRecord, timeoutMs?: number): Promise<TargetLookup | undefined> {
  if (r.target || !r.sessionId) return undefined;
  try {
    const out = await withDeadline(
      'DescribeSessions',
      (abortSignal) =>
        client.send(new DescribeSessionsCommand({ State: 'Active', Filters: [{ key: 'SessionId', value: r.sessionId! }] }), {
          abortSignal,
        }),
      timeoutMs,
    );
    const session = out.Sessions?.find((x) => x.SessionId === r.sessionId);
    if (session?.Target) return { ok: true, target: session.Target };
    return { ok: false, reason: 'the session is no longer active' };
  } catch (err) {
    const e = describeError(err);
    logJson('WARN', 'target lookup failed; sending the record facts only', { eventId: r.eventId, sessionId: r.sessionId, ...e });
    return { ok: false, reason: `DescribeSessions failed: ${String(e.errorName ?? 'Error')}` };
  }
}

export async function handler(event: unknown): Promise<{ messageId?: string }> {
  const started = Date.now();
  const env = LOGIN_ALERTS_ENVIRONMENT.read(process.env);
  const settings: MessageSettings & { topicArn: string } = { ...env, logGroup: env.sessionLogGroup };
  return runNotifier(
    event,
    {
      sns,
      topicArn: settings.topicArn,
      parse: parseEvent,
      enrich: (record) => lookupTarget(ssm, record),
      compose: (record, lookup) => composeMessage(record, settings, lookup),
      logFields: (record) => ({
        eventId: record.eventId,
        eventName: record.eventName,
        sessionId: record.sessionId,
        target: record.target,
        failed: record.errorCode !== undefined,
      }),
      publishedMessage: 'login notification published',
    },
    started,
  );
}
