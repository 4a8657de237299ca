/**
 * Whether a result belongs to this capability's association. The rule matches every
 * AWS-UpdateSSMAgent result of the account-region (it cannot name the association id:
 * the association is created after the rule, so its first run finds the rule in place),
 * so the function looks its association up by name and drops the others.
 */
import { ListAssociationsCommand, SSMClient } from '@aws-sdk/client-ssm';
import { withDeadline } from '../shared/enrichment';
import { describeError } from '../shared/log';

export type Ownership =
  | { readonly kind: 'own' }
  | { readonly kind: 'other'; readonly ownIds: readonly string[] }
  /** The lookup failed or found nothing: the caller mails anyway, saying so. */
  | { readonly kind: 'unconfirmed'; readonly reason: string };

/**
 * The ids of the association named `associationName` running `documentName`, asked with
 * ssm:ListAssociations (no resource-level permissions; it returns names, ids, targets and
 * schedules, never parameters); the own ids are kept for the life of the execution
 * environment. Any other id triggers a new lookup and is never remembered as foreign: a
 * lookup that ran before a replacement association was listed would otherwise drop
 * that association's results until the environment is recycled.
 */
export class AssociationOwnership {
  private own = new Set<string>();

  constructor(
    /** The SSM client of the association's account-region, or how to get it (a spoke's, through its read role). */
    private readonly client: SSMClient | (() => Promise<SSMClient>),
    private readonly associationName: string,
    private readonly documentName: string,
  ) {}

  async check(associationId: string, timeoutMs?: number): Promise<Ownership> {
    if (this.own.has(associationId)) return { kind: 'own' };
    let ids: string[];
    try {
      ids = await this.lookup(timeoutMs);
    } catch (err) {
      const e = describeError(err);
      return {
        kind: 'unconfirmed',
        reason: `ListAssociations failed: ${String(e.errorName ?? 'Error')}: ${String(e.errorMessage ?? '')}`.trim(),
      };
    }
    // None found: not yet listed, or gone. Not proof the result is foreign: mail it.
    if (ids.length === 0) {
      return { kind: 'unconfirmed', reason: `ListAssociations found no ${this.documentName} association named ${this.associationName}` };
    }
    this.own = new Set(ids);
    if (this.own.has(associationId)) return { kind: 'own' };
    return { kind: 'other', ownIds: ids };
  }

  private async lookup(timeoutMs?: number): Promise<string[]> {
    const ids: string[] = [];
    let token: string | undefined;
    do {
      const out = await withDeadline(
        'ListAssociations',
        async (abortSignal) =>
          (typeof this.client === 'function' ? await this.client() : this.client).send(
            new ListAssociationsCommand({
              AssociationFilterList: [{ key: 'AssociationName', value: this.associationName }],
              ...(token ? { NextToken: token } : {}),
            }),
            { abortSignal },
          ),
        timeoutMs,
      );
      for (const a of out.Associations ?? []) {
        if (a.AssociationName === this.associationName && a.Name === this.documentName && a.AssociationId) ids.push(a.AssociationId);
      }
      token = out.NextToken;
    } while (token);
    return ids;
  }
}
