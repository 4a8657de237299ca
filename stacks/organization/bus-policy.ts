/**
 * The hub bus's resource policy, as the exact JSON string sent to EventBridge (not an
 * `aws_iam_policy_document`, whose indented rendering would count against the quota
 * too): its size is known at synth and checked against the quota. Pure data.
 */

/**
 * EventBridge's "Event bus policy size" quota: 10,240 characters per bus (adjustable;
 * the default is what every account starts with).
 */
export const EVENT_BUS_POLICY_MAX_LENGTH = 10_240;

export interface BusPolicyInput {
  readonly busArn: string;
  /** Accounts whose principals may put events (the configured accounts). */
  readonly accountIds: readonly string[];
  /** When set, the organization is admitted instead of the account list. @default - the account list */
  readonly organizationId?: string;
}

/**
 * One statement: `events:PutEvents` on this bus only, for any principal of an admitted
 * account. The accounts go in an `aws:PrincipalAccount` condition (12 digits each)
 * rather than as principal ARNs, which IAM stores as `arn:aws:iam::<id>:root` (2.4 times
 * longer): about 660 accounts fit the quota this way; an organization always fits.
 */
export function busPolicy(input: BusPolicyInput): Record<string, unknown> {
  const admitted = input.organizationId
    ? { 'aws:PrincipalOrgID': input.organizationId }
    : { 'aws:PrincipalAccount': [...new Set(input.accountIds)].sort() };
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'AdmitBaselineAccounts',
        Effect: 'Allow',
        Principal: '*',
        Action: 'events:PutEvents',
        Resource: input.busArn,
        Condition: { StringEquals: admitted },
      },
    ],
  };
}

/** The policy string EventBridge receives and counts. */
export function busPolicyJson(input: BusPolicyInput): string {
  return JSON.stringify(busPolicy(input));
}
