// IAM policy documents as they appear in Terraform JSON: rendering an
// `aws_iam_policy_document` data source body to IAM JSON, reading plain JSON policy
// strings, and normalizing a document so rules can read every statement the same way.
// Shared by the policy engine and the jest IAM simulation helper; no AWS calls.

/** A policy in IAM's own JSON grammar. */
export interface IamPolicy {
  Version?: string;
  Id?: string;
  Statement: IamStatement[];
}

export type IamPrincipal = '*' | Record<string, string | string[]>;

export interface IamStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Principal?: IamPrincipal;
  NotPrincipal?: IamPrincipal;
  Condition?: Record<string, Record<string, string | string[]>>;
}

/** A statement with every list-valued element as an array, for rules to iterate. */
export interface NormalStatement {
  sid?: string;
  effect: 'Allow' | 'Deny';
  actions: string[];
  notActions: string[];
  resources: string[];
  notResources: string[];
  /** undefined when the statement has no Principal element (identity policies). */
  principals?: NormalPrincipals;
  notPrincipals?: NormalPrincipals;
  /** Flattened conditions: one entry per operator and key. */
  conditions: Array<{ test: string; variable: string; values: string[] }>;
}

/** `{ '*': ['*'] }` stands for `Principal: "*"`. */
export type NormalPrincipals = Record<string, string[]>;

export class PolicyParseError extends Error {}

const list = (v: unknown): string[] => (v === undefined || v === null ? [] : Array.isArray(v) ? v.map(String) : [String(v)]);

/** Turns any IAM policy JSON into normalized statements. Throws PolicyParseError on a malformed one. */
export function normalizePolicy(policy: unknown): NormalStatement[] {
  if (!policy || typeof policy !== 'object') throw new PolicyParseError('policy is not a JSON object');
  const raw = (policy as { Statement?: unknown }).Statement;
  if (raw === undefined) throw new PolicyParseError('policy has no Statement');
  const statements = Array.isArray(raw) ? raw : [raw];
  return statements.map((s, i) => {
    if (!s || typeof s !== 'object') throw new PolicyParseError(`Statement[${i}] is not an object`);
    const st = s as IamStatement;
    if (st.Effect !== 'Allow' && st.Effect !== 'Deny')
      throw new PolicyParseError(`Statement[${i}].Effect must be Allow or Deny, got ${JSON.stringify(st.Effect)}`);
    const conditions: NormalStatement['conditions'] = [];
    for (const [test, byKey] of Object.entries(st.Condition ?? {})) {
      for (const [variable, values] of Object.entries(byKey ?? {})) conditions.push({ test, variable, values: list(values) });
    }
    return {
      sid: st.Sid,
      effect: st.Effect,
      actions: list(st.Action),
      notActions: list(st.NotAction),
      resources: list(st.Resource),
      notResources: list(st.NotResource),
      principals: st.Principal === undefined ? undefined : normalizePrincipal(st.Principal),
      notPrincipals: st.NotPrincipal === undefined ? undefined : normalizePrincipal(st.NotPrincipal),
      conditions,
    };
  });
}

function normalizePrincipal(p: IamPrincipal): NormalPrincipals {
  if (p === '*') return { '*': ['*'] };
  if (typeof p !== 'object') throw new PolicyParseError(`Principal must be "*" or an object, got ${JSON.stringify(p)}`);
  return Object.fromEntries(Object.entries(p).map(([type, ids]) => [type, list(ids)]));
}

/** Parses a policy given as a JSON string; HCL expressions (`${jsonencode(...)}`) are not JSON. */
export function parsePolicyString(text: string): IamPolicy {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new PolicyParseError(`policy is not JSON (${(err as Error).message}): ${text.length > 80 ? `${text.slice(0, 77)}...` : text}`);
  }
  normalizePolicy(parsed); // validate the shape
  return parsed as IamPolicy;
}

