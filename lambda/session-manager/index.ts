/**
 * Turns a Session Manager login (CloudTrail StartSession / ResumeSession, failed
 * attempts included) into an e-mail: who, target, session id, source IP, time,
 * account and region, and where the transcript will be.
 *
 * - ResumeSession records only the session id: the target is looked up with
 *   ssm:DescribeSessions, best effort (a failure, or a call that hangs past the
 *   enrichment deadline, leaves "unknown (why)" in the mail).
 * - In the hub, the lookup runs in the event's account-region through its read role
 *   (lambda/shared/spoke.ts); when that role cannot be assumed the mail degrades the same way.
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
import { SpokeClients, arnAccount } from '../shared/spoke';
import { LOGIN_ALERTS_ENVIRONMENT } from '../../stacks/capabilities/session-manager/env';
import { LoginRecord, parseEvent } from './event';
import { MessageSettings, TargetLookup, composeMessage } from './message';

// Created once per execution environment and reused across invocations.
const sns = new SNSClient({});
const ssm = new SSMClient({});
// In the hub: one client per spoke account-region, through the spoke's read role.
let spokes: SpokeClients<SSMClient> | undefined;

/** Forgets the spoke clients and their credentials (a fresh execution environment; for tests). */
export function forgetSpokeClients(): void {
  spokes = undefined;
}

/** The target of a session still active (a resumed one is), or why it is unknown (a hung call gives up after the enrichment deadline). */
export async function lookupTarget(
  client: SSMClient | (() => Promise<SSMClient>),
  r: LoginRecord,
  timeoutMs?: number,
): Promise<TargetLookup | undefined> {
  if (r.target || !r.sessionId) return undefined;
  try {
    const out = await withDeadline(
      'DescribeSessions',
      async (abortSignal) =>
        (typeof client === 'function' ? await client() : client).send(
          new DescribeSessionsCommand({ State: 'Active', Filters: [{ key: 'SessionId', value: r.sessionId! }] }),
          {
            abortSignal,
          },
        ),
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
  const ownAccount = arnAccount(env.topicArn);
  const settings: MessageSettings & { topicArn: string } = { ...env, logGroup: env.sessionLogGroup };
  spokes ??= new SpokeClients(
    { ownAccount, ownRegion: process.env.AWS_REGION ?? '', readRoleName: env.readRoleName },
    ssm,
    (config) => new SSMClient(config),
  );
  return runNotifier(
    event,
    {
      sns,
      topicArn: settings.topicArn,
      parse: parseEvent,
      enrich: (record) => lookupTarget(() => spokes!.client({ account: record.accountId, region: record.region }), record),
      // In the hub the configured name is the hub's own: another account is named by its id.
      compose: (record, lookup) =>
        composeMessage(record, record.accountId === ownAccount ? settings : { ...settings, accountName: record.accountId }, lookup),
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
