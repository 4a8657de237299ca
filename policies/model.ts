// One stack as the rules see it, whether it came from `cdktf synth` (cdk.tf.json, values
// may hold `${type.name.attr}` references) or from `terraform show -json` (planned
// values; attributes unknown until apply fall back to the configuration's expression,
// so they read exactly like the synthesized JSON).
import {
  IamPolicy,
  NormalStatement,
  PolicyDocumentBody,
  PolicyParseError,
  normalizePolicy,
  parsePolicyString,
  policyDocumentRef,
  renderPolicyDocument,
} from './document';
import policyAttributesFile from './policy-attributes.json';

export type Values = Record<string, any>;

export interface Resource {
  readonly mode: 'managed' | 'data';
  readonly type: string;
  readonly name: string;
  /** Terraform address: `type.name`, `data.type.name`, with `module.x.` in front inside modules. */
  readonly address: string;
  readonly values: Values;
  /** cdktf construct path (`stack/shared/notifications/topic`), when known. */
  readonly constructPath?: string;
  /** Raw suppression entries from the resource's `//` metadata (validated by the engine). */
  readonly suppressions: unknown[];
}

export interface Backend {
  readonly type: string;
  readonly config: Values;
}

/** A Terraform JSON configuration (cdk.tf.json). */
export interface TerraformJson {
  '//'?: Values;
  resource?: Record<string, Record<string, Values>>;
  data?: Record<string, Record<string, Values>>;
  provider?: Record<string, Values[]>;
  terraform?: Values;
  [key: string]: unknown;
}

/** Where a policy document is used and what it governs. */
export interface PolicyUse {
  readonly resource: Resource;
  /** Attribute path holding the policy, e.g. `policy`, `inline_policy[0].policy`. */
  readonly attribute: string;
  /**
   * identity: attached to a principal; trust: a role's assume-role policy; resource:
   * guards a resource; boundary: limits what passes (a VPC endpoint or session policy)
   * and grants nothing by itself.
   */
  readonly kind: 'identity' | 'trust' | 'resource' | 'boundary';
  /** For resource policies: the resource type guarded (aws_s3_bucket, aws_kms_key, ...). */
  readonly guards?: string;
  readonly statements: NormalStatement[];
}

export interface PolicyError {
  readonly resource: Resource;
  readonly attribute: string;
  readonly error: string;
  /** The document may be fine, but its kind is unknown to the checks (not a parse error). */
  readonly unclassified?: true;
}

/** The key of the `//` comment entry carrying suppressions (see policies/suppress.ts). */
export const SUPPRESSIONS_KEY = 'ssmb_suppressions';

/**
 * Resource types and attributes that hold policy documents, generated from the AWS
 * provider's schema by scripts/policy-attributes.ts (`other`: not an IAM policy;
 * `unclassified`: a policy attribute nobody classified yet, reported as could not tell).
 */
export const POLICY_ATTRIBUTES: readonly PolicyAttributeSpec[] = (policyAttributesFile as { attributes: PolicyAttributeSpec[] }).attributes;

export interface PolicyAttributeSpec {
  readonly type: string;
  /** Path inside the resource, through nested blocks: `policy`, `inline_policy.policy`. */
  readonly attribute: string;
  readonly kind: PolicyUse['kind'] | 'other' | 'unclassified';
  readonly guards?: string;
}

/** Every value at a dotted attribute path, with its address: `inline_policy.policy` -> `inline_policy[0].policy`, ... */
function slotsOf(values: Values, path: string): Array<[string, unknown]> {
  const [head, ...rest] = path.split('.');
  if (!rest.length) return [[head, values[head]]];
  const inner = values[head];
  const items: Values[] = Array.isArray(inner) ? inner : inner && typeof inner === 'object' ? [inner as Values] : [];
  return items.flatMap((item, i) =>
    item && typeof item === 'object' ? slotsOf(item, rest.join('.')).map(([p, v]): [string, unknown] => [`${head}[${i}].${p}`, v]) : [],
  );
}

/** Attributes that name a resource, for matching a concrete value to it. */
const IDENTITY_ATTRIBUTES = ['id', 'arn', 'name', 'bucket', 'function_name', 'alarm_name', 'url', 'key_id', 'role'];

// `$${...}` is Terraform's escape for a literal `${...}` (IAM policy variables such as
// `$${aws:username}`), so the optional leading `$` is captured and such matches skipped.
const REF = /(\$?)\$\{([^{}]*)\}/g;
/** IAM policy variables (`${aws:username}`, `${*}`) as they read once Terraform unescaped them. */
const POLICY_VARIABLE = /^(?:[A-Za-z0-9-]+:[A-Za-z0-9_/-]+|[*?$])$/;

