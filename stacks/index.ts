/**
 * ssm-baseline as a library: the building blocks and the capability constructs with
 * their props, for your own CDKTF app and for `Testing.synthScope` assertions in your
 * CI. The `ssm-baseline` app itself (main.ts) is built from the same parts.
 */

// Building blocks
export { SecureBucket, type SecureBucketProps } from './constructs/secure-bucket';
export { NotificationTopic, type NotificationTopicProps } from './constructs/notification-topic';
export { DeadLetterQueue, type DeadLetterQueueProps, DLQ_RETENTION_SECONDS } from './constructs/dead-letter-queue';
export { CustomerKey, type CustomerKeyProps } from './constructs/kms-key';
export { ManagedInstanceRole, type ManagedInstanceRoleProps, SSM_CORE_POLICY_ARN } from './constructs/managed-instance-role';
export { NotifierFunction, type NotifierFunctionProps, NOTIFIER_FUNCTION_DEFAULTS, LAMBDA_RUNTIME } from './constructs/notifier-function';
export { EventRule, type EventRuleProps, type EventRuleTarget, TARGET_RETRY } from './constructs/event-rule';
export {
  PolicyDocument,
  type PolicyStatement,
  type PolicyPrincipal,
  type PolicyCondition,
  serviceTrust,
  denyInsecureTransport,
} from './constructs/policy-document';
export { alarmWhenAboveZero, type TopicAlarmProps } from './constructs/topic-alarm';
export { associationTargets } from './constructs/association-targets';
export { namedOutput } from './constructs/named-output';

// Capabilities
export { AgentUpdate, type AgentUpdateProps } from './capabilities/agent-update/agent-update';
export { agentUpdateConfig, type AgentUpdateConfig } from './capabilities/agent-update/config';
export { SoftwareInventory, type SoftwareInventoryProps } from './capabilities/inventory/inventory';
export { ConfigRecorder, type ConfigRecorderProps } from './capabilities/inventory/config-recorder';
export { InventoryAssociation, type InventoryAssociationProps } from './capabilities/inventory/association';
export { inventoryConfig, type InventoryConfig } from './capabilities/inventory/config';
export { PatchHistory, type PatchHistoryProps } from './capabilities/patch-history/patch-history';
export { patchHistoryConfig, type PatchHistoryConfig } from './capabilities/patch-history/config';
export { AmiAlerts, type AmiAlertsProps } from './capabilities/ami-alerts/ami-alerts';
export { amiAlertsConfig, type AmiAlertsConfig } from './capabilities/ami-alerts/config';
export { SessionManager, type SessionManagerProps } from './capabilities/session-manager/session-manager';
export { sessionManagerConfig, type SessionManagerConfig } from './capabilities/session-manager/config';
export { ManagementTrail, type ManagementTrailProps } from './capabilities/cloudtrail/cloudtrail';
export { cloudTrailConfig, type CloudTrailConfig } from './capabilities/cloudtrail/config';
export { CAPABILITIES, addCapabilities, type Capability } from './capabilities';

// Platform
export { type SharedResources, type StackPlacement, arn, notifierFunctionBase, eventRuleBase } from './platform/shared';
export { Naming, NAME_LIMITS, stackName, bootstrapStackName } from './platform/naming';
export { BaselineStack, type BaselineStackProps } from './platform/baseline-stack';
export { BootstrapStack, type BootstrapStackProps } from './platform/bootstrap-stack';
export { buildApp, synthWarnings } from './platform/app';
export { baselineConfig, type BaselineConfig, type BaselineConfigInput, type AccountConfig } from './platform/config/schema';
export { parseConfig, loadConfig, ConfigError } from './platform/config/load';
export { terraformLiteral } from './platform/literal';
