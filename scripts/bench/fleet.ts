import { AWS_REGIONS } from '../../stacks/platform/config/regions';
import type { BaselineConfigInput } from '../../stacks/platform/config/schema';

export const REGIONS_PER_ACCOUNT = 4;

/**
 * A configuration with `stacks` account-regions (accounts of four regions each), every
 * capability of the base configuration switched on, for scaling measurements.
 */
export function fleetConfig(stacks: number, base: BaselineConfigInput): BaselineConfigInput {
  if (!Number.isInteger(stacks) || stacks < 1) throw new Error(`stacks must be a positive integer, got ${stacks}`);
  const accounts: BaselineConfigInput['accounts'] = [];
  for (let i = 0; accounts.length * REGIONS_PER_ACCOUNT < stacks; i++) {
    const id = String(100000000000 + i);
    const count = Math.min(REGIONS_PER_ACCOUNT, stacks - i * REGIONS_PER_ACCOUNT);
    accounts.push({
      id,
      name: `acct-${i}`,
      regions: AWS_REGIONS.slice(0, count) as unknown as BaselineConfigInput['accounts'][number]['regions'],
      deployRoleArn: `arn:aws:iam::${id}:role/ssm-baseline-deploy`,
    });
  }
  const on = <T extends object | undefined>(section: T) => ({ ...(section ?? {}), enabled: true });
  return {
    ...base,
    accounts,
    cloudTrail: { ...(base.cloudTrail ?? {}), create: true },
    agentUpdate: on(base.agentUpdate),
    inventory: on(base.inventory),
    patchHistory: on(base.patchHistory),
    amiAlerts: on(base.amiAlerts),
    sessionManager: on(base.sessionManager),
  } as BaselineConfigInput;
}

/**
 * The fleet with a hub in its first account-region: every other account-region forwards
 * to it, and the hub stack runs the notifiers once.
 */
export function hubFleetConfig(stacks: number, base: BaselineConfigInput): BaselineConfigInput {
  const fleet = fleetConfig(stacks, base);
  const first = fleet.accounts[0];
  return { ...fleet, hub: { account: first.id, region: first.regions[0] } } as BaselineConfigInput;
}
