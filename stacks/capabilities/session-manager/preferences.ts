/**
 * Session preferences and where sessions are recorded: the Session-type document
 * `SSM-SessionManagerRunShell`, the transcript bucket, the session log group, the
 * customer-managed key that encrypts all three, and the managed-instance role's
 * grants to write there (and nothing else).
 */
import { Construct } from 'constructs';
import { Annotations } from 'cdktf';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { SsmDocument } from '@cdktf/provider-aws/lib/ssm-document';
import { SharedResources, arn } from '../../platform/shared';
import { SessionManagerConfig } from './config';
import { CustomerKey } from '../../constructs/kms-key';
import { SecureBucket } from '../../constructs/secure-bucket';
import { PolicyStatement } from '../../constructs/policy-document';
import { sessionTranscriptPrefix } from '../../organization/archive-names';

/**
 * Session Manager reads its regional preferences from this document name; the
 * physical name is AWS's, not ours.
 */
export const PREFERENCES_DOCUMENT = 'SSM-SessionManagerRunShell';

/** The transcript key prefix as the document carries it: no trailing "/" (the agent joins `<prefix>/<session id>.log`). */
export function normalizedKeyPrefix(prefix: string): string {
  return prefix.replace(/\/+$/, '');
}

export interface PreferencesInputs {
  readonly bucketName: string;
  readonly keyPrefix: string;
  /** @default - CloudWatch Logs off */
  readonly logGroupName?: string;
  readonly kmsKeyArn: string;
}

/**
 * The document content Session Manager's console writes, from config. Every input is
 * present (empty when off), so the document reads the same as the console's.
 */
export function preferencesContent(cfg: SessionManagerConfig, p: PreferencesInputs): Record<string, unknown> {
  const cw = p.logGroupName !== undefined;
  return {
    schemaVersion: '1.0',
    description: 'Session Manager preferences, managed by ssm-baseline (change them in its configuration, not in the console)',
    sessionType: 'Standard_Stream',
    inputs: {
      s3BucketName: p.bucketName,
      s3KeyPrefix: p.keyPrefix,
      // Session Manager refuses to start a session when the bucket has no default encryption.
      s3EncryptionEnabled: true,
      cloudWatchLogGroupName: cw ? p.logGroupName : '',
      cloudWatchEncryptionEnabled: cw,
      cloudWatchStreamingEnabled: cw && cfg.cloudWatch.streaming,
      // Account-region wide: with a key, every node and every user needs a grant on it.
      kmsKeyId: cfg.encryptSessionData ? p.kmsKeyArn : '',
      runAsEnabled: cfg.runAs.enabled,
      runAsDefaultUser: cfg.runAs.enabled ? (cfg.runAs.defaultUser ?? '') : '',
      idleSessionTimeout: String(cfg.idleSessionTimeout),
      maxSessionDuration: cfg.maxSessionDuration === undefined ? '' : String(cfg.maxSessionDuration),
      shellProfile: { linux: cfg.shellProfile.linux, windows: cfg.shellProfile.windows },
    },
  };
}

export interface SessionPreferencesProps {
  /** The `sessionManager` section of the configuration. */
  readonly config: SessionManagerConfig;
  readonly shared: SharedResources;
  /** Emit an `import` block so the first apply adopts a document the console created. */
  readonly adoptExisting: boolean;
}

/**
 * The preferences document and its storage. One customer-managed key encrypts session
 * data (kmsKeyId), the transcripts (SSE-KMS) and the log group, so reading a
 * transcript needs kms:Decrypt on a key whose every use CloudTrail records.
 */
export class SessionPreferences extends Construct {
  readonly key: CustomerKey;
  readonly keyArn: string;
  readonly bucket: SecureBucket;
  readonly keyPrefix: string;
  readonly logGroup?: CloudwatchLogGroup;
  readonly logGroupName?: string;
  readonly document: SsmDocument;
  /** ARN of the preferences document (computed: the name is fixed by AWS). */
  readonly documentArn: string;

