import { Construct } from 'constructs';
import { SharedResources } from '../../platform/shared';
import type { SessionManagerConfig } from './config';
import { adoptsDocument, bastionHere } from './config';
import { namedOutput } from '../../constructs/named-output';
import { SessionPreferences } from './preferences';
import { SessionOperators } from './operators';
import { LoginAlerts } from './alerts';
import { SessionBastion } from './bastion';

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

  constructor(scope: Construct, id: string, props: SessionManagerProps) {
    super(scope, id);
    const { config: cfg, shared } = props;

    this.preferences = new SessionPreferences(this, 'preferences', {
      config: cfg,
      shared,
      adoptExisting: adoptsDocument(cfg, shared.stackName),
    });

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
