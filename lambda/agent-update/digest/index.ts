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
 *   account-region only; a hub passes one that reaches other accounts.
 */
import { SNSClient } from '@aws-sdk/client-sns';
import { SSMClient } from '@aws-sdk/client-ssm';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { AGENT_UPDATE_DIGEST_ENVIRONMENT } from '../../../stacks/capabilities/agent-update/env';
import { parseOrReject, publishAndLog } from '../../shared/handler';
import { describeError, logJson } from '../../shared/log';
import { claimRun, markSent, releaseRun, runKey } from './ledger';
import { composeDigest } from './message';
import { LOOKBACK_SECONDS, findAssociation, isFinished, reconcileRun, recentRuns } from './reconcile';
import { DigestRequest, parseDigestRequest } from './request';

/** Where a run's association lives. */
export interface Place {
  readonly account: string;
  readonly region: string;
}

/** The SSM client for an account-region; throws when it cannot reach it. */
export type SsmClientFactory = (place: Place) => SSMClient;

export interface DigestDeps {
  readonly sns: SNSClient;
  readonly ddb: DynamoDBClient;
  /** @default - the function's own account-region only (localSsm) */
  readonly ssmFor?: SsmClientFactory;
  /** Epoch milliseconds. @default Date.now */
  readonly now?: () => number;
}

/** What happened to each run the check saw. */
export interface DigestOutcome {
  readonly runs: Array<{
    readonly executionId: string;
    readonly outcome: 'published' | 'run-in-progress' | 'already-mailed';
    readonly messageId?: string;
  }>;
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

export function createDigestHandler(deps: DigestDeps): (event: unknown) => Promise<DigestOutcome> {
  let ownSsm: SSMClient | undefined;
  return async (event) => {
    const started = Date.now();
    const now = deps.now ?? Date.now;
    const settings = AGENT_UPDATE_DIGEST_ENVIRONMENT.read(process.env);
    const request: DigestRequest = parseOrReject(event, parseDigestRequest, started);
    const ssmFor = deps.ssmFor ?? localSsm(settings.accountId, process.env.AWS_REGION, (ownSsm ??= new SSMClient({})));
    const ssm = ssmFor(request);
    const ids = { account: request.account, region: request.region, associationId: request.associationId };

    const association = await findAssociation(ssm, request.associationId);
    if (!association) {
      logJson('WARN', 'association not found; nothing to reconcile', { outcome: 'association-not-found', ...ids });
      return { runs: [] };
    }
    const since = new Date(now() - LOOKBACK_SECONDS * 1000);
    const runs = await recentRuns(ssm, request.associationId, since);
    const outcome: DigestOutcome = { runs: [] };
    for (const run of runs) {
      const executionId = run.ExecutionId!;
      const fields = { ...ids, executionId, runStatus: run.Status, counts: run.ResourceCountByStatus };
      if (!isFinished(run)) {
        logJson('INFO', 'run not finished; a later check mails it', { outcome: 'run-in-progress', ...fields });
        outcome.runs.push({ executionId, outcome: 'run-in-progress' });
        continue;
      }
      const claim = await claimRun(deps.ddb, settings.runsTable, runKey(request, executionId), now());
      if (!claim) {
        logJson('INFO', 'run mailed already; skipped', { outcome: 'already-mailed', ...fields });
        outcome.runs.push({ executionId, outcome: 'already-mailed' });
        continue;
      }
      let messageId: string | undefined;
      try {
        const report = await reconcileRun(ssm, association, run);
        const message = composeDigest(report, request, settings);
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
      outcome.runs.push({ executionId, outcome: 'published', messageId });
    }
    return outcome;
  };
}

// Created once per execution environment and reused across invocations.
export const handler = createDigestHandler({ sns: new SNSClient({}), ddb: new DynamoDBClient({}) });
