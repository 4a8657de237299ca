/**
 * The read-only role the hub's notifiers assume in a spoke account to enrich its events
 * (one per account: IAM is global, so the account's first region creates it).
 *
 * Trust: the hub account as principal and `aws:PrincipalArn` pinned to the hub notifier
 * roles, rather than the role ARNs as principals: IAM would refuse a trust policy naming a
 * role that does not exist yet, and would silently stop matching a re-created one. No
 * `sts:ExternalId`: it guards a third party acting for several customers (confused
 * deputy); here the caller is a named role of the same owner, which a shared string
 * kept in the function's environment would not make any safer.
 */
import { Construct } from 'constructs';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { PolicyDocument } from '../constructs/policy-document';
import type { HubNames } from './names';
import type { HubNotifierReads } from './reads';

export interface SpokeReadRoleProps {
  readonly names: HubNames;
  /** The hub notifiers this configuration runs and the reads each makes. */
  readonly reads: readonly HubNotifierReads[];
  /** The spoke account: association reads are granted on its own associations, in its regions. */
  readonly account: { readonly id: string; readonly regions: readonly string[] };
}

export class SpokeReadRole extends Construct {
  readonly role: IamRole;

  constructor(scope: Construct, id: string, props: SpokeReadRoleProps) {
    super(scope, id);
    const { names, reads } = props;
    const trust = new PolicyDocument(this, 'trust', [
      {
        sid: 'TrustHubNotifiers',
        actions: ['sts:AssumeRole'],
        principals: [{ type: 'AWS', identifiers: [`arn:aws:iam::${names.accountId}:root`] }],
        conditions: [{ test: 'ArnEquals', variable: 'aws:PrincipalArn', values: reads.map((r) => names.notifierRoleArn(r.purpose)) }],
      },
    ]);
    this.role = new IamRole(this, 'role', {
      name: names.spokeReadRoleName,
      description: "Read-only: the hub's notifiers look up this account's instances, images and sessions",
      assumeRolePolicy: trust.json,
      // The notifier's enrichment deadline is seconds; the minimum session is plenty.
      maxSessionDuration: 3600,
    });
    const actions = [...new Set(reads.flatMap((r) => r.actions))].sort();
    const associationActions = [...new Set(reads.flatMap((r) => r.associationActions ?? []))].sort();
    const policy = new PolicyDocument(this, 'policy', [
      // None of these calls has resource-level permissions.
      { sid: 'EnrichHubNotifications', actions, resources: ['*'] },
      // The association id is made by SSM in each region's stack, unknown here: every
      // association of this account in its baseline regions (the hub resolves its own by name).
      ...(associationActions.length
        ? [
            {
              sid: 'ReadAssociationRuns',
              actions: associationActions,
              resources: props.account.regions.map((r) => `arn:aws:ssm:${r}:${props.account.id}:association/*`),
            },
          ]
        : []),
    ]);
    new IamRolePolicy(this, 'role-policy', { name: 'hub-read', role: this.role.id, policy: policy.json });
  }
}
