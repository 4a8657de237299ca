import { Construct } from 'constructs';
import { SecureBucket } from '../constructs/secure-bucket';
import { CustomerKey } from '../constructs/kms-key';
import { PolicyCondition, PolicyStatement, denyInsecureTransport } from '../constructs/policy-document';
import { terraformLiteral } from '../platform/literal';
import { ARCHIVE_FOLDERS, SPOKE_WRITTEN_FOLDERS, archiveBucketName, archiveKeyAlias } from './archive-names';
import { POLICY_SIZE_LIMITS, policyBytes } from './policy-size';

/** Who may write: the listed member accounts, or every account of one organization. */
export interface ArchiveWriters {
  /** Spoke account ids (12 digits). Ignored for the grants when organizationId is set. */
  readonly memberAccountIds: readonly string[];
  /** AWS Organizations id (`o-...`): grants by `aws:PrincipalOrgID` / `aws:SourceOrgID` instead of account lists. @default - by account */
  readonly organizationId?: string;
}

export interface HubArchiveProps extends ArchiveWriters {
  /** Name prefix of the deployment. */
  readonly namePrefix: string;
  /** The hub account id (owner of bucket and key). */
  readonly hubAccountId: string;
  /** The hub region (bucket and key live here; the key policy names `s3.<region>.amazonaws.com`). */
  readonly hubRegion: string;
  /** Days current object versions are kept. @default 730 */
  readonly retentionDays?: number;
  /** Days noncurrent versions (replaced inventory files) are kept. @default 30 */
  readonly noncurrentVersionExpirationDays?: number;
}

/** Defaults of HubArchive, in one place. */
export const HUB_ARCHIVE_DEFAULTS = { retentionDays: 730, noncurrentVersionExpirationDays: 30 } as const;

// Policy variables reach AWS literally: Terraform would otherwise read `${...}` as a reference.
const PRINCIPAL_ACCOUNT = terraformLiteral('${aws:PrincipalAccount}');
const SOURCE_ACCOUNT = terraformLiteral('${aws:SourceAccount}');

/** The condition that admits the writers: by organization when known, else by account list. */
function writersCondition(w: ArchiveWriters, kind: 'principal' | 'source'): PolicyCondition {
  if (w.organizationId)
    return { test: 'StringEquals', variable: kind === 'principal' ? 'aws:PrincipalOrgID' : 'aws:SourceOrgID', values: [w.organizationId] };
  return {
    test: 'StringEquals',
    variable: kind === 'principal' ? 'aws:PrincipalAccount' : 'aws:SourceAccount',
    values: [...w.memberAccountIds],
  };
}

/**
 * The archive bucket's grants (besides SecureBucket's TLS-only deny).
 * - Spoke principals (the patch-history state machine role, instance roles writing
 *   Session Manager transcripts) write only below `<folder>/account=<their account>/`:
 *   the resource names `${aws:PrincipalAccount}`, which AWS fills from the caller.
 *   The Session Manager agent also reads the bucket's default encryption before each
 *   session (`s3EncryptionEnabled`). One statement carries both, so the account list
 *   appears once: s3:PutObject matches only object ARNs and
 *   s3:GetEncryptionConfiguration only the bucket ARN.
 * - SSM Resource Data Sync (ssm.amazonaws.com, on behalf of each spoke's sync) checks the
 *   bucket ACL and writes `inventory/AWS:<Type>/accountid=<id>/...` with the
 *   bucket-owner-full-control ACL; `${aws:SourceAccount}` keeps each account in its folder.
 * - The sync folder pattern starts with a wildcard, which may span "/": a sync whose
 *   prefix itself contains `accountid=<other>` would land below another account's
 *   folder. A deny on any key naming `accountid=` twice closes that.
 */
