/** The optional `hub` section: one account-region that receives every spoke's events. */
import { z } from 'zod';
import { accountId, shown } from '../platform/config/common';
import { AWS_REGIONS } from '../platform/config/regions';
import { archivePolicyOverLimit } from './archive-policy';
import { EVENT_BUS_POLICY_MAX_LENGTH, busPolicyJson } from './bus-policy';
import { hubNames } from './names';

export const hubConfig = z.strictObject({
  account: accountId.describe(
    "The hub's 12-digit account id; must be one of accounts[].id, so it has a state bucket, a bootstrap stack and a deploy role",
  ),
  region: z
    .enum(AWS_REGIONS, { error: (iss) => `must be an AWS region such as eu-west-1, got ${shown(iss.input)}` })
    .describe("Region of the hub's event bus, notifiers and topic (need not be one of the hub account's baseline regions)"),
  organizationId: z
    .string()
    .regex(/^o-[a-z0-9]{10,32}$/, { error: (iss) => `must be an AWS Organizations id such as o-a1b2c3d4e5, got ${shown(iss.input)}` })
    .optional()
    .describe(
      'Admit every account of this organization (aws:PrincipalOrgID) instead of listing the configured accounts in hub policies. @default - the configured accounts only',
    ),
});

export type HubConfig = z.output<typeof hubConfig>;

/**
 * Cross-field rules of the `hub` section: the hub account is a configured account (it
 * needs a state bucket, a bootstrap stack and a deploy role like any other), and the
 * policies that list the configured accounts (the bus policy, the archive's bucket and
 * key policies) fit AWS's limits.
 */
export function checkHubPlacement(
  cfg: {
    readonly hub?: HubConfig;
    readonly namePrefix: string;
    readonly accounts: readonly { readonly id: string; readonly name: string }[];
  },
  report: (path: (string | number)[], message: string) => void,
): void {
  const hub = cfg.hub;
  if (!hub) return;
  const account = cfg.accounts.find((a) => a.id === hub.account);
  if (!account) {
    report(
      ['hub', 'account'],
      `must be one of accounts[].id (the hub needs a bootstrap stack and a deploy role), got ${shown(hub.account)}`,
    );
    return;
  }
  if (hub.organizationId) return;
  const names = hubNames({ hub, namePrefix: cfg.namePrefix, hubAccountName: account.name });
  const length = busPolicyJson({ busArn: names.busArn, accountIds: cfg.accounts.map((a) => a.id) }).length;
  if (length > EVENT_BUS_POLICY_MAX_LENGTH) {
    report(
      ['hub', 'organizationId'],
      `is required for ${cfg.accounts.length} accounts: listing them makes the hub event bus policy ${length} characters, over EventBridge's ${EVENT_BUS_POLICY_MAX_LENGTH}; set the organization id to admit the organization instead`,
    );
  }
  const archive = archivePolicyOverLimit({
    namePrefix: cfg.namePrefix,
    hubAccountId: hub.account,
    hubRegion: hub.region,
    memberAccountIds: cfg.accounts.map((a) => a.id),
  });
  if (archive) {
    report(
      ['hub', 'organizationId'],
      `is required for ${cfg.accounts.length} accounts: listing them makes the hub ${archive.what} ${archive.bytes} bytes, over AWS's ${archive.limit}; set the organization id to admit the organization instead`,
    );
  }
}
