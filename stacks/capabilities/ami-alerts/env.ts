/** The AMI-alerts notifier's environment: written by the construct, read by the handler (no cdktf here). */
import { environmentContract } from '../environment';

/** A watched pair from the configuration; without `value` any value matches. */
export interface WatchedTag {
  readonly key: string;
  readonly value?: string;
}

export interface AmiAlertsSettings {
  readonly topicArn: string;
  /** @default - the mail names the account by id only */
  readonly accountName?: string;
  /** The watched pairs as JSON (encodeWatchedTags); the handler checks the exact pairs the patterns pre-filter on. */
  readonly watchedTags: string;
  /**
   * The DynamoDB table that remembers AMIs matched on the CloudTrail paths, read first by
   * the available / failed path. Deployed only when both kinds of path are watched.
   * @default - no memory: the state-change path looks the tags up with DescribeImages
   */
  readonly imageMemoryTable?: string;
  /** The spokes' read-only role, assumed for events of another account (the hub's notifier). @default - no hub: only this account is read */
  readonly readRoleName?: string;
}

export const AMI_ALERTS_ENVIRONMENT = environmentContract<AmiAlertsSettings>(
  {
    topicArn: 'TOPIC_ARN',
    accountName: 'ACCOUNT_NAME',
    watchedTags: 'WATCHED_TAGS',
    imageMemoryTable: 'IMAGE_MEMORY_TABLE',
    readRoleName: 'HUB_READ_ROLE_NAME',
  },
  ['topicArn', 'watchedTags'],
);

/** The watched pairs as the environment carries them. */
export function encodeWatchedTags(tags: readonly WatchedTag[]): string {
  return JSON.stringify(tags.map((t) => (t.value === undefined ? { key: t.key } : { key: t.key, value: t.value })));
}

/** Parses the watched pairs; a bad value is a deployment bug, so it throws. */
export function parseWatchedTags(json: string): WatchedTag[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (err) {
    throw new Error(`WATCHED_TAGS is not JSON: ${(err as Error).message}`, { cause: err });
  }
  const ok =
    Array.isArray(parsed) &&
    parsed.length > 0 &&
    parsed.every(
      (t) => typeof t === 'object' && t !== null && typeof t.key === 'string' && (t.value === undefined || typeof t.value === 'string'),
    );
  if (!ok) throw new Error(`WATCHED_TAGS must be a non-empty list of {key, value?} strings, got ${json}`);
  return (parsed as WatchedTag[]).map((t) => (t.value === undefined ? { key: t.key } : { key: t.key, value: t.value }));
}
