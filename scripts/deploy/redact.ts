// Takes every sensitive value out of a `terraform show -json` plan before it leaves the
// job that made it (an artifact, a comment, an issue): terraform writes sensitive values
// in plain text and marks them only in parallel trees. A sensitive value becomes a fixed
// marker, never a digest: an unkeyed digest of a short secret is brute-forced from a
// public artifact, and a keyed one needs a key in the pull-request run, which runs the
// pull request's code (docs/deploy.md: Sensitive values in plans). In a change, `after`
// says whether the secret differs from `before`, so the summary and the comparison still
// tell a changed secret from an unchanged one.
//
// Redacted: resource_changes and resource_drift (before / after by before_sensitive /
// after_sensitive, both trees applied to both sides), output_changes, planned_values and
// prior_state (resources by sensitive_values, outputs by their `sensitive` flag),
// variables declared sensitive, and the configuration's constants of sensitive
// attributes, outputs and variable defaults.

/** A sensitive value. */
export const SENSITIVE = '(sensitive)';
/** A change's new sensitive value that differs from its value before. */
export const SENSITIVE_CHANGED = '(sensitive, changed)';

/** The provider's own sensitive arguments (the plan does not mark provider configuration). */
const PROVIDER_SENSITIVE = ['access_key', 'secret_key', 'token'];

type Json = any;

const isObject = (v: unknown): v is Record<string, Json> => !!v && typeof v === 'object';

/** True when a sensitivity tree marks anything (`true` somewhere in it). */
function marksAny(mark: unknown): boolean {
  if (mark === true) return true;
  return isObject(mark) && Object.values(mark).some(marksAny);
}

/** Both marks at once: what either side of a change calls sensitive. */
function union(a: unknown, b: unknown): unknown {
  if (a === true || b === true) return true;
  if (!isObject(a)) return isObject(b) ? b : a;
  if (!isObject(b)) return a;
  if (Array.isArray(a) || Array.isArray(b)) {
    const len = Math.max((a as unknown[]).length ?? 0, (b as unknown[]).length ?? 0);
    return Array.from({ length: len }, (_, i) => union((a as Json)[i], (b as Json)[i]));
  }
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return Object.fromEntries([...keys].map((k) => [k, union(a[k], b[k])]));
}

/**
 * `value` with every part `mark` calls sensitive replaced: by SENSITIVE, or, when
 * `before` is given (the after side of a change), by SENSITIVE_CHANGED where the value
 * differs from `before` at the same place. Absent values (unknown until apply) stay absent.
 */
function redactValue(value: Json, mark: unknown, before?: { value: Json }): Json {
  if (mark === true) {
    if (value === undefined) return undefined;
    // A marker compares as the value it stands for, so redacting twice changes nothing.
    const same = before === undefined || JSON.stringify(value) === JSON.stringify(before.value) || value === SENSITIVE;
    return before === undefined || same ? SENSITIVE : SENSITIVE_CHANGED;
  }
  if (!isObject(value) || !isObject(mark)) return value;
  const at = (k: string | number) => (before === undefined ? undefined : { value: isObject(before.value) ? before.value[k] : undefined });
  if (Array.isArray(value)) return value.map((v, i) => redactValue(v, (mark as Json)[i], at(i)));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactValue(v, mark[k], at(k))]));
}

interface Change {
  before?: Json;
  after?: Json;
  before_sensitive?: unknown;
  after_sensitive?: unknown;
  [k: string]: unknown;
}

/** One change: both sides by the union of both marks; the after side says changed or not. */
function redactChange(c: Change | undefined): Change | undefined {
  if (!c) return c;
  const mark = union(c.before_sensitive, c.after_sensitive);
  return {
    ...c,
    before: redactValue(c.before, mark),
    after: redactValue(c.after, mark, { value: c.before }),
  };
}

interface StateModule {
  resources?: Array<{ values?: Json; sensitive_values?: unknown; [k: string]: unknown }>;
  child_modules?: StateModule[];
  [k: string]: unknown;
}

function redactModule(m: StateModule | undefined, marks: Map<string, unknown>): StateModule | undefined {
  if (!m) return m;
  return {
    ...m,
    ...(m.resources && {
      resources: m.resources.map((r) => {
        const mark = union(r.sensitive_values, marks.get(configAddress(String(r.address))));
        return { ...r, values: redactValue(r.values, mark) };
      }),
    }),
    ...(m.child_modules && { child_modules: m.child_modules.map((c) => redactModule(c, marks)!) }),
  };
}

function redactOutputs(outputs: Record<string, { sensitive?: boolean; value?: Json }> | undefined) {
  if (!outputs) return outputs;
  return Object.fromEntries(
    Object.entries(outputs).map(([k, o]) => [k, o.sensitive && o.value !== undefined ? { ...o, value: SENSITIVE } : o]),
  );
}

/** A resource instance address as the configuration names it: no instance keys (`module.a["x"].aws_x.y[0]` -> `module.a.aws_x.y`). */
function configAddress(address: string): string {
  return address.replace(/\[[^\]]*\]/g, '');
}

/** Every constant in an expression tree replaced (a sensitive attribute's constant is its value). */
function redactConstants(expr: Json): Json {
  if (Array.isArray(expr)) return expr.map(redactConstants);
  if (!isObject(expr)) return expr;
  return Object.fromEntries(Object.entries(expr).map(([k, v]) => [k, k === 'constant_value' ? SENSITIVE : redactConstants(v)]));
}

