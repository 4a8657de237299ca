/**
 * The archive's resource policies as data: the bucket and key statements, and their
 * rendered sizes against AWS's limits. Pure (no construct code), so the configuration
 * check can refuse an account list the bucket policy cannot hold before any synth.
 */
import type { PolicyCondition, PolicyStatement } from '../constructs/policy-document';
import { terraformLiteral } from '../platform/literal';
import { ARCHIVE_FOLDERS, SPOKE_WRITTEN_FOLDERS, archiveBucketName } from './archive-names';
import { POLICY_SIZE_LIMITS, policyBytes } from './policy-size';

/** Who may write: the listed member accounts, or every account of one organization. */
export interface ArchiveWriters {
  /** Spoke account ids (12 digits). Ignored for the grants when organizationId is set. */
  readonly memberAccountIds: readonly string[];
  /** AWS Organizations id (`o-...`): grants by `aws:PrincipalOrgID` / `aws:SourceOrgID` instead of account lists. @default - by account */
  readonly organizationId?: string;
}

/**
 * What is wrong with a hub account and its writers, one line per problem naming the prop:
 * the same members are admitted by every hub bucket, so every one checks them alike.
 */
export function writersProblems(hubAccountId: string, w: ArchiveWriters): string[] {
  const out: string[] = [];
  if (!/^\d{12}$/.test(hubAccountId)) out.push(`hubAccountId: must be 12 digits, got "${hubAccountId}"`);
  const bad = w.memberAccountIds.filter((a) => !/^\d{12}$/.test(a));
  if (bad.length)
    out.push(
      `memberAccountIds: must be 12 digits each, got ${bad
        .slice(0, 3)
        .map((a) => `"${a}"`)
        .join(', ')}`,
    );
  if (new Set(w.memberAccountIds).size !== w.memberAccountIds.length) out.push('memberAccountIds: lists an account twice');
  if (w.organizationId !== undefined && !/^o-[a-z0-9]{10,32}$/.test(w.organizationId))
    out.push(`organizationId: must look like o-a1b2c3d4e5 (o- and 10-32 lower-case letters or digits), got "${w.organizationId}"`);
  if (!w.organizationId && w.memberAccountIds.length === 0)
    out.push('memberAccountIds: name at least one spoke account, or set organizationId');
  return out;
}

/** `${aws:PrincipalAccount}` as AWS must receive it. */
export const PRINCIPAL_ACCOUNT = terraformLiteral('${aws:PrincipalAccount}');

// Policy variables reach AWS literally: Terraform would otherwise read `${...}` as a reference.
const SOURCE_ACCOUNT = terraformLiteral('${aws:SourceAccount}');

/** Every resource data sync of any account and region: the account is bound by the writers' condition. */
const RESOURCE_DATA_SYNC_ARNS = 'arn:aws:ssm:*:*:resource-data-sync/*';

/** The condition that admits the writers: by organization when known, else by account list. */
export function writersCondition(w: ArchiveWriters, kind: 'principal' | 'source'): PolicyCondition {
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
        { test: 'ArnLike', variable: 'aws:SourceArn', values: [RESOURCE_DATA_SYNC_ARNS] },
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
 * Resource Data Sync needs kms:GenerateDataKey for ssm.amazonaws.com with the source
 * conditions the SSM user guide gives for an encrypted sync (confused-deputy prevention):
 * the member accounts (`aws:SourceAccount`, or `aws:SourceOrgID` as in the bucket
 * policy) and a resource data sync as `aws:SourceArn`; the encryption context binds it
 * to the bucket's `inventory/` folder besides.
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
      conditions: [
        writersCondition(w, 'source'),
        { test: 'ArnLike', variable: 'aws:SourceArn', values: [RESOURCE_DATA_SYNC_ARNS] },
        { test: 'StringLike', variable: context, values: [bucketArn, `${bucketArn}/${ARCHIVE_FOLDERS.inventory}/*`] },
      ],
    },
  ];
}

/**
 * The statements the building blocks add on their own, for measuring: SecureBucket's
 * TLS-only deny (as `denyInsecureTransport` writes it; a test compares the two) and
 * CustomerKey's root delegation.
 */
function tlsOnly(bucketArn: string): PolicyStatement {
  return {
    sid: 'DenyInsecureTransport',
    effect: 'Deny',
    actions: ['s3:*'],
    resources: [bucketArn, `${bucketArn}/*`],
    principals: [{ type: '*', identifiers: ['*'] }],
    conditions: [{ test: 'Bool', variable: 'aws:SecureTransport', values: ['false'] }],
  };
}

function archiveRootDelegation(hubAccountId: string): PolicyStatement {
  return {
    sid: 'EnableIamPolicies',
    actions: ['kms:*'],
    resources: ['*'],
    principals: [{ type: 'AWS', identifiers: [`arn:aws:iam::${hubAccountId}:root`] }],
  };
}

export interface ArchivePolicyInput extends ArchiveWriters {
  readonly namePrefix: string;
  readonly hubAccountId: string;
  readonly hubRegion: string;
}

/** The archive policies' rendered sizes, in bytes, as S3 and KMS count them. */
export function archivePolicySizes(input: ArchivePolicyInput): PolicySizes {
  const bucketArn = `arn:aws:s3:::${archiveBucketName(input)}`;
  return hubPolicySizes(
    bucketArn,
    input.hubAccountId,
    archiveBucketStatements(bucketArn, input),
    archiveKeyStatements(bucketArn, input.hubRegion, input),
  );
}

/** Rendered bytes of a hub bucket's policy and of its key's policy. */
export interface PolicySizes {
  readonly bucketPolicy: number;
  readonly keyPolicy: number;
}

/**
 * Rendered bytes of a hub bucket's policy and of its customer key's policy, from the
 * statements the construct passes: with what SecureBucket and CustomerKey add to them.
 */
export function hubPolicySizes(
  bucketArn: string,
  hubAccountId: string,
  bucketStatements: readonly PolicyStatement[],
  keyStatements: readonly PolicyStatement[],
): PolicySizes {
  return {
    bucketPolicy: policyBytes([tlsOnly(bucketArn), ...bucketStatements]),
    keyPolicy: policyBytes([archiveRootDelegation(hubAccountId), ...keyStatements]),
  };
}

/** Refuse a policy AWS would reject at apply, naming the way out (`owner`: the construct). */
export function checkPolicySize(owner: string, what: string, bytes: number, limit: number, w: ArchiveWriters): void {
  if (bytes <= limit) return;
  throw new Error(
    `${owner}: the ${what} for ${w.memberAccountIds.length} member accounts is ${bytes} bytes, over AWS's limit of ${limit}. ` +
      'Set organizationId (the o-... id of the AWS Organization) to grant by aws:PrincipalOrgID instead of listing every account.',
  );
}

/** The first archive policy over its AWS limit, or undefined when both fit. */
export function archivePolicyOverLimit(input: ArchivePolicyInput): { what: string; bytes: number; limit: number } | undefined {
  const sizes = archivePolicySizes(input);
  if (sizes.bucketPolicy > POLICY_SIZE_LIMITS.bucketPolicy)
    return { what: 'archive bucket policy', bytes: sizes.bucketPolicy, limit: POLICY_SIZE_LIMITS.bucketPolicy };
  if (sizes.keyPolicy > POLICY_SIZE_LIMITS.keyPolicy)
    return { what: 'archive key policy', bytes: sizes.keyPolicy, limit: POLICY_SIZE_LIMITS.keyPolicy };
  return undefined;
}