  constructor(scope: Construct, id: string, props: SessionPreferencesProps) {
    super(scope, id);
    const { config: cfg, shared } = props;
    // With a hub the key is the hub copy's too (replication keeps keys): the archive layout.
    this.keyPrefix = shared.hub ? sessionTranscriptPrefix(shared.accountId, shared.region) : normalizedKeyPrefix(cfg.s3KeyPrefix);
    this.logGroupName = cfg.cloudWatch.enabled ? `/${shared.naming.prefix}/session-manager/sessions` : undefined;
    const logGroupArn = this.logGroupName ? arn(shared, 'logs', `log-group:${this.logGroupName}`) : undefined;

    const key = new CustomerKey(this, 'key', {
      accountId: shared.accountId,
      alias: shared.naming.regional('session-manager', 'kmsAlias'),
      description: 'Encrypts Session Manager session data, transcripts and session logs',
      statements: logGroupArn
        ? [
            {
              // CloudWatch Logs encrypts with the service principal; the encryption
              // context pins every use to this one log group (AWS's documented grant).
              sid: 'AllowSessionLogGroup',
              actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
              resources: ['*'],
              principals: [{ type: 'Service', identifiers: [`logs.${shared.region}.amazonaws.com`] }],
              conditions: [{ test: 'ArnEquals', variable: 'kms:EncryptionContext:aws:logs:arn', values: [logGroupArn] }],
            },
          ]
        : [],
    });
    // Deleting the key would make every transcript and session log unreadable: a
    // destroy must fail until someone removes the key from the state on purpose.
    key.key.lifecycle = { ...key.key.lifecycle, preventDestroy: true };
    this.key = key;
    this.keyArn = this.key.keyArn;

    const lock = cfg.logBucket.objectLock;
    this.bucket = new SecureBucket(this, 'transcripts', {
      bucketName: shared.naming.bucket('sessions'),
      kmsKeyArn: this.keyArn,
      expirationDays: cfg.logBucket.retentionDays,
      glacierTransitionDays: cfg.logBucket.glacierTransitionDays,
      // Also what makes an Object Lock change visible: it replaces the bucket, which the plan refuses.
      preventDestroy: true,
      objectLock: lock.enabled ? { mode: 'GOVERNANCE', days: lock.retentionDays ?? cfg.logBucket.retentionDays } : undefined,
    });
    if (!lock.enabled) {
      Annotations.of(this).addWarning(
        `${shared.stackName}: sessionManager.logBucket.objectLock.enabled is false: whoever may write the transcript bucket can ` +
          'overwrite or delete transcripts (old versions stay 90 days). Object Lock is set when a bucket is created: switching it on ' +
          'later would replace the bucket, which the plan refuses (the bucket is protected from destroy).',
      );
    }

    if (this.logGroupName) {
      this.logGroup = new CloudwatchLogGroup(this, 'logs', {
        name: this.logGroupName,
        retentionInDays: cfg.cloudWatch.retentionDays,
        kmsKeyId: this.keyArn,
        // destroy (and removing the capability) forgets the group instead of deleting its logs.
        skipDestroy: true,
      });
    }

    this.document = new SsmDocument(this, 'document', {
      name: PREFERENCES_DOCUMENT,
      documentType: 'Session',
      documentFormat: 'JSON',
      // References (not literal names) so the bucket, group and key exist before the
      // document points sessions at them.
      content: JSON.stringify(
        preferencesContent(cfg, {
          bucketName: this.bucket.bucketName,
          keyPrefix: this.keyPrefix,
          logGroupName: this.logGroup?.name,
          kmsKeyArn: this.keyArn,
        }),
      ),
    });
    // Terraform >= 1.5: the first apply takes over the console-created document
    // instead of failing with DocumentAlreadyExists; afterwards the block is a no-op.
    if (props.adoptExisting) this.document.importFrom(PREFERENCES_DOCUMENT);
    this.documentArn = arn(shared, 'ssm', `document/${PREFERENCES_DOCUMENT}`);

    shared.instanceRole.addStatements(...this.instanceStatements(cfg, shared, logGroupArn));

    if (cfg.encryptSessionData) {
      Annotations.of(this).addWarning(
        `${shared.stackName}: sessionManager.encryptSessionData is on: Session Manager in this account-region encrypts every session ` +
          `with the session key, so every managed node needs kms:Decrypt on it (attach the policy of output managed_instance_policy_arn ` +
          `to every instance role, DHMC and hybrid activation role) and every user who opens sessions needs kms:GenerateDataKey on it ` +
          '(the operator policy has it). Nodes and users without these grants can no longer open sessions.',
      );
    }
  }

