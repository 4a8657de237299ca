import { Construct } from 'constructs';
import { SsmAssociation } from '@cdktf/provider-aws/lib/ssm-association';
import { SsmServiceSetting } from '@cdktf/provider-aws/lib/ssm-service-setting';
import { NotifierPlacement, SharedResources, arn, eventRuleBase, notifierFunctionBase } from '../../platform/shared';
import { AgentUpdateConfig } from './config';
import { SecureBucket } from '../../constructs/secure-bucket';
import { namedOutput } from '../../constructs/named-output';
import { NotifierFunction } from '../../constructs/notifier-function';
import type { SpokeRead } from '../../platform/shared';
import { EventRule } from '../../constructs/event-rule';
import { associationTargets } from '../../constructs/association-targets';
import { AGENT_UPDATE_ENVIRONMENT } from './env';
import { AGENT_UPDATE_DOCUMENT, associationResultPattern } from './patterns';
import { AgentUpdateDigest } from './digest';

/** Key prefix of this association's output in the output bucket (no trailing "/"). */
export const OUTPUT_PREFIX = 'agent-update';

/** Service setting that names the Default Host Management Configuration role. */
export const DHMC_SETTING = '/ssm/managed-instance/default-ec2-instance-management-role';

/**
 * The document's parameters: `allowDowngrade` always, `version` when pinned. The provider
 * treats `parameters` as Optional + Computed, so an absent map keeps whatever the
 * association holds, and so does an empty value (its diff keeps a computed attribute's
 * old value when the new one is ""). A non-empty map drops the keys it no longer has:
 * removing `version` from the config removes it from the association, and
 * AWS-UpdateSSMAgent's own default (`version` "", the latest agent) applies again.
 */
export function documentParameters(cfg: AgentUpdateConfig): Record<string, string> {
  return { ...(cfg.version === undefined ? {} : { version: cfg.version }), allowDowngrade: String(cfg.allowDowngrade) };
}

/**
 * The notifier of the association's results: in each account-region, or once in the hub
 * (`shared` is then the hub's, and `outputBucket` absent: each spoke has its own).
 */
export function agentUpdateNotifier(
  scope: Construct,
  shared: NotifierPlacement,
  associationName: string,
  outputBucket?: string,
  /** In the hub: the spokes' read role and the grant to assume it. @default - none: reads its own account */
  spokeRead?: SpokeRead,
): NotifierFunction {
  return new NotifierFunction(scope, 'notifier', {
    ...notifierFunctionBase(shared, 'agent-update-notifier'),
    bundle: 'agent-update',
    description: 'Turns SSM Agent update results into readable e-mails',
    environment: AGENT_UPDATE_ENVIRONMENT.write({
      accountName: shared.accountName,
      topicArn: shared.topic.topicArn,
      associationName,
      documentName: AGENT_UPDATE_DOCUMENT,
      outputBucket,
      outputPrefix: outputBucket === undefined ? undefined : OUTPUT_PREFIX,
      readRoleName: spokeRead?.roleName,
    }),
    statements: [
      ...shared.topic.publishGrant(),
      // DescribeInstanceInformation has no resource-level permissions.
      { sid: 'DescribeManagedInstances', actions: ['ssm:DescribeInstanceInformation'], resources: ['*'] },
      // Its association's id, by name, to drop other associations' results. ListAssociations
      // has no resource-level permissions; it returns ids, names, targets and schedules,
      // never parameters (DescribeAssociation would, and needs the id first).
      { sid: 'FindOwnAssociation', actions: ['ssm:ListAssociations'], resources: ['*'] },
      ...(spokeRead ? [spokeRead.statement] : []),
    ],
  });
}

export interface AgentUpdateProps {
  /** The `agentUpdate` section of the configuration. */
  readonly config: AgentUpdateConfig;
  readonly shared: SharedResources;
}

/**
 * SSM Agent auto-update: an `AWS-UpdateSSMAgent` State Manager association with its output in
 * S3, and mail a person can act on (`notify`):
 * - per instance: the state-change events of AWS-UpdateSSMAgent with the configured
 *   statuses invoke a notifier Lambda, which keeps this association's results (looked up
 *   by name), enriches them with the instance's details and publishes to the shared topic;
 * - per run: a digest function, scheduled, reconciles each finished run from the SSM API
 *   (digest.ts), so lost events and stopped instances show.
 * Delivery retries and dead-letters, never drops. The association comes after the
 * per-instance path, so its first run finds that in place; the digest reads runs later.
 */