/** The body of an `aws_iam_policy_document` data source in Terraform JSON (snake_case). */
export interface PolicyDocumentBody {
  version?: string;
  policy_id?: string;
  statement?: Array<{
    sid?: string;
    effect?: string;
    actions?: string[];
    not_actions?: string[];
    resources?: string[];
    not_resources?: string[];
    principals?: Array<{ type: string; identifiers: string[] }>;
    not_principals?: Array<{ type: string; identifiers: string[] }>;
    condition?: Array<{ test: string; variable: string; values: string[] }>;
  }>;
  source_policy_documents?: string[];
  override_policy_documents?: string[];
}

function renderPrincipals(ps: Array<{ type: string; identifiers: string[] }>): IamPrincipal {
  if (ps.length === 1 && ps[0].type === '*' && ps[0].identifiers.length === 1 && ps[0].identifiers[0] === '*') return '*';
  const out: Record<string, string[]> = {};
  for (const p of ps) {
    if (p.type === '*') throw new PolicyParseError('principal type "*" must have the single identifier "*"');
    out[p.type] = [...(out[p.type] ?? []), ...list(p.identifiers)];
  }
  return out;
}

/**
 * Renders an `aws_iam_policy_document` body the way the provider does: statements
 * from `source_policy_documents` first, then this document's, then
 * `override_policy_documents` replacing statements with the same Sid.
 * `loadDocument` turns each source/override entry (a JSON string or a reference to
 * another document) into a policy.
 */
export function renderPolicyDocument(body: PolicyDocumentBody, loadDocument: (entry: string) => IamPolicy): IamPolicy {
  const merge = (into: IamStatement[], add: IamStatement[]): IamStatement[] => {
    const out = [...into];
    for (const s of add) {
      const at = s.Sid ? out.findIndex((o) => o.Sid === s.Sid) : -1;
      if (at >= 0) out[at] = s;
      else out.push(s);
    }
    return out;
  };
  let statements: IamStatement[] = [];
  for (const src of body.source_policy_documents ?? []) statements = merge(statements, loadDocument(src).Statement);
  const own: IamStatement[] = (body.statement ?? []).map((s) => {
    const effect = s.effect ?? 'Allow';
    if (effect !== 'Allow' && effect !== 'Deny')
      throw new PolicyParseError(`statement effect must be Allow or Deny, got ${JSON.stringify(effect)}`);
    const out: IamStatement = { Effect: effect };
    if (s.sid) out.Sid = s.sid;
    if (s.actions?.length) out.Action = [...s.actions];
    if (s.not_actions?.length) out.NotAction = [...s.not_actions];
    if (s.resources?.length) out.Resource = [...s.resources];
    if (s.not_resources?.length) out.NotResource = [...s.not_resources];
    if (s.principals?.length) out.Principal = renderPrincipals(s.principals);
    if (s.not_principals?.length) out.NotPrincipal = renderPrincipals(s.not_principals);
    if (s.condition?.length) {
      const cond: Record<string, Record<string, string[]>> = {};
      for (const c of s.condition) {
        cond[c.test] ??= {};
        cond[c.test][c.variable] = [...(cond[c.test][c.variable] ?? []), ...list(c.values)];
      }
      out.Condition = cond;
    }
    return out;
  });
  statements = merge(statements, own);
  for (const ovr of body.override_policy_documents ?? []) statements = merge(statements, loadDocument(ovr).Statement);
  const policy: IamPolicy = { Version: body.version ?? '2012-10-17', Statement: statements };
  if (body.policy_id) policy.Id = body.policy_id;
  return policy;
}

/** `${data.aws_iam_policy_document.NAME.json}` (also `.minified_json`) -> NAME. */
export function policyDocumentRef(value: string): string | undefined {
  return /^\$\{data\.aws_iam_policy_document\.([^.}]+)\.(?:json|minified_json)\}$/.exec(value)?.[1];
}
