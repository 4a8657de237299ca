import { Construct } from 'constructs';
import { TerraformResource, TerraformStack } from 'cdktf';
import { SharedResources } from '../../platform/shared';
import { forgetResource } from '../../constructs/refactoring';
import { ManagedInstanceRole } from '../../constructs/managed-instance-role';
import type { SessionManagerConfig } from './config';
import { adoptsDocument, bastionHere } from './config';
import { namedOutput } from '../../constructs/named-output';
import { SessionPreferences } from './preferences';
import { SessionOperators } from './operators';
import { LoginAlerts } from './alerts';
import { SessionBastion } from './bastion';
import { TranscriptReplication } from './replication';

/** Construct id of the preferences and records (API: their addresses derive from it). */
const PREFERENCES_ID = 'preferences';

export interface SessionManagerProps {
  /** The `sessionManager` section of the configuration. */
  readonly config: SessionManagerConfig;
  readonly shared: SharedResources;
}

/**
 * Audited Session Manager access. The regional preferences document
 * (adopted when the console already created it) sends every session to an encrypted
 * bucket and log group; an operator policy opens sessions only on the intended nodes
 * and only through that document; every login is mailed; an optional bastion gives a
 * maintenance host with no open port.
 */
export class SessionManager extends Construct {
  readonly preferences: SessionPreferences;
  readonly bastion?: SessionBastion;
  readonly operators: SessionOperators;
  readonly alerts?: LoginAlerts;
  /** With a hub: the copy of every new transcript to the hub's transcript bucket. */
  readonly replication?: TranscriptReplication;

  constructor(scope: Construct, id: string, props: SessionManagerProps) {
    super(scope, id);
    const { config: cfg, shared } = props;

    this.preferences = new SessionPreferences(this, PREFERENCES_ID, {
      config: cfg,
      shared,
      adoptExisting: adoptsDocument(cfg, shared.stackName),
    });

    if (shared.hub) {
      this.replication = new TranscriptReplication(this, 'transcript-replication', {
        shared,
        hub: shared.hub.archive,
        bucket: this.preferences.bucket,
        keyArn: this.preferences.keyArn,
        keyPrefix: this.preferences.keyPrefix,
      });
    }

    if (bastionHere(cfg, shared.accountId, shared.region)) {
      this.bastion = new SessionBastion(this, 'bastion', { config: cfg.bastion, shared });
    }

    this.operators = new SessionOperators(this, 'operators', {
      config: cfg,
      shared,
      documentArn: this.preferences.documentArn,
      keyArn: this.preferences.keyArn,
      extraTargetArns: this.bastion ? [this.bastion.instanceArn] : [],
    });

    if (cfg.loginAlerts.enabled) {
      this.alerts = new LoginAlerts(this, 'login-alerts', {
        config: cfg.loginAlerts,
        shared,
        transcriptBucket: this.preferences.bucket.bucketName,
        transcriptPrefix: this.preferences.keyPrefix,
        logGroupName: this.preferences.logGroupName,
      });
    }

    const outputs: Array<[string, string, string]> = [
      ['session_manager_operator_policy_arn', this.operators.operatorPolicyArn, 'Attach to the operators who may open sessions'],
      [
        'session_manager_transcript_bucket',
        this.preferences.bucket.bucketName,
        `Session transcripts (s3://<bucket>/${this.preferences.keyPrefix}/<session id>.log)`,
      ],
      ['session_manager_key_arn', this.preferences.keyArn, 'KMS key of session data, transcripts and session logs'],
    ];
    if (this.preferences.logGroupName)
      outputs.push([
        'session_manager_log_group',
        this.preferences.logGroupName,
        'CloudWatch Logs group of session output (one stream per session)',
      ]);
    if (this.operators.guardPolicyArn)
      outputs.push(['session_manager_guard_policy_arn', this.operators.guardPolicyArn, 'Attach to every non-admin principal']);
    if (this.bastion) {
      outputs.push(
        [
          'session_manager_bastion_instance_id',
          this.bastion.instanceId,
          'aws ssm start-session --document-name SSM-SessionManagerRunShell --target <id>',
        ],
        [
          'session_manager_bastion_security_group_id',
          this.bastion.securityGroup.id,
          'Add egress rules here for the hosts the bastion may reach',
        ],
      );
    }
    for (const [name, value, description] of outputs) namedOutput(this, name, value, description);
  }
}

/**
 * Terraform addresses of everything that records sessions (the key and its alias, the
 * transcript bucket and its configuration, the log group, the preferences document) as
 * the enabled capability `id` names them in this stack. The real constructs are built in
 * a scratch stack that is never synthesized: a logical id depends only on the construct
 * path below the stack (cdktf's public `getLogicalId`), so they match the enabled stack's.
 * Object Lock and CloudWatch Logs are switched on so their resources are included too
 * (a removed block for an address the state does not hold changes nothing).
 */
export function sessionRecordAddresses(id: string, config: SessionManagerConfig, shared: SharedResources): string[] {
  // A bare root, not an App: an App creates its output folder on disk.
  const scratch = new TerraformStack(new Construct(undefined as unknown as Construct, ''), shared.stackName);
  const instanceRole = new ManagedInstanceRole(scratch, 'scratch-instance-role', {
    roleName: shared.naming.iam('managed-instance'),
    instanceProfileName: shared.naming.iam('managed-instance', 'instanceProfile'),
    policyName: shared.naming.iam('managed-instance', 'iamPolicy'),
  });
  const everything: SessionManagerConfig = {
    ...config,
    enabled: true,
    cloudWatch: { ...config.cloudWatch, enabled: true },
    logBucket: { ...config.logBucket, objectLock: { ...config.logBucket.objectLock, enabled: true } },
  };
  const preferences = new SessionPreferences(new Construct(scratch, id), PREFERENCES_ID, {
    config: everything,
    shared: { ...shared, instanceRole },
    adoptExisting: false,
  });
  return preferences.node
    .findAll()
    .filter(TerraformResource.isTerraformResource)
    .map((r) => `${(r as TerraformResource).terraformResourceType}.${scratch.getLogicalId(r)}`);
}

/**
 * The capability's retirement (`enabled: false`): Terraform forgets the session records
 * instead of destroying them (`removed` blocks, destroy = false, Terraform >= 1.7). The
 * transcripts, session logs and the key that decrypts them stay; so does the preferences
 * document, so sessions keep being recorded into the kept bucket and group instead of
 * silently falling back to unrecorded ones. Everything else of the capability (alerts,
 * operator and guard policies, instance grants, bastion) is destroyed as usual.
 */
export function forgetSessionRecords(scope: Construct, id: string, config: SessionManagerConfig, shared: SharedResources): void {
  for (const address of sessionRecordAddresses(id, config, shared)) forgetResource(scope, address);
}
