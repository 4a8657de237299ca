/**
 * Which hub notifiers a configuration runs, and exactly which read calls each makes in
 * the spoke an event came from (the spoke read role grants these and nothing else).
 * `actions` have no resource-level permissions, hence "*" in the grant; `associationActions`
 * are granted on the account's association ARNs. Pure data.
 */
import type { BaselineConfig } from '../platform/config/schema';
import { amiAlertPatterns } from '../capabilities/ami-alerts/patterns';
import type { HubNotifierPurpose } from './names';

export interface HubNotifierReads {
  readonly purpose: HubNotifierPurpose;
  /** The capability's construct id in the hub's notifiers. */
  readonly capability: string;
  readonly actions: readonly string[];
  /** Reads of the baseline's associations, granted on their ARNs. @default - none */
  readonly associationActions?: readonly string[];
}

export function hubNotifierReads(config: BaselineConfig): HubNotifierReads[] {
  const out: HubNotifierReads[] = [];
  // The instance's details, and the association's ids by name (to drop other associations' results).
  if (config.agentUpdate.enabled && config.agentUpdate.notify !== 'digest')
    out.push({
      purpose: 'agent-update-notifier',
      capability: 'agent-update',
      actions: ['ssm:DescribeInstanceInformation', 'ssm:ListAssociations'],
    });
  // The digest: the association by name and the managed nodes it targets (no resource-level
  // permissions), then its runs and their targets' results, on the association's ARN.
  if (config.agentUpdate.enabled && config.agentUpdate.notify !== 'perInstance')
    out.push({
      purpose: 'agent-update-digest',
      capability: 'agent-update-digest',
      actions: ['ssm:DescribeInstanceInformation', 'ssm:ListAssociations'],
      associationActions: ['ssm:DescribeAssociationExecutionTargets', 'ssm:DescribeAssociationExecutions'],
    });
  // The image's tags for the state-change path.
  if (config.amiAlerts.enabled && Object.keys(amiAlertPatterns(config.amiAlerts.tags, config.amiAlerts.watch)).length)
    out.push({ purpose: 'ami-notifier', capability: 'ami-alerts', actions: ['ec2:DescribeImages'] });
  // The target of a resumed session.
  if (config.sessionManager.enabled && config.sessionManager.loginAlerts.enabled)
    out.push({ purpose: 'session-login-notifier', capability: 'session-login', actions: ['ssm:DescribeSessions'] });
  return out;
}
