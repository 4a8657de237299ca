/**
 * A small EventBridge event-pattern matcher, to prove in tests that sample events
 * match (or do not match) the patterns our rules synthesize.
 *
 * Usage:
 *   import { matchesPattern, rulePattern } from './helpers/event-pattern';
 *   const pattern = rulePattern(stack, (rule) => rule.name === 'ssmb-agent-update');  // parsed event_pattern
 *   expect(matchesPattern(pattern, sampleEvent)).toBe(true);
 *   // patterns holding Terraform references (e.g. an association id known after apply):
 *   const p = rulePattern(stack, pred, { '${aws_ssm_association.x.association_id}': 'a1b2...' });
 *
 * Semantics implemented (EventBridge user guide, "Event patterns" and "Comparison
 * operators"):
 * - Every field named in the pattern must match (AND); nested objects nest; `$or`
 *   takes a list of sub-patterns at any object level.
 * - A leaf is a list of matchers (OR). Exact values (string, number, boolean, null),
 *   `prefix`, `suffix` (each optionally `{ "equals-ignore-case": ... }`),
 *   `equals-ignore-case`, `wildcard` (`*` only), `anything-but` (a value, a list, or
 *   `{prefix|suffix|equals-ignore-case|wildcard}`), `exists` true/false, `numeric`.
 * - Arrays in the event: a field matches if ANY element matches. Arrays of objects
 *   are flattened per field, so `{key: [K], value: [V]}` matches an event whose tags
 *   contain K with another value and V under another key, exactly as EventBridge
 *   does (the crossed-tag false positive of a naive AMI tag pattern).
 * - `exists` and the comparison operators look at leaves only; an object in the
 *   event is not a leaf. `anything-but` never matches a missing field.
 * - Anything else (cidr, unknown keys, a leaf that is not a list) throws, so a
 *   test can never pass by silently ignoring part of a pattern.
 */
import type { StackJson } from './synth';

export type EventPattern = Record<string, unknown>;

type Leaf = string | number | boolean | null;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Every leaf value at `path`, descending through arrays at any level. */
function leafValues(node: unknown, path: readonly string[]): Leaf[] {
  if (Array.isArray(node)) return node.flatMap((el) => leafValues(el, path));
  if (path.length === 0) return isPlainObject(node) ? [] : [node as Leaf];
  if (!isPlainObject(node) || !(path[0] in node)) return [];
  return leafValues(node[path[0]], path.slice(1));
}

function fail(path: readonly string[], reason: string): never {
  throw new Error(`unsupported event pattern at ${path.join('.') || '(root)'}: ${reason}`);
}

