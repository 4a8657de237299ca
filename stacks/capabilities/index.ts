import { Construct } from 'constructs';
import { StackContext } from '../context';
import { AgentUpdate } from './agent-update';

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
];
