// Small questions rules ask about normalized IAM statements.
import type { NormalStatement } from './document';
import type { Violation } from './types';
import { PolicyUse, StackModel, Values, isExpression, references } from './model';

/** Glob match of an IAM action pattern (`s3:Get*`, `*`) against an action, case-insensitive. */
export function actionMatches(pattern: string, action: string): boolean {
  const re = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
    'i',
  );
  return re.test(action);
}

/** Does the statement's Action (or NotAction) cover `action`? */
export function coversAction(st: NormalStatement, action: string): boolean {
  if (st.notActions.length) return !st.notActions.some((p) => actionMatches(p, action));
  return st.actions.some((p) => actionMatches(p, action));
}

/**
 * A Terraform expression that names no resource of the configuration (a variable, a
 * local, a function of them): nothing tells what it holds before apply. A reference to
 * a resource is not unresolved: it is that resource's ARN, name or id.
 */
export function isUnresolved(value: unknown): boolean {
  return isExpression(value) && references(value).length === 0;
}

/** A statement of a policy use, with its 0-based position (see statementLabel). */
export interface StatementAt {
  readonly use: PolicyUse;
  readonly statement: NormalStatement;
  readonly index: number;
  /**
   * Set when only actions that are Terraform expressions could cover the action: the
   * rule cannot tell whether the statement allows it. Lists those expressions.
   */
  readonly unresolved?: string[];
}

/** Does the statement cover `action`: yes, no, or only through actions that are expressions (their list)? */
function coverage(st: NormalStatement, action: string): boolean | string[] {
  const patterns = st.notActions.length ? st.notActions : st.actions;
  const expressions = patterns.filter(isExpression);
  const matched = patterns.some((p) => !isExpression(p) && actionMatches(p, action));
  if (st.notActions.length) return matched ? false : expressions.length ? expressions : true;
  return matched ? true : expressions.length ? expressions : false;
}

/**
 * The Allow statements of `uses` whose Action (or NotAction) covers `action`, in order,
 * and those that might, through actions that are Terraform expressions (`unresolved`).
 */
export function allowsCovering(uses: readonly PolicyUse[], action: string): StatementAt[] {
  return uses.flatMap((use) =>
    use.statements.flatMap((statement, index): StatementAt[] => {
      if (statement.effect !== 'Allow') return [];
      const covers = coverage(statement, action);
      if (covers === false) return [];
      return [covers === true ? { use, statement, index } : { use, statement, index, unresolved: covers }];
    }),
  );
}

/**
 * What a rule found in a statement from allowsCovering: as found when the statement
 * covers `action`; when only expressions might (`unresolved`), each becomes "could not
 * tell", since it holds only if they do.
 */
export function ifCovering(at: StatementAt, action: string, found: Violation[]): Violation[] {
  if (!at.unresolved) return found;
  const unless = `if ${at.unresolved.join(', ')} (known only at apply) include ${action}`;
  return found.map((v) => ({ ...v, outcome: 'unknown', message: `${v.message}, ${unless}` }));
}

/** `*`, `service:*`, or a wildcard service (`*:Get*`): every action, every action of a service, or of every service. */
export function isFullWildcard(action: string): boolean {
  return action === '*' || /^[a-z0-9-]+:\*$/i.test(action) || hasWildcardService(action);
}

/** `*:Get*`, `s?s:Publish`: the service prefix is a pattern, not a service. */
export function hasWildcardService(action: string): boolean {
  const colon = action.indexOf(':');
  return colon >= 0 && /[*?]/.test(action.slice(0, colon));
}

/** Principal "*" or {"AWS": "*"}: anyone. (An Allow with NotPrincipal is anyone too: see allowsAnyone.) */
export function hasAnyPrincipal(st: NormalStatement): boolean {
  const p = st.principals;
  return !!p && (p['*']?.includes('*') || p.AWS?.includes('*') || false);
}

export function servicePrincipals(st: NormalStatement): string[] {
  return st.principals?.Service ?? [];
}

/**
 * Values of a condition key under a positive operator (`StringEquals`, `ArnLike`, ...;
 * not `...Not...`, not `...IfExists` and not `ForAllValues:...`, which a request without
 * the key satisfies).
 */
export function conditionValues(st: NormalStatement, key: string): string[] {
  return st.conditions
    .filter(
      (c) =>
        c.variable.toLowerCase() === key.toLowerCase() &&
        !/not/i.test(c.test) &&
        !/ifexists$/i.test(c.test) &&
        !/^Null$/i.test(c.test) &&
        !/^ForAllValues:/i.test(c.test),
    )
    .flatMap((c) => c.values);
}

/** Keys whose value is an account id, an organization id or a network id: pinned when written out in full. */
const ID_KEYS = [
  'aws:SourceAccount',
  'aws:SourceOwner',
  'aws:PrincipalAccount',
  'aws:ResourceAccount',
  'aws:PrincipalOrgID',
  'aws:SourceOrgID',
  'aws:SourceVpc',
  'aws:SourceVpce',
  'kms:CallerAccount',
];
/** Keys whose value is an ARN: pinned when its account (or, for ARNs without one, the resource) is written out. */
const ARN_KEYS = ['aws:SourceArn', 'aws:PrincipalArn'];
/** Keys that pin a request to a known account, organization, source or network. */
const RESTRICTING_KEYS = [...ID_KEYS, ...ARN_KEYS];