export function archiveBucketStatements(bucketArn: string, w: ArchiveWriters): PolicyStatement[] {
  const inventory = `${bucketArn}/${ARCHIVE_FOLDERS.inventory}`;
  return [
    {
      sid: 'SpokesWriteOwnAccountPrefix',
      actions: ['s3:GetEncryptionConfiguration', 's3:PutObject'],
      resources: [bucketArn, ...SPOKE_WRITTEN_FOLDERS.map((f) => `${bucketArn}/${f}/account=${PRINCIPAL_ACCOUNT}/*`)],
      principals: [{ type: '*', identifiers: ['*'] }],
      conditions: [writersCondition(w, 'principal')],
    },
    {
      // As the SSM user guide has it; the ACL of a bucket with ACLs disabled only names the owner.
      sid: 'InventorySyncBucketCheck',
      actions: ['s3:GetBucketAcl'],
      resources: [bucketArn],
      principals: [{ type: 'Service', identifiers: ['ssm.amazonaws.com'] }],
    },
    {
      sid: 'InventorySyncDelivery',
      actions: ['s3:PutObject'],
      resources: [`${inventory}/*/accountid=${SOURCE_ACCOUNT}/*`],
      principals: [{ type: 'Service', identifiers: ['ssm.amazonaws.com'] }],
      conditions: [
        { test: 'StringEquals', variable: 's3:x-amz-acl', values: ['bucket-owner-full-control'] },
        writersCondition(w, 'source'),
        { test: 'ArnLike', variable: 'aws:SourceArn', values: ['arn:aws:ssm:*:*:resource-data-sync/*'] },
      ],
    },
    {
      sid: 'DenyNestedAccountFolders',
      effect: 'Deny',
      actions: ['s3:PutObject'],
      resources: [`${inventory}/*accountid=*accountid=*`],
      principals: [{ type: '*', identifiers: ['*'] }],
    },
  ];
}

/**
 * The archive key's grants (besides CustomerKey's root delegation). S3 asks KMS for data
 * keys on the writer's behalf (kms:ViaService), and a multipart upload also has S3
 * decrypt that key. The encryption context S3 sends is the object ARN, or the bucket ARN
 * when S3 Bucket Keys are on (SecureBucket turns them on), so both are admitted, for
 * this bucket only. The spoke-prefix rule itself lives in the bucket policy.
 * Resource Data Sync needs kms:GenerateDataKey for ssm.amazonaws.com (SSM user guide);
 * the guide names no source condition for KMS, so the statement is bound to the bucket
 * and folder through the encryption context rather than an unverified source key.
 */
export function archiveKeyStatements(bucketArn: string, hubRegion: string, w: ArchiveWriters): PolicyStatement[] {
  const context = 'kms:EncryptionContext:aws:s3:arn';
  return [
    {
      sid: 'SpokeWritersThroughS3',
      actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
      resources: ['*'],
      principals: [{ type: 'AWS', identifiers: ['*'] }],
      conditions: [
        writersCondition(w, 'principal'),
        { test: 'StringEquals', variable: 'kms:ViaService', values: [`s3.${hubRegion}.amazonaws.com`] },
        { test: 'StringLike', variable: context, values: [bucketArn, ...SPOKE_WRITTEN_FOLDERS.map((f) => `${bucketArn}/${f}/account=*`)] },
      ],
    },
    {
      sid: 'InventorySyncThroughS3',
      actions: ['kms:GenerateDataKey'],
      resources: ['*'],
      principals: [{ type: 'Service', identifiers: ['ssm.amazonaws.com'] }],
      conditions: [{ test: 'StringLike', variable: context, values: [bucketArn, `${bucketArn}/${ARCHIVE_FOLDERS.inventory}/*`] }],
    },
  ];
}

/** Refuse a policy AWS would reject at apply, naming the way out. */
function checkSize(what: string, bytes: number, limit: number, w: ArchiveWriters): void {
  if (bytes <= limit) return;
  throw new Error(
    `HubArchive: the ${what} for ${w.memberAccountIds.length} member accounts is ${bytes} bytes, over AWS's limit of ${limit}. ` +
      'Set organizationId (the o-... id of the AWS Organization) to grant by aws:PrincipalOrgID instead of listing every account.',
  );
}

