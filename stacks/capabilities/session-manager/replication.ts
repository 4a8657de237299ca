/**
 * With an organization hub: S3 Replication copies every new transcript from this
 * account-region's locked bucket (which stays the audit copy) to the hub's locked
 * transcript bucket, under the same key.
 */
import { Construct } from 'constructs';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { S3BucketReplicationConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-replication-configuration';
import type { S3BucketVersioningA } from '@cdktf/provider-aws/lib/s3-bucket-versioning';
import { PolicyDocument, PolicyStatement, serviceTrust } from '../../constructs/policy-document';
import type { SecureBucket } from '../../constructs/secure-bucket';
import type { ArchiveLocation } from '../../organization/archive-names';
import {
  TRANSCRIPT_REPLICATION_PURPOSE,
  transcriptArchiveBucketName,
  transcriptArchiveKeyAliasArn,
  transcriptArchiveKeyGrant,
} from '../../organization/archive-names';
import type { SharedResources } from '../../platform/shared';

export interface TranscriptReplicationProps {
  readonly shared: SharedResources;
  /** Where the hub is (SharedResources.hub.archive). */
  readonly hub: ArchiveLocation;
  /** This account-region's transcript bucket (versioned, SSE-KMS). */
  readonly bucket: SecureBucket;
  /** Its key: S3 decrypts each source object with it as the replication role. */
  readonly keyArn: string;
  /** The transcript key prefix, no trailing "/" (the same in both buckets). */
  readonly keyPrefix: string;
}

/** The replication role's grants, per the S3 user guide's replication role with Object Lock and SSE-KMS. */
export function replicationStatements(p: Omit<TranscriptReplicationProps, 'shared'> & { region: string }): PolicyStatement[] {
  const destination = `arn:aws:s3:::${transcriptArchiveBucketName(p.hub)}`;
  const hubKey = transcriptArchiveKeyGrant(p.hub);
  return [
    { sid: 'ReadReplicationConfiguration', actions: ['s3:GetReplicationConfiguration', 's3:ListBucket'], resources: [p.bucket.bucketArn] },
    {
      // Retention and legal hold travel with each replica (Object Lock source).
      sid: 'ReadTranscriptVersions',
      actions: [
        's3:GetObjectLegalHold',
        's3:GetObjectRetention',
        's3:GetObjectVersionAcl',
        's3:GetObjectVersionForReplication',
        's3:GetObjectVersionTagging',
      ],
      resources: [p.bucket.arnForObjects(`${p.keyPrefix}/`)],
    },
    {
      sid: 'DecryptTranscripts',
      actions: ['kms:Decrypt'],
      resources: [p.keyArn],
      conditions: [{ test: 'StringEquals', variable: 'kms:ViaService', values: [`s3.${p.region}.amazonaws.com`] }],
    },
    {
      // Only this account-region's folder: the hub's policy admits no other account's anyway.
      sid: 'ReplicateToHub',
      actions: ['s3:ObjectOwnerOverrideToBucketOwner', 's3:ReplicateObject', 's3:ReplicateTags'],
      resources: [`${destination}/${p.keyPrefix}/*`],
    },
    { sid: 'ReadHubVersioning', actions: ['s3:GetBucketVersioning'], resources: [destination] },
    {
      // KMS authorizes against the key ARN, unknown before the hub exists: every key of
      // the hub account-region, narrowed to the transcript key by its alias.
      sid: 'EncryptReplicasWithHubKey',
      actions: ['kms:Encrypt', 'kms:GenerateDataKey'],
      resources: [hubKey.resource],
      conditions: [
        { test: 'StringEquals', variable: 'kms:ViaService', values: [`s3.${p.hub.hubRegion}.amazonaws.com`] },
        { test: 'ForAnyValue:StringEquals', variable: 'kms:ResourceAliases', values: [hubKey.alias] },
      ],
    },
  ];
}

export class TranscriptReplication extends Construct {
  readonly role: IamRole;
  readonly configuration: S3BucketReplicationConfigurationA;

  constructor(scope: Construct, id: string, props: TranscriptReplicationProps) {
    super(scope, id);
    const { shared, hub, bucket, keyPrefix } = props;
    // S3 passes the source bucket's account and ARN when it assumes the role.
    const trust = new PolicyDocument(this, 'trust', [
      serviceTrust('s3.amazonaws.com', [
        { test: 'StringEquals', variable: 'aws:SourceAccount', values: [shared.accountId] },
        { test: 'ArnEquals', variable: 'aws:SourceArn', values: [bucket.bucketArn] },
      ]),
    ]);
    this.role = new IamRole(this, 'role', {
      name: shared.naming.iam(TRANSCRIPT_REPLICATION_PURPOSE),
      description: `Replicates Session Manager transcripts to ${transcriptArchiveBucketName(hub)}`,
      assumeRolePolicy: trust.json,
    });
    const policy = new PolicyDocument(this, 'policy', replicationStatements({ ...props, region: shared.region }));
    const grant = new IamRolePolicy(this, 'role-policy', { name: TRANSCRIPT_REPLICATION_PURPOSE, role: this.role.id, policy: policy.json });

    // Same account (the hub account's own regions): the replicas are the owner's already.
    const crossAccount = hub.hubAccountId !== shared.accountId;
    this.configuration = new S3BucketReplicationConfigurationA(this, 'configuration', {
      bucket: bucket.bucket.id,
      role: this.role.arn,
      rule: [
        {
          id: 'transcripts-to-hub',
          status: 'Enabled',
          filter: { prefix: `${keyPrefix}/` },
          // Deleting (a delete marker) here never deletes in the hub.
          deleteMarkerReplication: { status: 'Disabled' },
          sourceSelectionCriteria: { sseKmsEncryptedObjects: { status: 'Enabled' } },
          destination: {
            bucket: `arn:aws:s3:::${transcriptArchiveBucketName(hub)}`,
            ...(crossAccount ? { account: hub.hubAccountId, accessControlTranslation: { owner: 'Destination' } } : {}),
            encryptionConfiguration: { replicaKmsKeyId: transcriptArchiveKeyAliasArn(hub) },
          },
        },
      ],
      // S3 refuses a replication configuration on an unversioned bucket; a first
      // replication must not run before the role may read and write.
      dependsOn: [bucket.node.findChild('versioning') as S3BucketVersioningA, grant],
    });
  }
}
