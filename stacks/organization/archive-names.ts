import { bucketNameProblem } from '../platform/config/common';

/**
 * Names and key layout of the fleet archive in the hub, derived from the name prefix,
 * the hub account and the hub region only, so a spoke stack computes them without
 * reading anything from the hub (no data source, no remote state).
 */

/** Top-level key folders of the archive, one per kind of record. */
export const ARCHIVE_FOLDERS = {
  /** Patch-compliance snapshots: `patch-history/account=<id>/region=<r>/year=YYYY/month=MM/day=DD/instanceid=<i>/...`. */
  patchHistory: 'patch-history',
  /** Session Manager transcripts: `session-transcripts/account=<id>/region=<r>/<session id>.log`. */
  sessionTranscripts: 'session-transcripts',
  /** Resource Data Sync of inventory: `inventory/AWS:<Type>/accountid=<id>/region=<r>/resourcetype=<t>/...` (layout fixed by SSM). */
  inventory: 'inventory',
} as const;

/** The folders a spoke's own principals write, each under `<folder>/account=<id>/`. */
export const SPOKE_WRITTEN_FOLDERS = [ARCHIVE_FOLDERS.patchHistory, ARCHIVE_FOLDERS.sessionTranscripts] as const;

export interface ArchiveLocation {
  /** Name prefix of the deployment (the config's namePrefix). */
  readonly namePrefix: string;
  /** The hub account id. */
  readonly hubAccountId: string;
  /** The hub region (bucket, key, Glue database). */
  readonly hubRegion: string;
}

/** The archive bucket: `<prefix>-<hub account>-<hub region>-archive` (the shape of every baseline bucket name). */
export function archiveBucketName(loc: ArchiveLocation): string {
  const name = `${loc.namePrefix}-${loc.hubAccountId}-${loc.hubRegion}-archive`;
  const problem = bucketNameProblem(name);
  if (problem) throw new Error(`archive bucket name "${name}" ${problem}`);
  return name;
}

/** The bucket of Athena results over the archive. */
export function archiveQueryBucketName(loc: ArchiveLocation): string {
  const name = `${loc.namePrefix}-${loc.hubAccountId}-${loc.hubRegion}-archive-queries`;
  const problem = bucketNameProblem(name);
  if (problem) throw new Error(`archive query bucket name "${name}" ${problem}`);
  return name;
}

/** The archive key's alias (without `alias/`). */
export function archiveKeyAlias(loc: ArchiveLocation): string {
  return `${loc.namePrefix}-archive`;
}

/**
 * The archive key's ARN as spokes name it: by alias, since the key id is known only
 * after the hub is applied. S3 and SSM accept an alias ARN for SSE-KMS.
 */
export function archiveKeyAliasArn(loc: ArchiveLocation): string {
  return `arn:aws:kms:${loc.hubRegion}:${loc.hubAccountId}:alias/${archiveKeyAlias(loc)}`;
}

/** The Glue database of the archive: `<prefix>_fleet_archive` (Glue names: lower case, `_`). */
export function archiveDatabaseName(loc: Pick<ArchiveLocation, 'namePrefix'>): string {
  return `${loc.namePrefix}_fleet_archive`.toLowerCase().replace(/-/g, '_');
}

/** Key prefix (no trailing "/") under which one spoke account-region writes its patch snapshots. */
export function patchHistoryPrefix(accountId: string, region: string): string {
  return `${ARCHIVE_FOLDERS.patchHistory}/account=${accountId}/region=${region}`;
}

/** Key prefix (no trailing "/") Session Manager of one spoke account-region writes transcripts under. */
export function sessionTranscriptPrefix(accountId: string, region: string): string {
  return `${ARCHIVE_FOLDERS.sessionTranscripts}/account=${accountId}/region=${region}`;
}

/** The Resource Data Sync prefix; SSM appends `/AWS:<Type>/accountid=<id>/region=<r>/resourcetype=<t>/`. */
export function inventorySyncPrefix(): string {
  return ARCHIVE_FOLDERS.inventory;
}

/**
 * The archive key in a spoke's IAM policy: KMS authorizes cryptographic calls against the
 * key ARN only (an alias ARN in `Resource` matches alias operations, never the key), and
 * the key id is unknown before the hub is applied. So a spoke names every key of the hub
 * account-region and narrows it to the archive key by its alias (`kms:ResourceAliases`).
 */
export function archiveKeyGrant(loc: ArchiveLocation): { readonly resource: string; readonly alias: string } {
  return { resource: `arn:aws:kms:${loc.hubRegion}:${loc.hubAccountId}:key/*`, alias: `alias/${archiveKeyAlias(loc)}` };
}

/**
 * The hub bucket that receives the spokes' replicated Session Manager transcripts:
 * `<prefix>-<hub account>-<hub region>-transcripts`. Separate from the archive because S3
 * replicates objects from an Object Lock bucket only into an Object Lock bucket, and the
 * archive cannot have Object Lock (Resource Data Sync refuses such buckets). Keys keep
 * the archive's layout: `session-transcripts/account=<id>/region=<r>/<session id>.log`.
 */
export function transcriptArchiveBucketName(loc: ArchiveLocation): string {
  const name = `${loc.namePrefix}-${loc.hubAccountId}-${loc.hubRegion}-transcripts`;
  const problem = bucketNameProblem(name);
  if (problem) throw new Error(`transcript archive bucket name "${name}" ${problem}`);
  return name;
}

/** The transcript archive key's alias (without `alias/`): its own key, not the fleet archive's. */
export function transcriptArchiveKeyAlias(loc: ArchiveLocation): string {
  return `${loc.namePrefix}-transcripts`;
}

/**
 * The transcript archive key as a spoke names it: S3 Replication accepts an alias ARN as
 * `replica_kms_key_id` (ReplicaKmsKeyID: "key ARN or alias ARN"), and the key id is
 * unknown before the hub is applied.
 */
export function transcriptArchiveKeyAliasArn(loc: ArchiveLocation): string {
  return `arn:aws:kms:${loc.hubRegion}:${loc.hubAccountId}:alias/${transcriptArchiveKeyAlias(loc)}`;
}

/** The transcript archive key in a spoke's IAM policy: every key of the hub account-region, narrowed by alias (see archiveKeyGrant). */
export function transcriptArchiveKeyGrant(loc: ArchiveLocation): { readonly resource: string; readonly alias: string } {
  return { resource: `arn:aws:kms:${loc.hubRegion}:${loc.hubAccountId}:key/*`, alias: `alias/${transcriptArchiveKeyAlias(loc)}` };
}

/** Purpose of the spoke role S3 assumes to replicate transcripts (`<prefix>-transcript-replication-<region>`, Naming.iam). */
export const TRANSCRIPT_REPLICATION_PURPOSE = 'transcript-replication';

/**
 * The spoke replication roles as the hub's policies pin them (`aws:PrincipalArn`): the
 * role name of every region, in any member account (the account is decided by the
 * member condition and the `account=` prefix).
 */
export function transcriptReplicationRoleArnPattern(loc: Pick<ArchiveLocation, 'namePrefix'>): string {
  return `arn:aws:iam::*:role/${loc.namePrefix}-${TRANSCRIPT_REPLICATION_PURPOSE}-*`;
}