/**
 * The hub's fleet archive: one SSE-KMS bucket (customer key) receiving patch snapshots,
 * session transcripts and the inventory Resource Data Sync from every spoke, each spoke
 * confined to its own account prefix. No Object Lock: Resource Data Sync cannot write
 * to a bucket with Object Lock (SSM user guide).
 */
export class HubArchive extends Construct {
  readonly bucket: SecureBucket;
  readonly key: CustomerKey;
  /** The bucket name (a literal: spokes compute the same one). */
  readonly bucketName: string;
  readonly bucketArn: string;
  readonly keyArn: string;
  /** Rendered sizes at synth, in bytes (for tests and the docs' limits table). */
  readonly policySizes: { readonly bucketPolicy: number; readonly keyPolicy: number };

  constructor(scope: Construct, id: string, props: HubArchiveProps) {
    super(scope, id);
    const problems = validate(props);
    if (problems.length) throw new Error(`HubArchive:\n${problems.map((p) => `  ${p}`).join('\n')}`);

    this.bucketName = archiveBucketName(props);
    // A literal ARN: the key policy names the bucket before the bucket exists.
    this.bucketArn = `arn:aws:s3:::${this.bucketName}`;
    const bucketStatements = archiveBucketStatements(this.bucketArn, props);
    const keyStatements = archiveKeyStatements(this.bucketArn, props.hubRegion, props);

    const rootDelegation: PolicyStatement = {
      sid: 'EnableIamPolicies',
      actions: ['kms:*'],
      resources: ['*'],
      principals: [{ type: 'AWS', identifiers: [`arn:aws:iam::${props.hubAccountId}:root`] }],
    };
    const tlsDeny = denyInsecureTransport(['s3:*'], [this.bucketArn, `${this.bucketArn}/*`]);
    this.policySizes = {
      bucketPolicy: policyBytes([tlsDeny, ...bucketStatements]),
      keyPolicy: policyBytes([rootDelegation, ...keyStatements]),
    };
    checkSize('archive bucket policy', this.policySizes.bucketPolicy, POLICY_SIZE_LIMITS.bucketPolicy, props);
    checkSize('archive key policy', this.policySizes.keyPolicy, POLICY_SIZE_LIMITS.keyPolicy, props);

    this.key = new CustomerKey(this, 'key', {
      accountId: props.hubAccountId,
      alias: archiveKeyAlias(props),
      description: 'Fleet archive: patch snapshots, session transcripts and inventory of every spoke (ssm-baseline)',
      statements: keyStatements,
    });
    this.keyArn = this.key.keyArn;
    this.bucket = new SecureBucket(this, 'bucket', {
      bucketName: this.bucketName,
      kmsKeyArn: this.key.keyArn,
      expirationDays: props.retentionDays ?? HUB_ARCHIVE_DEFAULTS.retentionDays,
      noncurrentVersionExpirationDays: props.noncurrentVersionExpirationDays ?? HUB_ARCHIVE_DEFAULTS.noncurrentVersionExpirationDays,
      policyStatements: bucketStatements,
    });
  }
}

/** Every problem of the props at once, field by field. */
function validate(p: HubArchiveProps): string[] {
  const out: string[] = [];
  if (!/^\d{12}$/.test(p.hubAccountId)) out.push(`hubAccountId: must be 12 digits, got "${p.hubAccountId}"`);
  const bad = p.memberAccountIds.filter((a) => !/^\d{12}$/.test(a));
  if (bad.length)
    out.push(
      `memberAccountIds: must be 12 digits each, got ${bad
        .slice(0, 3)
        .map((a) => `"${a}"`)
        .join(', ')}`,
    );
  if (new Set(p.memberAccountIds).size !== p.memberAccountIds.length) out.push('memberAccountIds: lists an account twice');
  if (p.organizationId !== undefined && !/^o-[a-z0-9]{10,32}$/.test(p.organizationId))
    out.push(`organizationId: must look like o-a1b2c3d4e5 (o- and 10-32 lower-case letters or digits), got "${p.organizationId}"`);
  if (!p.organizationId && p.memberAccountIds.length === 0)
    out.push('memberAccountIds: name at least one spoke account, or set organizationId');
  return out;
}
