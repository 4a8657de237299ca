/**
 * Every name a spoke needs to reach the hub, and the hub to reach a spoke, derived from
 * the configuration alone: spokes refer to the hub by these names, never through
 * cross-stack references (each stack keeps its own state, in its own account). Pure data.
 */
/** What the names follow from: the `hub` section, the name prefix and the hub account's short name. */
export interface HubNameInput {
  /** The `hub` section (only its account and region name things). */
  readonly hub: { readonly account: string; readonly region: string };
  readonly namePrefix: string;
  /** The short name (`accounts[].name`) of the hub account. */
  readonly hubAccountName: string;
}

/** Notifier purposes that run in the hub; each names a function and its role there. */
export const HUB_NOTIFIER_PURPOSES = ['agent-update-notifier', 'agent-update-digest', 'ami-notifier', 'session-login-notifier'] as const;
export type HubNotifierPurpose = (typeof HUB_NOTIFIER_PURPOSES)[number];

export interface HubNames {
  readonly accountId: string;
  readonly region: string;
  /**
   * `<hub account name>-hub`: a baseline stack name ends with a region and a bootstrap
   * stack's with `-bootstrap`, so no account name makes another stack of this name.
   */
  readonly stackName: string;
  /** Prefix of the hub's own regional names (`<prefix>-hub`): its queue, alarms, functions and rules. */
  readonly namePrefix: string;
  readonly busName: string;
  readonly busArn: string;
  readonly topicName: string;
  /** Role of a hub notifier (IAM names carry the region, as Naming.iam does). */
  notifierRoleName(purpose: HubNotifierPurpose): string;
  notifierRoleArn(purpose: HubNotifierPurpose): string;
  /** The role each spoke account's rules forward with (one per account-region: IAM is global). */
  forwardRoleName(spokeRegion: string): string;
  /** The read-only role in every spoke account the hub notifiers assume (one per account). */
  readonly spokeReadRoleName: string;
  spokeReadRoleArn(spokeAccountId: string): string;
}

export function hubNames(input: HubNameInput): HubNames {
  const { hub, namePrefix: p, hubAccountName } = input;
  const busName = `${p}-hub`;
  const iamArn = (account: string, role: string) => `arn:aws:iam::${account}:role/${role}`;
  const notifierRoleName = (purpose: HubNotifierPurpose) => `${p}-hub-${purpose}-${hub.region}`;
  const spokeReadRoleName = `${p}-hub-read`;
  return {
    accountId: hub.account,
    region: hub.region,
    stackName: `${hubAccountName}-hub`,
    namePrefix: `${p}-hub`,
    busName,
    busArn: `arn:aws:events:${hub.region}:${hub.account}:event-bus/${busName}`,
    topicName: `${p}-hub-notifications`,
    notifierRoleName,
    notifierRoleArn: (purpose) => iamArn(hub.account, notifierRoleName(purpose)),
    forwardRoleName: (spokeRegion) => `${p}-hub-forward-${spokeRegion}`,
    spokeReadRoleName,
    spokeReadRoleArn: (account) => iamArn(account, spokeReadRoleName),
  };
}

/** The hub's names for a configuration, or undefined without a `hub` section. */
export function hubNamesOf(config: {
  readonly hub?: { readonly account: string; readonly region: string };
  readonly namePrefix: string;
  readonly accounts: readonly { readonly id: string; readonly name: string }[];
}): HubNames | undefined {
  const hub = config.hub;
  if (!hub) return undefined;
  const account = config.accounts.find((a) => a.id === hub.account);
  // The schema refuses a hub account that is not configured.
  if (!account) throw new Error(`hub account ${hub.account} is not one of the configured accounts`);
  return hubNames({ hub, namePrefix: config.namePrefix, hubAccountName: account.name });
}