export interface Reference {
  readonly mode: 'managed' | 'data';
  readonly type: string;
  readonly name: string;
  readonly attribute?: string;
}

/** Every `type.name[.attr]` reference inside `${...}` of a string. */
export function references(value: unknown): Reference[] {
  if (typeof value !== 'string') return [];
  const out: Reference[] = [];
  for (const m of value.matchAll(REF)) {
    if (m[1] === '$') continue;
    for (const r of m[2].matchAll(/(data\.)?\b(aws_[a-z0-9_]+)\.([A-Za-z0-9_-]+)(?:\.([a-z_]+))?/g)) {
      out.push({ mode: r[1] ? 'data' : 'managed', type: r[2], name: r[3], attribute: r[4] });
    }
  }
  return out;
}

/** True for a value Terraform only knows at apply (a reference or expression), not for escapes and IAM policy variables. */
export function isExpression(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  for (let at = value.indexOf('${'); at >= 0; at = value.indexOf('${', at + 2)) {
    if (at > 0 && value[at - 1] === '$') continue;
    const end = value.indexOf('}', at);
    if (end < 0 || !POLICY_VARIABLE.test(value.slice(at + 2, end).trim())) return true;
  }
  return false;
}

export class StackModel {
  readonly resources: Resource[];
  private readonly index = new Map<string, Resource>();
  private uses?: { uses: PolicyUse[]; errors: PolicyError[] };

  constructor(
    readonly name: string,
    readonly source: 'synth' | 'plan',
    /** File the stack came from. */
    readonly file: string,
    resources: Resource[],
    readonly backend: Backend | undefined,
    readonly accountId: string | undefined,
    readonly region: string | undefined,
    /** Stack-level suppressions (top-level `//` of cdk.tf.json), for findings on the backend. */
    readonly stackSuppressions: unknown[] = [],
  ) {
    this.resources = resources;
    for (const r of resources) this.index.set(r.address, r);
  }

  byType(type: string): Resource[] {
    return this.resources.filter((r) => r.mode === 'managed' && r.type === type);
  }

  get(type: string, name: string, mode: 'managed' | 'data' = 'managed'): Resource | undefined {
    return this.index.get(mode === 'data' ? `data.${type}.${name}` : `${type}.${name}`);
  }

  /** Does `value` refer to `resource` (by reference, or by a concrete name/ARN)? */
  refersTo(value: unknown, resource: Resource): boolean {
    if (references(value).some((ref) => ref.mode === 'managed' && ref.type === resource.type && ref.name === resource.name)) return true;
    return typeof value === 'string' && !isExpression(value) && this.identities(resource).includes(value);
  }

  private identities(r: Resource): string[] {
    return IDENTITY_ATTRIBUTES.map((a) => r.values[a]).filter((v): v is string => typeof v === 'string' && v !== '' && !isExpression(v));
  }

  /**
   * A policy attribute as IAM JSON: a reference to an `aws_iam_policy_document`, a JSON
   * string (references inside strings are fine) or an object. Throws PolicyParseError
   * on anything else, e.g. an HCL `${jsonencode(...)}` expression.
   */
  policy(value: unknown, seen: Set<string> = new Set()): IamPolicy {
    if (value && typeof value === 'object') {
      normalizePolicy(value);
      return value as IamPolicy;
    }
    if (typeof value !== 'string') throw new PolicyParseError(`policy is ${JSON.stringify(value)}, not a document`);
    const doc = policyDocumentRef(value);
    if (doc) {
      if (seen.has(doc)) throw new PolicyParseError(`aws_iam_policy_document.${doc} includes itself`);
      const data = this.get('aws_iam_policy_document', doc, 'data');
      if (!data) throw new PolicyParseError(`refers to data.aws_iam_policy_document.${doc}, which the stack does not declare`);
      const next = new Set(seen).add(doc);
      return renderPolicyDocument(data.values as PolicyDocumentBody, (entry) => this.policy(entry, next));
    }
    if (value.trim().startsWith('${')) {
      throw new PolicyParseError(
        `policy is a Terraform expression, not a document the checks can read: ${value.length > 80 ? `${value.slice(0, 77)}...` : value}`,
      );
    }
    return parsePolicyString(value);
  }