  /**
   * What the SSM Agent needs to record sessions, per AWS's "custom IAM role for
   * Session Manager with permissions for S3 and CloudWatch Logs", narrowed to this
   * bucket prefix, key and log group. No read access: instances cannot fetch
   * transcripts or log events back.
   */
  private instanceStatements(cfg: SessionManagerConfig, shared: SharedResources, logGroupArn: string | undefined): PolicyStatement[] {
    // Transcript keys are `<prefix>/<session id>.log` and stream names the session id:
    // neither carries the instance id, so no policy variable can narrow a write to the
    // writing instance. Writes are new versions at most; removing or unlocking is denied below.
    const statements: PolicyStatement[] = [
      { sid: 'SessionTranscriptsWrite', actions: ['s3:PutObject'], resources: [this.bucket.arnForObjects(`${this.keyPrefix}/`)] },
      // The agent checks default encryption before each session (s3EncryptionEnabled).
      { sid: 'SessionTranscriptsCheckEncryption', actions: ['s3:GetEncryptionConfiguration'], resources: [this.bucket.bucketArn] },
    ];
    if (cfg.encryptSessionData) {
      // kmsKeyId: the client encrypts session data with a data key, the agent decrypts it.
      statements.push({ sid: 'SessionDataDecrypt', actions: ['kms:Decrypt'], resources: [this.keyArn] });
    }
    statements.push(
      {
        // SSE-KMS uploads: S3 asks KMS for the data key on the instance's behalf, and a
        // multipart upload (a transcript larger than the agent's part size) also has S3
        // decrypt that key to complete it (S3 user guide, SSE-KMS permissions).
        sid: 'SessionTranscriptsEncrypt',
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: [this.keyArn],
        conditions: [{ test: 'StringEquals', variable: 'kms:ViaService', values: [`s3.${shared.region}.amazonaws.com`] }],
      },
      {
        // Explicit denies, so a broader grant elsewhere on an instance role (another
        // team's role with S3 write access) cannot remove or unlock a recording either.
        sid: 'DenySessionRecordTampering',
        effect: 'Deny',
        actions: [
          's3:BypassGovernanceRetention',
          's3:DeleteObject',
          's3:DeleteObjectVersion',
          's3:PutObjectLegalHold',
          's3:PutObjectRetention',
        ],
        resources: [this.bucket.arnForObjects()],
      },
      {
        sid: 'DenySessionRecordBucketChanges',
        effect: 'Deny',
        actions: [
          's3:DeleteBucket',
          's3:DeleteBucketPolicy',
          's3:PutBucketObjectLockConfiguration',
          's3:PutBucketPolicy',
          's3:PutBucketVersioning',
          's3:PutLifecycleConfiguration',
        ],
        resources: [this.bucket.bucketArn],
      },
    );
    if (logGroupArn) {
      statements.push(
        { sid: 'SessionLogsWrite', actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [`${logGroupArn}:log-stream:*`] },
        // The group's ARN and AWS's documented `<group>:*` form: this group only either way.
        { sid: 'SessionLogsDescribeStreams', actions: ['logs:DescribeLogStreams'], resources: [logGroupArn, `${logGroupArn}:*`] },
        // The agent checks that the group exists and is KMS-encrypted;
        // DescribeLogGroups has no resource-level permissions.
        { sid: 'SessionLogsFindGroup', actions: ['logs:DescribeLogGroups'], resources: ['*'] },
        {
          sid: 'DenySessionRecordLogChanges',
          effect: 'Deny',
          actions: ['logs:DeleteLogGroup', 'logs:DeleteLogStream', 'logs:DeleteRetentionPolicy', 'logs:PutRetentionPolicy'],
          resources: [logGroupArn, `${logGroupArn}:*`],
        },
      );
    }
    return statements;
  }
}
