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
 * - One structured JSON log line per event: outcome, ids, latency.
 */
import { SNSClient } from '@aws-sdk/client-sns';
import { DescribeInstanceInformationCommand, SSMClient } from '@aws-sdk/client-ssm';
import { withDeadline } from '../shared/enrichment';
import { runNotifier } from '../shared/handler';
import { describeError, logJson } from '../shared/log';
import { AGENT_UPDATE_ENVIRONMENT } from '../../stacks/capabilities/agent-update/env';
import { AssociationResult, parseEvent } from './event';
import { Enrichment, composeMessage } from './message';

// Created once per execution environment and reused across invocations.
const sns = new SNSClient({});
const ssm = new SSMClient({});

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
  return runNotifier(
    event,
    {
      sns,
      topicArn: settings.topicArn,
      parse: parseEvent,
      enrich: (result) => enrich(ssm, result),
      compose: (result, enrichment) => composeMessage(result, settings, enrichment),
      logFields: (result, enrichment) => ({
        eventId: result.eventId,
        associationId: result.associationId,
        instanceId: result.instanceId,
        status: result.status,
        documentName: result.documentName,
        enriched: enrichment.ok,
      }),
    },
    started,
  );
}
