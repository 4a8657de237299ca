/**
 * One digest per association run, reconciled from the SSM API: which targets succeeded,
 * which did not, and which never reported (stopped instances, lost events).
 *
 * - Invoked by a schedule (or, where events of many accounts arrive, by an association
 *   event): the request names the account, the region and the association.
 * - Reads the association's runs of the last LOOKBACK_SECONDS; a run still pending or in
 *   progress is left for a later check (nothing mailed, `outcome: run-in-progress`).
 * - Each finished run is claimed in the ledger first (a conditional put): a run mailed
 *   already, or being mailed by another invocation, is skipped (`outcome: already-mailed`).
 * - Any API or publish failure releases the claim and rejects: Lambda retries the
 *   invocation, then sends it to the dead-letter queue; the next check tries again.
 * - The SSM client comes from a factory by account and region: here the function's own
 *   account-region only. In the hub (HUB_READ_ROLE_NAME set), a schedule names many spoke
 *   account-regions and the association's name; the function assumes each spoke's read
 *   role, finds the association by name and mails its runs. A spoke it cannot check (role
 *   not assumable, a read or the publish failing) does not stop the others: it is logged
 *   `outcome: spoke-not-checked` and, once every spoke was tried, the invocation fails
 *   naming it (retries, then the hub's dead-letter queue, whose alarm mails).
 */
import { SNSClient } from '@aws-sdk/client-sns';
import { SSMClient } from '@aws-sdk/client-ssm';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { AGENT_UPDATE_DIGEST_ENVIRONMENT } from '../../../stacks/capabilities/agent-update/env';
import { parseOrReject, publishAndLog } from '../../shared/handler';
import { describeError, logJson } from '../../shared/log';
import { claimRun, markSent, releaseRun, runKey } from './ledger';
import { composeDigest } from './message';
import { Association } from '@aws-sdk/client-ssm';
import { SpokeClients } from '../../shared/spoke';
import type { AgentUpdateDigestSettings } from '../../../stacks/capabilities/agent-update/env';
import { LOOKBACK_SECONDS, findAssociation, findAssociationByName, isFinished, reconcileRun, recentRuns } from './reconcile';
import { DigestRequest, isHubRequest, parseDigestRequest, parseHubDigestRequest } from './request';

/** Where a run's association lives. */
export interface Place {
  readonly account: string;
  readonly region: string;
}

/** The SSM client for an account-region; throws (or rejects) when it cannot reach it. */
export type SsmClientFactory = (place: Place) => SSMClient | Promise<SSMClient>;

export interface DigestDeps {
  readonly sns: SNSClient;
  readonly ddb: DynamoDBClient;
  /** @default - the function's own account-region only (localSsm) */
  readonly ssmFor?: SsmClientFactory;
  /** Epoch milliseconds. @default Date.now */
  readonly now?: () => number;
}

/** What happened to one run the check saw. */
export interface RunOutcome {
  readonly executionId: string;
  readonly outcome: 'published' | 'run-in-progress' | 'already-mailed';
  readonly messageId?: string;
  /** The spoke it ran in (the hub's digest only). */
  readonly account?: string;
  readonly region?: string;
}

/** What happened to each run the check saw. */
export interface DigestOutcome {
  readonly runs: RunOutcome[];
}

/** A spoke account-region the hub's digest could not check, and why. */
export interface SpokeNotChecked extends Place {
  readonly reason: string;
}

/** The hub's invocation fails with this after trying every spoke, so it is retried, then dead-lettered. */
export class SpokesNotCheckedError extends Error {
  constructor(
    readonly notChecked: readonly SpokeNotChecked[],
    readonly outcome: DigestOutcome,
  ) {
    super(
      `${notChecked.length} account-region(s) not checked: ${notChecked.map((n) => `${n.account} ${n.region} (${n.reason})`).join('; ')}`,
    );
    this.name = 'SpokesNotCheckedError';
  }
}

/** A factory that reaches only the function's own account and region (no role is assumed). */
export function localSsm(accountId: string, region: string | undefined, client: SSMClient): SsmClientFactory {
  return (place) => {
    if (place.account === accountId && place.region === region) return client;
    throw new Error(
      `no SSM client for account ${place.account} region ${place.region}: this function reads its own account-region ` +
        `(${accountId} ${region ?? 'unknown'}) only`,
    );
  };
}