interface ConfigModule {
  resources?: Array<{ address?: string; expressions?: Record<string, Json>; [k: string]: unknown }>;
  outputs?: Record<string, { sensitive?: boolean; expression?: Json; [k: string]: unknown }>;
  variables?: Record<string, { sensitive?: boolean; default?: Json; [k: string]: unknown }>;
  module_calls?: Record<string, { module?: ConfigModule; [k: string]: unknown }>;
  [k: string]: unknown;
}

function redactConfigModule(m: ConfigModule | undefined, prefix: string, marks: Map<string, unknown>): ConfigModule | undefined {
  if (!m) return m;
  const out: ConfigModule = { ...m };
  if (m.resources)
    out.resources = m.resources.map((r) => {
      const mark = marks.get(`${prefix}${r.address}`);
      if (!r.expressions || !marksAny(mark)) return r;
      const expressions = Object.fromEntries(
        Object.entries(r.expressions).map(([k, e]) => [k, marksAny((mark as Json)?.[k]) ? redactConstants(e) : e]),
      );
      return { ...r, expressions };
    });
  if (m.outputs)
    out.outputs = Object.fromEntries(
      Object.entries(m.outputs).map(([k, o]) => [k, o.sensitive ? { ...o, expression: redactConstants(o.expression) } : o]),
    );
  if (m.variables)
    out.variables = Object.fromEntries(
      Object.entries(m.variables).map(([k, v]) => [k, v.sensitive && v.default !== undefined ? { ...v, default: SENSITIVE } : v]),
    );
  if (m.module_calls)
    out.module_calls = Object.fromEntries(
      Object.entries(m.module_calls).map(([k, c]) => [k, { ...c, module: redactConfigModule(c.module, `${prefix}module.${k}.`, marks) }]),
    );
  return out;
}

/** Everything any part of the plan marks sensitive, per resource as the configuration names it. */
function sensitiveMarks(plan: Json): Map<string, unknown> {
  const marks = new Map<string, unknown>();
  const add = (address: unknown, mark: unknown) => {
    if (typeof address !== 'string' || !marksAny(mark)) return;
    const key = configAddress(address);
    marks.set(key, union(marks.get(key), mark));
  };
  for (const rc of [...(plan.resource_changes ?? []), ...(plan.resource_drift ?? [])])
    add(rc.address, union(rc.change?.before_sensitive, rc.change?.after_sensitive));
  const walk = (m: StateModule | undefined) => {
    for (const r of m?.resources ?? []) add(r.address, r.sensitive_values);
    for (const c of m?.child_modules ?? []) walk(c);
  };
  walk(plan.planned_values?.root_module);
  walk(plan.prior_state?.values?.root_module);
  return marks;
}

/** True for what `terraform show -json` writes for a saved plan. */
export function isPlan(value: unknown): boolean {
  return (
    isObject(value) &&
    typeof value.format_version === 'string' &&
    ('planned_values' in value || 'resource_changes' in value || 'errored' in value)
  );
}

/** The plan without any value terraform marks sensitive; the input is left as it is. */
export function redactPlan<T>(plan: T): T {
  const p = plan as Json;
  if (!isPlan(p)) throw new Error('not a `terraform show -json` plan');
  const marks = sensitiveMarks(p);
  const out: Json = { ...p };
  const changes = (list: Json[] | undefined) => list?.map((rc) => ({ ...rc, change: redactChange(rc.change) }));
  if (p.resource_changes) out.resource_changes = changes(p.resource_changes);
  if (p.resource_drift) out.resource_drift = changes(p.resource_drift);
  if (p.deferred_changes)
    out.deferred_changes = p.deferred_changes.map((d: Json) =>
      d.resource_change ? { ...d, resource_change: { ...d.resource_change, change: redactChange(d.resource_change.change) } } : d,
    );
  if (p.output_changes)
    out.output_changes = Object.fromEntries(Object.entries(p.output_changes).map(([k, c]) => [k, redactChange(c as Change)]));
  if (p.planned_values)
    out.planned_values = {
      ...p.planned_values,
      ...(p.planned_values.root_module && { root_module: redactModule(p.planned_values.root_module, marks) }),
      ...(p.planned_values.outputs && { outputs: redactOutputs(p.planned_values.outputs) }),
    };
  if (p.prior_state?.values)
    out.prior_state = {
      ...p.prior_state,
      values: {
        ...p.prior_state.values,
        ...(p.prior_state.values.root_module && { root_module: redactModule(p.prior_state.values.root_module, marks) }),
        ...(p.prior_state.values.outputs && { outputs: redactOutputs(p.prior_state.values.outputs) }),
      },
    };
  const declared = (p.configuration?.root_module?.variables ?? {}) as ConfigModule['variables'] & object;
  if (p.variables)
    out.variables = Object.fromEntries(
      Object.entries(p.variables as Record<string, Json>).map(([k, v]) => [k, declared[k]?.sensitive ? { ...v, value: SENSITIVE } : v]),
    );
  if (p.configuration) {
    out.configuration = { ...p.configuration, root_module: redactConfigModule(p.configuration.root_module, '', marks) };
    if (p.configuration.provider_config)
      out.configuration.provider_config = Object.fromEntries(
        Object.entries(p.configuration.provider_config as Record<string, Json>).map(([k, pc]) => [
          k,
          pc.expressions
            ? {
                ...pc,
                expressions: Object.fromEntries(
                  Object.entries(pc.expressions).map(([a, e]) => [a, PROVIDER_SENSITIVE.includes(a) ? redactConstants(e) : e]),
                ),
              }
            : pc,
        ]),
      );
    if (!p.configuration.root_module) delete out.configuration.root_module;
  }
  return out as T;
}