function wildcardRegex(glob: string): RegExp {
  const body = glob
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${body}$`, 's');
}

/** `prefix` / `suffix` take a string or `{ "equals-ignore-case": string }`. */
function affixMatch(kind: 'prefix' | 'suffix', arg: unknown, v: Leaf, path: readonly string[]): boolean {
  if (typeof v !== 'string') return false;
  let needle: string;
  let hay = v;
  if (typeof arg === 'string') needle = arg;
  else if (isPlainObject(arg) && typeof arg['equals-ignore-case'] === 'string' && Object.keys(arg).length === 1) {
    needle = (arg['equals-ignore-case'] as string).toLowerCase();
    hay = v.toLowerCase();
  } else fail(path, `${kind} takes a string or {"equals-ignore-case": string}, got ${JSON.stringify(arg)}`);
  return kind === 'prefix' ? hay.startsWith(needle) : hay.endsWith(needle);
}

const NUMERIC_OPS: Record<string, (a: number, b: number) => boolean> = {
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
  '=': (a, b) => a === b,
  '>': (a, b) => a > b,
  '>=': (a, b) => a >= b,
};

function numericMatch(arg: unknown, v: Leaf, path: readonly string[]): boolean {
  if (!Array.isArray(arg) || arg.length === 0 || arg.length % 2 !== 0)
    fail(path, `numeric takes [op, number, ...], got ${JSON.stringify(arg)}`);
  if (typeof v !== 'number') return false;
  for (let i = 0; i < arg.length; i += 2) {
    const op = NUMERIC_OPS[arg[i] as string];
    const bound = arg[i + 1];
    if (!op || typeof bound !== 'number') fail(path, `numeric takes [op, number, ...], got ${JSON.stringify(arg)}`);
    if (!op(v, bound)) return false;
  }
  return true;
}

function isScalar(v: unknown): v is Leaf {
  return v === null || ['string', 'number', 'boolean'].includes(typeof v);
}

/** Does `v` equal the `anything-but` argument (so anything-but fails)? */
function anythingButHit(arg: unknown, v: Leaf, path: readonly string[]): boolean {
  if (Array.isArray(arg)) {
    if (!arg.every(isScalar)) fail(path, `anything-but list must hold values only, got ${JSON.stringify(arg)}`);
    return arg.some((a) => a === v);
  }
  if (isScalar(arg)) return arg === v;
  if (isPlainObject(arg) && Object.keys(arg).length === 1) {
    const [op, inner] = Object.entries(arg)[0];
    if (op === 'prefix' || op === 'suffix') {
      if (typeof inner !== 'string') fail(path, `anything-but ${op} takes a string`);
      return affixMatch(op, inner, v, path);
    }
    if (op === 'equals-ignore-case') {
      const list = Array.isArray(inner) ? inner : [inner];
      if (!list.every((s) => typeof s === 'string')) fail(path, 'anything-but equals-ignore-case takes strings');
      return typeof v === 'string' && list.some((s) => (s as string).toLowerCase() === v.toLowerCase());
    }
    if (op === 'wildcard') {
      if (typeof inner !== 'string') fail(path, 'anything-but wildcard takes a string');
      return typeof v === 'string' && wildcardRegex(inner).test(v);
    }
  }
  return fail(path, `anything-but argument ${JSON.stringify(arg)} is not supported`);
}

/** One matcher against one present leaf value. `exists` is handled by the caller. */
function matcherMatches(m: unknown, v: Leaf, path: readonly string[]): boolean {
  if (isScalar(m)) return m === v;
  if (!isPlainObject(m) || Object.keys(m).length !== 1) fail(path, `matcher ${JSON.stringify(m)} must be a value or a one-key object`);
  const [op, arg] = Object.entries(m)[0];
  switch (op) {
    case 'prefix':
    case 'suffix':
      return affixMatch(op, arg, v, path);
    case 'equals-ignore-case':
      if (typeof arg !== 'string') fail(path, 'equals-ignore-case takes a string');
      return typeof v === 'string' && v.toLowerCase() === arg.toLowerCase();
    case 'wildcard':
      if (typeof arg !== 'string') fail(path, 'wildcard takes a string');
      return typeof v === 'string' && wildcardRegex(arg).test(v);
    case 'anything-but':
      return !anythingButHit(arg, v, path);
    case 'numeric':
      return numericMatch(arg, v, path);
    default:
      return fail(path, `operator ${JSON.stringify(op)} is not implemented by this test helper`);
  }
}

function leafMatches(matchers: unknown[], event: unknown, path: readonly string[]): boolean {
  if (matchers.length === 0) fail(path, 'a leaf needs at least one matcher');
  const values = leafValues(event, path);
  return matchers.some((m) => {
    if (isPlainObject(m) && 'exists' in m) {
      if (Object.keys(m).length !== 1 || typeof m.exists !== 'boolean') fail(path, `exists takes true or false, got ${JSON.stringify(m)}`);
      return values.length > 0 === m.exists;
    }
    return values.some((v) => matcherMatches(m, v, path));
  });
}

function objectMatches(pattern: Record<string, unknown>, event: unknown, base: readonly string[]): boolean {
  for (const [key, value] of Object.entries(pattern)) {
    if (key === '$or') {
      if (!Array.isArray(value) || value.length < 2 || !value.every(isPlainObject))
        fail(base, '$or takes a list of at least two sub-patterns');
      if (!value.some((alt) => objectMatches(alt as Record<string, unknown>, event, base))) return false;
      continue;
    }
    const path = [...base, key];
    if (Array.isArray(value)) {
      if (!leafMatches(value, event, path)) return false;
    } else if (isPlainObject(value)) {
      if (!objectMatches(value, event, path)) return false;
    } else {
      fail(path, `a pattern value must be a list or an object, got ${JSON.stringify(value)}`);
    }
  }
  return true;
}

/** True when EventBridge would deliver `event` to a rule with `pattern`. */
export function matchesPattern(pattern: EventPattern, event: unknown): boolean {
  if (!isPlainObject(pattern)) fail([], 'the pattern must be an object');
  return objectMatches(pattern, event, []);
}

/**
 * The parsed `event_pattern` of the one `aws_cloudwatch_event_rule` matching `pred`.
 * `references` replaces Terraform interpolations (`${...}`, values known only after
 * apply) with the concrete values a test's sample events carry; any interpolation
 * left over throws, so a test cannot match against an unresolved placeholder.
 */
export function rulePattern(
  stack: StackJson,
  pred: (rule: Record<string, any>) => boolean = () => true,
  references: Record<string, string> = {},
): EventPattern {
  const rules = Object.values((stack.resource?.aws_cloudwatch_event_rule ?? {}) as Record<string, Record<string, any>>).filter(pred);
  if (rules.length !== 1) throw new Error(`expected one aws_cloudwatch_event_rule matching, found ${rules.length}`);
  let text = rules[0].event_pattern as string;
  if (typeof text !== 'string') throw new Error('the rule has no event_pattern string');
  for (const [ref, value] of Object.entries(references)) text = text.split(ref).join(value);
  const left = /\$\{[^}]*\}/.exec(text);
  if (left) throw new Error(`event_pattern still holds the Terraform reference ${left[0]}; pass its value in references`);
  return JSON.parse(text) as EventPattern;
}