const WILDCARD = /[*?]/;

/**
 * Does a condition value pin the request? A wildcard counts as "any" under every
 * operator: under `StringLike`/`ArnLike` (and `ArnEquals`, which matches wildcards
 * too) it matches any account; under `StringEquals` a literal `*` matches only the
 * string "*", which no request carries, so the statement grants nothing and is a
 * mistake either way. A Terraform expression counts as pinned: a reference names one
 * resource, and rules judge expressions naming none by the principal they guard.
 */
export function pinsRequest(key: string, value: string): boolean {
  if (value === '') return false;
  if (isExpression(value)) return true;
  if (!ARN_KEYS.some((k) => k.toLowerCase() === key.toLowerCase())) return !WILDCARD.test(value);
  // arn:partition:service:region:account:resource; fewer fields with a wildcard (`arn:*`) is anything.
  const fields = value.split(':');
  if (fields.length < 6) return !WILDCARD.test(value);
  const account = fields[4];
  const resource = fields.slice(5).join(':');
  if (account !== '') return !WILDCARD.test(account);
  // No account field (S3 buckets): only the full name pins it, a name pattern is anyone's bucket.
  return resource !== '' && !WILDCARD.test(resource);
}

/** True when a condition limits who can use the statement to a known account, organization, source or network. */
export function isRestricted(st: NormalStatement): boolean {
  return RESTRICTING_KEYS.some((k) => conditionValues(st, k).some((v) => pinsRequest(k, v)));
}

/** A Principal "*" / {"AWS": "*"}, or a NotPrincipal (everyone but the named ones) in an Allow. */
export function allowsAnyone(st: NormalStatement): boolean {
  return st.effect === 'Allow' && (hasAnyPrincipal(st) || st.notPrincipals !== undefined);
}

/** Whom a public statement admits, for messages: `anyone ("*")` or `anyone but X (NotPrincipal)`. */
export function anyoneLabel(st: NormalStatement): string {
  if (hasAnyPrincipal(st) || !st.notPrincipals) return 'anyone ("*")';
  return `anyone but ${Object.values(st.notPrincipals).flat().join(', ')} (NotPrincipal)`;
}

/** An Allow that anyone (any account, anonymous) can use. */
export function isPublicAllow(st: NormalStatement): boolean {
  return allowsAnyone(st) && !isRestricted(st);
}

/** AWS principals (and `*` entries) that are unresolved expressions: any of them may turn out to be "*". */
export function unresolvedPrincipals(st: NormalStatement): string[] {
  return [...(st.principals?.AWS ?? []), ...(st.principals?.['*'] ?? [])].filter(isUnresolved);
}

/** An Allow that may be public: not public as written, but unrestricted with a principal known only at apply. */
export function mayBePublicAllow(st: NormalStatement): boolean {
  return st.effect === 'Allow' && !allowsAnyone(st) && !isRestricted(st) && unresolvedPrincipals(st).length > 0;
}

/** The account root as a principal: `arn:aws:iam::<id>:root` or the bare account id. */
export function isAccountRoot(principal: string, accountId: string | undefined): boolean {
  const m = /^(?:arn:aws[a-z-]*:iam::(\d{12}):root|(\d{12}))$/.exec(principal);
  if (!m) return false;
  return !accountId || (m[1] ?? m[2]) === accountId;
}

/**
 * Does an ARN value (concrete or a Terraform reference) name a resource of the given
 * kind? Concrete values are matched with `pattern`; references by resource type.
 */
export function arnOfKind(value: string, pattern: RegExp, resourceTypes: string[]): boolean {
  if (isExpression(value)) return references(value).some((r) => r.mode === 'managed' && resourceTypes.includes(r.type));
  return pattern.test(value);
}

/** First element of a block that cdktf writes as an object and terraform as a one-element list. */
export function block(value: unknown): Values | undefined {
  if (Array.isArray(value)) return value[0] as Values | undefined;
  return value && typeof value === 'object' ? (value as Values) : undefined;
}

/** All elements of a block list (object -> one element). */
export function blocks(value: unknown): Values[] {
  if (Array.isArray(value)) return value.filter((v) => v && typeof v === 'object') as Values[];
  return value && typeof value === 'object' ? [value as Values] : [];
}

/** Terraform booleans may arrive as strings from JSON configuration. */
export function isTrue(value: unknown): boolean {
  return value === true || value === 'true';
}

/** Resources of `type` whose `attribute` refers to `target` (sub-resources of a bucket, a function, ...). */
export function attachedTo(stack: StackModel, target: { type: string; name: string }, type: string, attribute: string) {
  const resource = stack.get(target.type, target.name);
  if (!resource) return [];
  return stack.byType(type).filter((r) => stack.refersTo(r.values[attribute], resource));
}

/** How findings name a statement: its Sid, or its 1-based position. */
export function statementLabel(st: NormalStatement, index: number): string {
  return st.sid ? st.sid : `#${index + 1}`;
}
