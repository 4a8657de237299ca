// Compares the plan a pull request's review showed with the plan made at apply time.
// Both are `terraform show -json` output; each is reduced to what applying it would do:
// every resource (and output) change that is not a no-op, with its actions and its
// before and after values. Values known only after apply become one marker, so "unknown"
// equals "unknown" but never a concrete value; sensitive values are compared by digest
// and never printed. Everything else in a plan (timestamp, configuration, the provider's
// role, resource_drift, prior_state) says nothing about what the apply changes.
import { createHash } from 'node:crypto';

/** Stand-in for a value known only after apply. */
export const UNKNOWN = '(known after apply)';
const SENSITIVE_PREFIX = '(sensitive ';

/** One change as the comparison sees it. */
export interface NormalizedChange {
  readonly address: string;
  readonly actions: readonly string[];
  readonly before: unknown;
  readonly after: unknown;
}

export interface PlanDifference {
  readonly address: string;
  /** `resource`: present in one plan only; `actions`: different actions; `value`: a before/after value at `path`. */
  readonly kind: 'only-reviewed' | 'only-fresh' | 'actions' | 'value';
  readonly path?: string;
  readonly reviewed?: string;
  readonly fresh?: string;
}

interface Change {
  actions?: string[];
  before?: unknown;
  after?: unknown;
  after_unknown?: unknown;
  before_sensitive?: unknown;
  after_sensitive?: unknown;
}

interface PlanLike {
  resource_changes?: Array<{ address: string; change: Change }>;
  output_changes?: Record<string, Change>;
  errored?: boolean;
}

function digest(value: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify(value ?? null))
    .digest('hex')
    .slice(0, 16);
}

/**
 * A value with its unknown and sensitive marks folded in (terraform writes them as
 * parallel trees: `true` marks the whole subtree, an object or array marks parts).
 */
export function foldMarks(value: unknown, unknown: unknown, sensitive: unknown): unknown {
  if (unknown === true) return UNKNOWN;
  if (sensitive === true) return `${SENSITIVE_PREFIX}${digest(value)})`;
  const u = unknown && typeof unknown === 'object' ? (unknown as Record<string, unknown>) : undefined;
  const s = sensitive && typeof sensitive === 'object' ? (sensitive as Record<string, unknown>) : undefined;
  if (Array.isArray(value) || Array.isArray(unknown)) {
    const arr = Array.isArray(value) ? value : [];
    const len = Math.max(arr.length, Array.isArray(unknown) ? unknown.length : 0);
    return Array.from({ length: len }, (_, i) => foldMarks(arr[i], u?.[i], s?.[i]));
  }
  if ((value && typeof value === 'object') || u) {
    const obj = value && typeof value === 'object' ? (value as Record<string, unknown>) : {};
    const keys = [...new Set([...Object.keys(obj), ...Object.keys(u ?? {})])].sort();
    return Object.fromEntries(keys.map((k) => [k, foldMarks(obj[k], u?.[k], s?.[k])]));
  }
  return value === undefined ? null : value;
}

/** What applying the plan would change, by address (outputs as `output.<name>`). */
export function normalizePlan(plan: PlanLike): Map<string, NormalizedChange> {
  const out = new Map<string, NormalizedChange>();
  const add = (address: string, c: Change) => {
    const actions = c.actions ?? [];
    if (actions.length === 1 && actions[0] === 'no-op') return;
    out.set(address, {
      address,
      actions,
      before: foldMarks(c.before, undefined, c.before_sensitive),
      after: foldMarks(c.after, c.after_unknown, c.after_sensitive),
    });
  };
  for (const rc of plan.resource_changes ?? []) add(rc.address, rc.change);
  for (const [name, c] of Object.entries(plan.output_changes ?? {})) add(`output.${name}`, c);
  return out;
}

/** A value as a difference report shows it: sensitive values never, long ones cut. */
function shown(value: unknown): string {
  if (typeof value === 'string' && value.startsWith(SENSITIVE_PREFIX)) return '(sensitive value)';
  const text = JSON.stringify(value, (_k, v) => (typeof v === 'string' && v.startsWith(SENSITIVE_PREFIX) ? '(sensitive value)' : v));
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

function valueDiffs(address: string, path: string, a: unknown, b: unknown, out: PlanDifference[]): void {
  if (JSON.stringify(a) === JSON.stringify(b)) return;
  const objects = a && b && typeof a === 'object' && typeof b === 'object' && Array.isArray(a) === Array.isArray(b);
  if (objects) {
    const ra = a as Record<string, unknown>;
    const rb = b as Record<string, unknown>;
    for (const k of [...new Set([...Object.keys(ra), ...Object.keys(rb)])].sort()) valueDiffs(address, `${path}.${k}`, ra[k], rb[k], out);
    return;
  }
  out.push({ address, kind: 'value', path, reviewed: shown(a), fresh: shown(b) });
}

/** Every way the fresh plan would do something other than the reviewed one; empty when they agree. */
export function comparePlans(reviewed: PlanLike, fresh: PlanLike): PlanDifference[] {
  const a = normalizePlan(reviewed);
  const b = normalizePlan(fresh);
  const diffs: PlanDifference[] = [];
  for (const address of [...new Set([...a.keys(), ...b.keys()])].sort()) {
    const r = a.get(address);
    const f = b.get(address);
    if (!f) diffs.push({ address, kind: 'only-reviewed', reviewed: r!.actions.join(',') });
    else if (!r) diffs.push({ address, kind: 'only-fresh', fresh: f.actions.join(',') });
    else if (r.actions.join(',') !== f.actions.join(','))
      diffs.push({ address, kind: 'actions', reviewed: r.actions.join(','), fresh: f.actions.join(',') });
    else {
      valueDiffs(address, 'before', r.before, f.before, diffs);
      valueDiffs(address, 'after', r.after, f.after, diffs);
    }
  }
  return diffs;
}

/** The refusal message: one line per difference. */
export function renderDifferences(diffs: readonly PlanDifference[]): string {
  if (!diffs.length) return 'the plan is the reviewed plan: same resource changes, actions and values\n';
  const lines = diffs.map((d) => {
    switch (d.kind) {
      case 'only-reviewed':
        return `${d.address}: reviewed (${d.reviewed}), not in the plan now`;
      case 'only-fresh':
        return `${d.address}: ${d.fresh} now, not in the reviewed plan`;
      case 'actions':
        return `${d.address}: reviewed ${d.reviewed}, now ${d.fresh}`;
      default:
        return `${d.address} ${d.path}: reviewed ${d.reviewed}, now ${d.fresh}`;
    }
  });
  return `${diffs.length} difference(s) from the reviewed plan:\n${lines.map((l) => `  ${l}`).join('\n')}\n`;
}
