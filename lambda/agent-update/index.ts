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
 * - In the hub, the lookups run in the event's account-region through its read role
 *   (lambda/shared/spoke.ts); when that role cannot be assumed they fail like any other.
 * - One structured JSON log line per event: outcome, ids, latency.
 */
import { SNSClient } from '@aws-sdk/client-sns';
import { DescribeInstanceInformationCommand, SSMClient } from '@aws-sdk/client-ssm';
import { withDeadline } from '../shared/enrichment';
import { parseOrReject, runNotifier } from '../shared/handler';
import { describeError, logJson } from '../shared/log';
import { SpokeClients, arnAccount } from '../shared/spoke';
import { AGENT_UPDATE_ENVIRONMENT } from '../../stacks/capabilities/agent-update/env';
import { AssociationResult, parseEvent } from './event';
import { Enrichment, composeMessage } from './message';
import { AssociationOwnership } from './ownership';

// Created once per execution environment and reused across invocations.
const sns = new SNSClient({});
const ssm = new SSMClient({});
// This association's ids per account-region (one in a spoke, every spoke's in the hub),
// remembered for the life of the execution environment.
const ownerships = new Map<string, AssociationOwnership>();
// In the hub: one client per spoke account-region, through the spoke's read role.
let spokes: SpokeClients<SSMClient> | undefined;

/** Forgets the remembered association ids and spoke clients (a fresh execution environment; for tests). */
export function forgetAssociations(): void {
  ownerships.clear();
  spokes = undefined;
}

/** The instance's details, or the reason they could not be read (logged, never thrown; a hung call gives up after the enrichment deadline). */
export async function enrich(
  client: SSMClient | (() => Promise<SSMClient>),
  r: AssociationResult,
  timeoutMs?: number,
): Promise<Enrichment> {
  try {
    const out = await withDeadline(
      'DescribeInstanceInformation',
      async (abortSignal) =>
        (typeof client === 'function' ? await client() : client).send(
          new DescribeInstanceInformationCommand({ Filters: [{ Key: 'InstanceIds', Values: [r.instanceId] }] }),
          { abortSignal },
        ),
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
  const ownAccount = arnAccount(settings.topicArn);
  spokes ??= new SpokeClients(
    { ownAccount, ownRegion: process.env.AWS_REGION ?? '', readRoleName: settings.readRoleName },
    ssm,
    (config) => new SSMClient(config),
  );
  const origin = { account: parsed.account, region: parsed.region };
  const client = () => spokes!.client(origin);
  const key = `${origin.account}/${origin.region}`;
  let ownership = ownerships.get(key);
  if (!ownership) {
    ownership = new AssociationOwnership(client, settings.associationName, settings.documentName);
    ownerships.set(key, ownership);
  }
  const owner = await ownership.check(parsed.associationId);
  // In the hub the configured name is the hub's own: another account is named by its id.
  const named = parsed.account === ownAccount || parsed.account === '' ? settings : { ...settings, accountName: parsed.account };
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
      enrich: (result) => enrich(client, result),
      compose: (result, enrichment) => composeMessage(result, named, enrichment, unconfirmed),
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
