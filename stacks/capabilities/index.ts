import { Construct } from 'constructs';
import { StackContext } from '../platform/shared';
import { AgentUpdate } from './agent-update/agent-update';
import { SoftwareInventory } from './inventory/inventory';
import { PatchHistory } from './patch-history/patch-history';
import { AmiAlerts } from './ami-alerts/ami-alerts';
import { ManagementTrail, hostsManagementTrail } from './cloudtrail/cloudtrail';
import { SessionManager } from './session-manager/session-manager';

/**
 * One entry per capability: adds its resources to an account-region stack when
 * its config section is enabled. Order is fixed so output stays deterministic.
 */
export interface Capability {
  /** Construct id (API: renaming it replaces every resource of the capability). */
  readonly id: string;
  readonly enabled: (ctx: StackContext) => boolean;
  readonly add: (scope: Construct, ctx: StackContext) => void;
}

export const CAPABILITIES: readonly Capability[] = [
  {
    id: 'agent-update',
    enabled: (ctx) => ctx.config.agentUpdate.enabled,
    add: (scope, ctx) => new AgentUpdate(scope, 'agent-update', { ctx }),
  },
  {
    id: 'inventory',
    enabled: (ctx) => ctx.config.inventory.enabled,
    add: (scope, ctx) => new SoftwareInventory(scope, 'inventory', { ctx }),
  },
  {
    id: 'patch-history',
    enabled: (ctx) => ctx.config.patchHistory.enabled,
    add: (scope, ctx) => new PatchHistory(scope, 'patch-history', { ctx }),
  },
  {
    id: 'ami-alerts',
    enabled: (ctx) => ctx.config.amiAlerts.enabled,
    add: (scope, ctx) => new AmiAlerts(scope, 'ami-alerts', { ctx }),
  },
  {
    id: 'session-manager',
    enabled: (ctx) => ctx.config.sessionManager.enabled,
    add: (scope, ctx) => new SessionManager(scope, 'session-manager', { ctx }),
  },
  {
    // The CloudTrail prerequisite of ami-alerts and session-manager: one trail per
    // account, in its first region (keep this entry last).
    id: 'cloudtrail',
    enabled: (ctx) => hostsManagementTrail(ctx),
    add: (scope, ctx) => new ManagementTrail(scope, 'cloudtrail', { ctx }),
  },
];