  /** Every policy document the stack uses, parsed once; documents that cannot be read land in `errors`. */
  policies(): { uses: PolicyUse[]; errors: PolicyError[] } {
    if (this.uses) return this.uses;
    const uses: PolicyUse[] = [];
    const errors: PolicyError[] = [];
    for (const spec of POLICY_ATTRIBUTES) {
      if (spec.kind === 'other') continue;
      for (const resource of this.byType(spec.type)) {
        for (const [attribute, value] of slotsOf(resource.values, spec.attribute)) {
          if (value === undefined || value === null || value === '') continue;
          if (spec.kind === 'unclassified') {
            errors.push({
              resource,
              attribute,
              unclassified: true,
              error: `${spec.type}.${spec.attribute} holds a policy the checks have not classified (identity, trust, resource or boundary)`,
            });
            continue;
          }
          try {
            const statements = normalizePolicy(this.policy(value));
            uses.push({ resource, attribute, kind: spec.kind, guards: spec.guards, statements });
          } catch (err) {
            if (!(err instanceof PolicyParseError)) throw err;
            errors.push({ resource, attribute, error: err.message });
          }
        }
      }
    }
    this.uses = { uses, errors };
    return this.uses;
  }

  /** The account root ARN of this stack's account, when known. */
  get accountRoot(): string | undefined {
    return this.accountId ? `arn:aws:iam::${this.accountId}:root` : undefined;
  }
}

// ---- synthesized JSON ---------------------------------------------------------------

function withoutComments(values: Values): Values {
  const { ['//']: _comment, ...rest } = values;
  return rest;
}

function metadata(values: Values | undefined): { path?: string; suppressions: unknown[] } {
  const comment = values?.['//'] as Values | undefined;
  const s = comment?.[SUPPRESSIONS_KEY];
  return { path: comment?.metadata?.path, suppressions: Array.isArray(s) ? s : s === undefined ? [] : [s] };
}

function providerFacts(json: TerraformJson): { accountId?: string; region?: string } {
  const aws = json.provider?.aws?.[0];
  const ids = aws?.allowed_account_ids;
  return {
    accountId: Array.isArray(ids) && ids.length === 1 ? String(ids[0]) : undefined,
    region: typeof aws?.region === 'string' ? aws.region : undefined,
  };
}

function backendOf(json: TerraformJson | undefined): Backend | undefined {
  const backends = json?.terraform?.backend as Record<string, Values> | undefined;
  const [type] = Object.keys(backends ?? {});
  return type ? { type, config: backends![type] } : undefined;
}

/** A stack read from a synthesized cdk.tf.json. */
export function stackFromSynth(json: TerraformJson, name: string, file: string): StackModel {
  const resources: Resource[] = [];
  for (const mode of ['managed', 'data'] as const) {
    const group = (mode === 'managed' ? json.resource : json.data) ?? {};
    for (const [type, byName] of Object.entries(group)) {
      for (const [rname, body] of Object.entries(byName)) {
        const meta = metadata(body);
        resources.push({
          mode,
          type,
          name: rname,
          address: mode === 'data' ? `data.${type}.${rname}` : `${type}.${rname}`,
          values: withoutComments(body),
          constructPath: meta.path,
          suppressions: meta.suppressions,
        });
      }
    }
  }
  const { accountId, region } = providerFacts(json);
  return new StackModel(name, 'synth', file, resources, backendOf(json), accountId, region, metadata(json).suppressions);
}

// ---- terraform show -json -------------------------------------------------------------

interface PlanResource {
  address: string;
  mode: 'managed' | 'data';
  type: string;
  name: string;
  values?: Values;
}

interface PlanModule {
  resources?: PlanResource[];
  child_modules?: PlanModule[];
}

interface ConfigModule {
  resources?: Array<{ address: string; expressions?: Values }>;
}

/** A plan, as `terraform show -json <planfile>` prints it (the parts the checks read). */
export interface PlanJson {
  format_version: string;
  planned_values?: { root_module?: PlanModule };
  resource_changes?: Array<{
    address: string;
    mode: string;
    type: string;
    name: string;
    change: { actions: string[]; before?: unknown; after?: unknown };
  }>;
  configuration?: { root_module?: ConfigModule; provider_config?: Record<string, { expressions?: Values }> };
  prior_state?: { values?: { root_module?: PlanModule } };
  [key: string]: unknown;
}

/** Turns a configuration `expressions` tree into values: constants as they are, other expressions as `${reference}`. */
export function expressionValues(expr: unknown): unknown {
  if (Array.isArray(expr)) return expr.map(expressionValues);
  if (!expr || typeof expr !== 'object') return expr;
  const e = expr as Values;
  if ('constant_value' in e) return e.constant_value;
  if ('references' in e && Array.isArray(e.references)) return e.references.length ? `\${${e.references[0]}}` : undefined;
  return Object.fromEntries(Object.entries(e).map(([k, v]) => [k, expressionValues(v)]));
}

