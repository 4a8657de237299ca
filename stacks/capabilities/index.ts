import { Construct } from 'constructs';
import type { BaselineConfig } from '../platform/config/schema';
import type { SharedResources } from '../platform/shared';
import { AgentUpdate } from './agent-update/agent-update';
import { SoftwareInventory } from './inventory/inventory';
import { PatchHistory } from './patch-history/patch-history';
import { forgetPatchHistoryData } from './patch-history/retire';
import { AmiAlerts } from './ami-alerts/ami-alerts';
import { ManagementTrail } from './cloudtrail/cloudtrail';
import { SessionManager, forgetSessionRecords } from './session-manager/session-manager';

/**
 * One entry per capability: which config section it reads, whether it deploys into a
 * stack, and how. Each capability receives only its own section and the stack's
 * shared resources. Order is fixed so output stays deterministic.
 */
export interface Capability<S> {
  /** Construct id (API: renaming it replaces every resource of the capability). */
  readonly id: string;
  readonly section: (config: BaselineConfig) => S;
  readonly enabled: (section: S, shared: SharedResources) => boolean;
  readonly add: (scope: Construct, id: string, section: S, shared: SharedResources) => Construct;
  /**
   * Runs instead of `add` when the section is disabled: what the capability leaves behind
   * on purpose (for example `removed` blocks that forget records instead of deleting them).
   * @default - nothing: disabling destroys every resource of the capability
   */
  readonly retire?: (scope: Construct, id: string, section: S, shared: SharedResources) => void;
}

/** Keeps each entry's section type while the list holds them all. */
function capability<S>(c: Capability<S>): Capability<unknown> {
  return c as Capability<unknown>;
}

export const CAPABILITIES: readonly Capability<unknown>[] = [
  capability({
    id: 'agent-update',
    section: (c) => c.agentUpdate,
    enabled: (s) => s.enabled,
    add: (scope, id, config, shared) => new AgentUpdate(scope, id, { config, shared }),
  }),
  capability({
    id: 'inventory',
    section: (c) => c.inventory,
    enabled: (s) => s.enabled,
    add: (scope, id, config, shared) => new SoftwareInventory(scope, id, { config, shared }),
  }),
  capability({
    id: 'patch-history',
    section: (c) => c.patchHistory,
    enabled: (s) => s.enabled,
    add: (scope, id, config, shared) => new PatchHistory(scope, id, { config, shared }),
    // The snapshots and the saved query results outlive the capability; the workgroup does not.
    retire: (scope, id, config, shared) => forgetPatchHistoryData(scope, id, config, shared),
  }),
  capability({
    id: 'ami-alerts',
    section: (c) => c.amiAlerts,
    enabled: (s) => s.enabled,
    add: (scope, id, config, shared) => new AmiAlerts(scope, id, { config, shared }),
  }),
  capability({
    id: 'session-manager',
    section: (c) => c.sessionManager,
    enabled: (s) => s.enabled,
    add: (scope, id, config, shared) => new SessionManager(scope, id, { config, shared }),
    // Transcripts, session logs, their key and the preferences outlive the capability.
    retire: (scope, id, config, shared) => forgetSessionRecords(scope, id, config, shared),
  }),
  capability({
    // The CloudTrail prerequisite of ami-alerts and session-manager: one multi-region
    // trail per account, in its first region (keep this entry last).
    id: 'cloudtrail',
    section: (c) => c.cloudTrail,
    enabled: (s, shared) => s.create && shared.isHomeRegion,
    add: (scope, id, config, shared) => new ManagementTrail(scope, id, { config, shared }),
  }),
];

/** Adds every enabled capability to an account-region stack, in registry order; retires the others. */
export function addCapabilities(scope: Construct, config: BaselineConfig, shared: SharedResources): void {
  for (const c of CAPABILITIES) {
    const section = c.section(config);
    if (c.enabled(section, shared)) c.add(scope, c.id, section, shared);
    else c.retire?.(scope, c.id, section, shared);
  }
}
