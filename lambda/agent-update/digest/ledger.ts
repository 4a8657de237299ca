/**
 * The runs already mailed, one DynamoDB item per run keyed by account, region,
 * association id and execution id. A digest is claimed with a conditional put before
 * the (expensive) reading and the publish, marked sent after it, and released when
 * anything in between fails, so a retry can claim it again. Two checks at once (a
 * schedule and a retry, or many events of one run in a hub) therefore send one mail.
 * A claim left by an invocation that died (timeout) goes stale after CLAIM_STALE_SECONDS
 * and may be taken over. DynamoDB's TTL removes items after RUN_MEMORY_SECONDS.
 */
import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DynamoDBClient,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { randomUUID } from 'node:crypto';
import type { DigestRequest } from './request';

/** Longer than the look-back (LOOKBACK_SECONDS, 7 days) with room: a run is never mailed twice. */
export const RUN_MEMORY_SECONDS = 35 * 24 * 3600;

/** Longer than the function's timeout (DIGEST_TIMEOUT_SECONDS, 5 minutes): only a dead invocation's claim is this old. */
export const CLAIM_STALE_SECONDS = 15 * 60;

export function runKey(request: DigestRequest, executionId: string): string {
  return `${request.account}/${request.region}/${request.associationId}/${executionId}`;
}

/** A claim held by this invocation. */
export interface Claim {
  readonly key: string;
  readonly token: string;
}

/** Claims the run; undefined when it is mailed already or claimed by a live invocation. Other errors propagate. */
export async function claimRun(ddb: DynamoDBClient, table: string, key: string, nowMs: number): Promise<Claim | undefined> {
  const now = Math.floor(nowMs / 1000);
  const token = randomUUID();
  try {
    await ddb.send(
      new PutItemCommand({
        TableName: table,
        Item: {
          runKey: { S: key },
          state: { S: 'claimed' },
          claimToken: { S: token },
          claimedAt: { N: String(now) },
          expiresAt: { N: String(now + RUN_MEMORY_SECONDS) },
        },
        ConditionExpression: 'attribute_not_exists(runKey) OR (#state = :claimed AND claimedAt < :stale)',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':claimed': { S: 'claimed' }, ':stale': { N: String(now - CLAIM_STALE_SECONDS) } },
      }),
    );
    return { key, token };
  } catch (err) {
    if (err instanceof ConditionalCheckFailedException || (err as Error).name === 'ConditionalCheckFailedException') return undefined;
    throw err;
  }
}

/** Marks the claimed run as mailed (only while this invocation still holds the claim). */
export async function markSent(ddb: DynamoDBClient, table: string, claim: Claim, messageId: string | undefined): Promise<void> {
  await ddb.send(
    new UpdateItemCommand({
      TableName: table,
      Key: { runKey: { S: claim.key } },
      UpdateExpression: 'SET #state = :sent, messageId = :messageId REMOVE claimToken',
      ConditionExpression: 'claimToken = :token',
      ExpressionAttributeNames: { '#state': 'state' },
      ExpressionAttributeValues: { ':sent': { S: 'sent' }, ':messageId': { S: messageId ?? '' }, ':token': { S: claim.token } },
    }),
  );
}

/** Gives the claim back so a retry can take it; never throws (the caller is already failing, and a stale claim is taken over anyway). */
export async function releaseRun(ddb: DynamoDBClient, table: string, claim: Claim): Promise<boolean> {
  try {
    await ddb.send(
      new DeleteItemCommand({
        TableName: table,
        Key: { runKey: { S: claim.key } },
        ConditionExpression: 'claimToken = :token',
        ExpressionAttributeValues: { ':token': { S: claim.token } },
      }),
    );
    return true;
  } catch {
    return false;
  }
}