/** Known planned values over the configuration's expressions (unknown parts are absent or null in the plan). */
export function mergeKnown(config: unknown, planned: unknown): unknown {
  if (planned === undefined || planned === null) return config ?? planned;
  // cdk.tf.json may write a single nested block as an object; a plan always lists blocks.
  if (Array.isArray(planned) && config && typeof config === 'object' && !Array.isArray(config)) return mergeKnown([config], planned);
  if (Array.isArray(planned) && Array.isArray(config)) {
    return Array.from({ length: Math.max(planned.length, config.length) }, (_, i) => mergeKnown(config[i], planned[i]));
  }
  if (planned && typeof planned === 'object' && !Array.isArray(planned) && config && typeof config === 'object' && !Array.isArray(config)) {
    const keys = new Set([...Object.keys(config), ...Object.keys(planned)]);
    return Object.fromEntries([...keys].map((k) => [k, mergeKnown((config as Values)[k], (planned as Values)[k])]));
  }
  return planned;
}

function planResources(module: PlanModule | undefined): PlanResource[] {
  if (!module) return [];
  return [...(module.resources ?? []), ...(module.child_modules ?? []).flatMap(planResources)];
}

/** Meta-arguments of a resource body in cdk.tf.json: not attribute values. */
const META_ARGUMENTS = ['//', 'count', 'for_each', 'depends_on', 'lifecycle', 'provider', 'provisioner', 'connection'];

/**
 * A stack read from a plan. `synth` is the stack's cdk.tf.json when it sits next to the
 * plan (the harness and the workflow write plan.json into the stack directory): the
 * plan holds neither the backend nor the `//` comments carrying suppressions.
 *
 * Values Terraform knows only at apply come from `synth` when it declares the resource:
 * the exact text (`${aws_s3_bucket.x.arn}/*`), as the synthesized stack reads. Without
 * it they come from the plan's configuration expressions, which keep that text for a
 * JSON configuration (`constant_value`) but not for HCL, where only the references are
 * recorded and `"${aws_s3_bucket.x.arn}/*"` would read as the bucket itself.
 */
export function stackFromPlan(plan: PlanJson, name: string, file: string, synth?: TerraformJson): StackModel {
  if (!plan || typeof plan !== 'object' || !plan.format_version || !plan.planned_values) {
    throw new Error(`${file}: not a terraform plan (expected the output of \`terraform show -json <planfile>\`)`);
  }
  const fromSynth = (r: { mode: string; type: string; name: string }): Values | undefined => {
    const body = (r.mode === 'managed' ? synth?.resource : synth?.data)?.[r.type]?.[r.name];
    return body ? Object.fromEntries(Object.entries(body).filter(([k]) => !META_ARGUMENTS.includes(k))) : undefined;
  };
  const config = new Map(
    (plan.configuration?.root_module?.resources ?? []).map((r) => [r.address, expressionValues(r.expressions ?? {}) as Values]),
  );
  const reads = new Map(
    (plan.resource_changes ?? []).filter((c) => c.change.actions.includes('read')).map((c) => [c.address, c.change.after as Values]),
  );
  const seen = new Set<string>();
  const resources: Resource[] = [];
  const add = (r: { address: string; mode: 'managed' | 'data'; type: string; name: string }, known: unknown) => {
    if (seen.has(r.address)) return;
    seen.add(r.address);
    const synthBody = (r.mode === 'managed' ? synth?.resource : synth?.data)?.[r.type]?.[r.name];
    const meta = metadata(synthBody);
    resources.push({
      mode: r.mode,
      type: r.type,
      name: r.name,
      address: r.address,
      values: (mergeKnown(fromSynth(r) ?? config.get(r.address) ?? {}, known) ?? {}) as Values,
      constructPath: meta.path,
      suppressions: meta.suppressions,
    });
  };
  for (const r of planResources(plan.planned_values.root_module))
    add(r, r.mode === 'data' ? mergeKnown(r.values, reads.get(r.address)) : r.values);
  // Data sources deferred to apply appear only as changes; those read during the plan only in prior_state.
  for (const c of plan.resource_changes ?? []) {
    if (c.mode === 'data' && reads.has(c.address))
      add({ address: c.address, mode: 'data', type: c.type, name: c.name }, reads.get(c.address));
  }
  for (const r of planResources(plan.prior_state?.values?.root_module)) if (r.mode === 'data') add(r, r.values);
  const awsExpr = expressionValues(plan.configuration?.provider_config?.aws?.expressions ?? {}) as Values;
  const facts = synth ? providerFacts(synth) : {};
  const region = facts.region ?? (typeof awsExpr.region === 'string' ? awsExpr.region : undefined);
  return new StackModel(name, 'plan', file, resources, backendOf(synth), facts.accountId, region, metadata(synth).suppressions);
}
