/**
 * Turns an "EC2 State Manager Instance Association State Change" event into an
 * e-mail a person can act on, published to the notification topic.
 *
 * - Enrichment (ssm:DescribeInstanceInformation) is best effort: throttling, access
 *   denied, a call that hangs past the enrichment deadline (lambda/shared/enrichment.ts)
 *   or a deregistered instance degrade the mail to the event's own facts.
 * - A publish failure rejects: Lambda retries the async invocation, then sends it to
 *   the dead-letter queue. Nothing is lost silently.
 * - A malformed event rejects with a clear error and publishes nothing.
 * - The rule matches every AWS-UpdateSSMAgent result; a result of another association
 *   (looked up by this association's name, see ownership.ts) is logged and dropped. When
 *   the lookup fails, the mail still goes out and says the association is unconfirmed:
 *   an extra mail is better than a lost one, and retrying would not make a denied or
 *   missing lookup succeed.
 * - One structured JSON log line per event: outcome, ids, latency.
 */
import { SNSClient } from '@aws-sdk/client-sns';
import { DescribeInstanceInformationCommand, SSMClient } from '@aws-sdk/client-ssm';
import { withDeadline } from '../shared/enrichment';
import { parseOrReject, runNotifier } from '../shared/handler';
import { describeError, logJson } from '../shared/log';
import { AGENT_UPDATE_ENVIRONMENT } from '../../stacks/capabilities/agent-update/env';
import { AssociationResult, parseEvent } from './event';
import { Enrichment, composeMessage } from './message';
import { AssociationOwnership } from './ownership';

// Created once per execution environment and reused across invocations.
const sns = new SNSClient({});
const ssm = new SSMClient({});
// This association's ids, remembered for the life of the execution environment.
let ownership: AssociationOwnership | undefined;

/** Forgets the remembered association ids (a fresh execution environment; for tests). */
export function forgetAssociations(): void {
  ownership = undefined;
}

/** The instance's details, or the reason they could not be read (logged, never thrown; a hung call gives up after the enrichment deadline). */
export async function enrich(client: SSMClient, r: AssociationResult, timeoutMs?: number): Promise<Enrichment> {
  try {
    const out = await withDeadline(
      'DescribeInstanceInformation',
      (abortSignal) =>
        client.send(new DescribeInstanceInformationCommand({ Filters: [{ Key: 'InstanceIds', Values: [r.instanceId] }] }), { abortSignal }),
      timeoutMs,
    );
    const info = out.InstanceInformationList?.find((i) => i.InstanceId === r.instanceId);
    if (info) return { ok: true, info };
    const reason = 'the instance is no longer a managed node (terminated or deregistered)';
    logJson('WARN', 'enrichment found no managed node', { instanceId: r.instanceId, eventId: r.eventId });
    return { ok: false, reason };
  } catch (err) {
    const e = describeError(err);
    logJson('WARN', 'enrichment failed; sending the event facts only', { instanceId: r.instanceId, eventId: r.eventId, ...e });
    return {
      ok: false,
      reason: `DescribeInstanceInformation failed: ${String(e.errorName ?? 'Error')}: ${String(e.errorMessage ?? '')}`.trim(),
    };
  }
}

export async function handler(event: unknown): Promise<{ messageId?: string }> {
  const started = Date.now();
  const settings = AGENT_UPDATE_ENVIRONMENT.read(process.env);
  const parsed = parseOrReject(event, parseEvent, started);
  ownership ??= new AssociationOwnership(ssm, settings.associationName, settings.documentName);
  const owner = await ownership.check(parsed.associationId);
  const ids = { eventId: parsed.eventId, associationId: parsed.associationId, associationName: settings.associationName };
  if (owner.kind === 'other') {
    logJson('INFO', 'result of another association; nothing published', {
      outcome: 'other-association',
      ...ids,
      ownAssociationIds: owner.ownIds,
      instanceId: parsed.instanceId,
      documentName: parsed.documentName,
      latencyMs: Date.now() - started,
    });
    return {};
  }
  const unconfirmed = owner.kind === 'unconfirmed' ? owner.reason : undefined;
  if (unconfirmed) {
    logJson('WARN', 'could not confirm the association; mailing the result anyway', {
      outcome: 'association-unconfirmed',
      ...ids,
      reason: unconfirmed,
    });
  }
  return runNotifier(
    event,
    {
      sns,
      topicArn: settings.topicArn,
      parse: () => parsed,
      enrich: (result) => enrich(ssm, result),
      compose: (result, enrichment) => composeMessage(result, settings, enrichment, unconfirmed),
      logFields: (result, enrichment) => ({
        eventId: result.eventId,
        associationId: result.associationId,
        associationConfirmed: !unconfirmed,
        instanceId: result.instanceId,
        status: result.status,
        documentName: result.documentName,
        enriched: enrichment.ok,
      }),
    },
    started,
  );
}