/** Each finished run of one association mailed once (claim, reconcile, publish, mark sent). */
async function mailRuns(
  deps: DigestDeps,
  settings: AgentUpdateDigestSettings,
  ssm: SSMClient,
  request: DigestRequest,
  association: Association,
  started: number,
  /** The hub: name another account by its id (the hub knows only its own short name). */
  namesOthersById = false,
): Promise<RunOutcome[]> {
  const now = deps.now ?? Date.now;
  const ids = { account: request.account, region: request.region, associationId: request.associationId };
  const messageSettings =
    namesOthersById && request.account !== settings.accountId ? { ...settings, accountName: request.account } : settings;
  const since = new Date(now() - LOOKBACK_SECONDS * 1000);
  const runs = await recentRuns(ssm, request.associationId, since);
  const out: RunOutcome[] = [];
  for (const run of runs) {
    const executionId = run.ExecutionId!;
    const fields = { ...ids, executionId, runStatus: run.Status, counts: run.ResourceCountByStatus };
    if (!isFinished(run)) {
      logJson('INFO', 'run not finished; a later check mails it', { outcome: 'run-in-progress', ...fields });
      out.push({ executionId, outcome: 'run-in-progress' });
      continue;
    }
    const claim = await claimRun(deps.ddb, settings.runsTable, runKey(request, executionId), now());
    if (!claim) {
      logJson('INFO', 'run mailed already; skipped', { outcome: 'already-mailed', ...fields });
      out.push({ executionId, outcome: 'already-mailed' });
      continue;
    }
    let messageId: string | undefined;
    try {
      const report = await reconcileRun(ssm, association, run);
      const message = composeDigest(report, request, messageSettings);
      messageId = await publishAndLog(deps.sns, settings.topicArn, message, {
        message: 'digest published',
        fields: {
          ...fields,
          succeeded: report.succeeded.length,
          failed: report.failed.length,
          neverReported: report.unchecked ? undefined : report.neverReported.length,
          neverReportedUnchecked: report.unchecked,
        },
        started,
      });
    } catch (err) {
      const released = await releaseRun(deps.ddb, settings.runsTable, claim);
      logJson('ERROR', 'digest failed; the invocation will be retried, then dead-lettered', {
        outcome: 'digest-failed',
        ...fields,
        claimReleased: released,
        ...describeError(err),
        latencyMs: Date.now() - started,
      });
      throw err;
    }
    try {
      await markSent(deps.ddb, settings.runsTable, claim, messageId);
    } catch (err) {
      // The mail is out: failing now would retry into a skipped run and dead-letter a
      // delivered digest. The claim goes stale, so at worst a later check mails it again.
      logJson('WARN', 'digest published but not marked sent; it may be mailed again', {
        outcome: 'mark-sent-failed',
        ...fields,
        messageId,
        ...describeError(err),
      });
    }
    out.push({ executionId, outcome: 'published', messageId });
  }
  return out;
}

/** The hub's clients: every spoke, the hub account's own regions too, through the read role. */
function spokeSsm(settings: AgentUpdateDigestSettings): SsmClientFactory {
  const ownRegion = process.env.AWS_REGION ?? '';
  const clients = new SpokeClients<SSMClient>(
    { ownAccount: settings.accountId, ownRegion, readRoleName: settings.readRoleName, assumeOwnAccount: true },
    new SSMClient({}),
    (config) => new SSMClient(config),
  );
  return (place) => clients.client(place);
}

export function createDigestHandler(deps: DigestDeps): (event: unknown) => Promise<DigestOutcome> {
  let ownSsm: SSMClient | undefined;
  let hubSsm: SsmClientFactory | undefined;
  return async (event) => {
    const started = Date.now();
    const settings = AGENT_UPDATE_DIGEST_ENVIRONMENT.read(process.env);

    if (isHubRequest(event)) {
      const request = parseOrReject(event, parseHubDigestRequest, started);
      if (!deps.ssmFor && !settings.readRoleName)
        throw new Error('a request for many account-regions needs HUB_READ_ROLE_NAME (the hub digest) or a client factory');
      const ssmFor = deps.ssmFor ?? (hubSsm ??= spokeSsm(settings));
      const outcome: DigestOutcome = { runs: [] };
      const notChecked: SpokeNotChecked[] = [];
      for (const spoke of request.spokes) {
        const place = { account: spoke.account, region: spoke.region };
        try {
          const ssm = await ssmFor(place);
          const association = await findAssociationByName(ssm, request.associationName);
          if (!association) {
            // Not deployed there yet (the hub comes first), or removed.
            logJson('WARN', 'association not found; nothing to reconcile', {
              outcome: 'association-not-found',
              ...place,
              associationName: request.associationName,
            });
            continue;
          }
          const runs = await mailRuns(
            deps,
            settings,
            ssm,
            { ...place, associationId: association.AssociationId! },
            association,
            started,
            true,
          );
          outcome.runs.push(...runs.map((r) => ({ ...r, ...place })));
        } catch (err) {
          const reason = describeError(err);
          logJson('ERROR', 'account-region not checked; the others go on, then the invocation fails', {
            outcome: 'spoke-not-checked',
            ...place,
            associationName: request.associationName,
            ...reason,
          });
          notChecked.push({ ...place, reason: `${reason.errorName ?? 'Error'}: ${reason.errorMessage ?? String(err)}` });
        }
      }
      if (notChecked.length > 0) throw new SpokesNotCheckedError(notChecked, outcome);
      return outcome;
    }

    const request: DigestRequest = parseOrReject(event, parseDigestRequest, started);
    const ssmFor = deps.ssmFor ?? localSsm(settings.accountId, process.env.AWS_REGION, (ownSsm ??= new SSMClient({})));
    const ssm = await ssmFor(request);
    const ids = { account: request.account, region: request.region, associationId: request.associationId };
    const association = await findAssociation(ssm, request.associationId);
    if (!association) {
      logJson('WARN', 'association not found; nothing to reconcile', { outcome: 'association-not-found', ...ids });
      return { runs: [] };
    }
    return { runs: await mailRuns(deps, settings, ssm, request, association, started) };
  };
}

// Created once per execution environment and reused across invocations.
export const handler = createDigestHandler({ sns: new SNSClient({}), ddb: new DynamoDBClient({}) });