export class AgentUpdate extends Construct {
  readonly association: SsmAssociation;
  readonly associationId: string;
  readonly outputBucket: SecureBucket;
  /** The per-instance notifier. @default - none when `notify` is "digest", or with a hub (the hub's notifier mails the forwarded results) */
  readonly notifier?: NotifierFunction;
  /** Its rule (forwarding to the hub bus when there is one). @default - none when `notify` is "digest" */
  readonly rule?: EventRule;
  /** The per-run digest. @default - none when `notify` is "perInstance", or with a hub (the hub's digest mails every spoke's runs) */
  readonly digest?: AgentUpdateDigest;

  constructor(scope: Construct, id: string, props: AgentUpdateProps) {
    super(scope, id);
    const { config: cfg, shared } = props;

    // Run Command keeps output ~30 days; S3 keeps it as long as configured. SSE-S3,
    // so instances need no KMS grant to write.
    this.outputBucket = new SecureBucket(this, 'output', {
      bucketName: shared.naming.bucket('agent-update'),
      expirationDays: cfg.outputRetentionDays,
    });

    // The agent on the instance uploads the output with the instance's own
    // credentials (not the caller's): exactly these two grants.
    const outputGrant = shared.instanceRole.addStatements(
      { sid: 'AgentUpdateWriteOutput', actions: ['s3:PutObject'], resources: [this.outputBucket.arnForObjects(`${OUTPUT_PREFIX}/`)] },
      { sid: 'AgentUpdateReadOutputEncryption', actions: ['s3:GetEncryptionConfiguration'], resources: [this.outputBucket.bucketArn] },
    );

    const associationName = shared.naming.regional('agent-update', 'ssmAssociation');

    if (cfg.notify !== 'digest') {
      const notifier = shared.hub ? undefined : agentUpdateNotifier(this, shared, associationName, this.outputBucket.bucketName);
      this.notifier = notifier;

      // The rule cannot name the association's id: the association is created after it.
      // With a hub, the rule forwards the results there and the hub's notifier mails them.
      this.rule = new EventRule(this, 'rule', {
        ...eventRuleBase(shared, 'agent-update-result'),
        description: `Results of the ${associationName} association (${cfg.notifyStatuses.join(', ')})`,
        eventPattern: associationResultPattern(cfg.notifyStatuses),
        target: notifier ? { kind: 'lambda', fn: notifier } : shared.hub!.forwardTarget,
      });
    }

    this.association = new SsmAssociation(this, 'association', {
      name: AGENT_UPDATE_DOCUMENT,
      associationName,
      scheduleExpression: cfg.schedule,
      parameters: documentParameters(cfg),
      targets: associationTargets(cfg.targets),
      maxConcurrency: cfg.maxConcurrency,
      maxErrors: cfg.maxErrors,
      complianceSeverity: cfg.complianceSeverity,
      applyOnlyAtCronInterval: cfg.applyOnlyAtCronInterval,
      outputLocation: { s3BucketName: this.outputBucket.bucketName, s3KeyPrefix: OUTPUT_PREFIX, s3Region: shared.region },
      // State Manager runs the association as soon as it exists (unless
      // applyOnlyAtCronInterval): by then the instances must be allowed to upload that
      // first run's output, and its results must find the rule, its target and the
      // permission to invoke the notifier in place.
      dependsOn: [outputGrant, ...(this.rule ? [this.rule.target, this.rule.permission ?? shared.hub!.forwardTarget.grant] : [])],
    });
    this.associationId = this.association.associationId;

    // With a hub, the hub's digest reads this association through the read role.
    if (cfg.notify !== 'perInstance' && !shared.hub) {
      // Reads the association's runs by id, so it comes after the association.
      this.digest = new AgentUpdateDigest(this, 'digest', {
        shared,
        associationId: this.associationId,
        outputBucket: this.outputBucket.bucketName,
        outputPrefix: OUTPUT_PREFIX,
      });
    }

    if (cfg.defaultHostManagement) {
      // DHMC: Systems Manager hands this role's credentials to the agent of every
      // EC2 instance in the account-region that uses IMDSv2 and has no profile.
      shared.instanceRole.trustService('ssm.amazonaws.com');
      new SsmServiceSetting(this, 'default-host-management', {
        settingId: arn(shared, 'ssm', `servicesetting${DHMC_SETTING}`),
        settingValue: shared.instanceRole.roleName,
      });
    }

    namedOutput(this, 'agent_update_association_id', this.associationId, 'AWS-UpdateSSMAgent association id');
    namedOutput(
      this,
      'agent_update_output_bucket',
      this.outputBucket.bucketName,
      `Association output (s3://<bucket>/${OUTPUT_PREFIX}/<instance id>/...)`,
    );
  }
}
