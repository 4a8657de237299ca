// The apply order: cdktf's manifest says which stacks each stack depends on (an account's
// region stacks on its bootstrap stack, and on any other stack the app declares, such as
// a hub). The stacks are applied in waves: a wave holds every stack whose dependencies
// all lie in earlier waves. A stack that fails (or is refused) stops its dependants,
// transitively; every other stack still runs.
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MANIFEST_FILE, SynthOutputError, listStacks, readJsonFile, readStackJson } from '../../tooling/synth-output';
import { MAX_MATRIX_JOBS } from '../plan-summary/matrix';
import { artifactName, stackOfArtifact } from './artifacts';

/** stack -> the stacks it depends on. */
export type StackGraph = Record<string, readonly string[]>;

/** The dependency graph of a synth folder's manifest. */
export function manifestGraph(outdir: string): StackGraph {
  const file = join(outdir, MANIFEST_FILE);
  const stacks = (readJsonFile(file) as { stacks?: Record<string, { dependencies?: unknown }> }).stacks;
  if (!stacks || typeof stacks !== 'object') throw new SynthOutputError(`${file}: no "stacks" object`);
  return Object.fromEntries(
    Object.entries(stacks).map(([name, s]) => {
      const deps = s.dependencies ?? [];
      if (!Array.isArray(deps) || deps.some((d) => typeof d !== 'string'))
        throw new SynthOutputError(`${file}: stack "${name}" has dependencies that are not stack names`);
      return [name, deps as string[]];
    }),
  );
}

/** Stacks in waves, each wave in name order; throws on an unknown dependency or a cycle. */
export function applyWaves(graph: StackGraph): string[][] {
  for (const [name, deps] of Object.entries(graph))
    for (const d of deps) if (!(d in graph)) throw new Error(`stack ${name} depends on ${d}, which the manifest does not list`);
  const placed = new Set<string>();
  const waves: string[][] = [];
  let rest = Object.keys(graph).sort();
  while (rest.length) {
    const wave = rest.filter((s) => graph[s].every((d) => placed.has(d)));
    if (!wave.length) throw new Error(`the stack dependencies form a cycle among ${rest.join(', ')}`);
    wave.forEach((s) => placed.add(s));
    waves.push(wave);
    rest = rest.filter((s) => !placed.has(s));
  }
  return waves;
}

/** Every stack that depends on one of `failed`, directly or through others (not `failed` themselves). */
export function dependantsOf(graph: StackGraph, failed: Iterable<string>): string[] {
  const stopped = new Set<string>(failed);
  const roots = new Set(stopped);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [name, deps] of Object.entries(graph)) {
      if (!stopped.has(name) && deps.some((d) => stopped.has(d))) {
        stopped.add(name);
        grew = true;
      }
    }
  }
  return [...stopped].filter((s) => !roots.has(s)).sort();
}

/** How one stack's apply ended. */
export type Outcome = 'applied' | 'unchanged' | 'refused' | 'failed' | 'skipped';
export const OUTCOMES: readonly Outcome[] = ['applied', 'unchanged', 'refused', 'failed', 'skipped'];
const SUCCEEDED: readonly Outcome[] = ['applied', 'unchanged'];

/** What an apply job records (`result.json` in its `apply-<stack>` artifact). */
export interface StackResult {
  readonly stack: string;
  readonly outcome: Outcome;
  /** For `skipped`: the failed or refused stacks that stopped it. */
  readonly because?: readonly string[];
  /** One line: why it failed or was refused. */
  readonly detail?: string;
}

/** One stack of the apply matrix. */
export interface ApplyEntry {
  readonly stack: string;
  readonly account: string;
  readonly region: string;
  /** The GitHub environment of the account: its approvals and its apply role. */
  readonly environment: string;
  /** The artifact of the reviewed plan, in the pull request's plan run. */
  readonly reviewed: string;
  /** The artifact this job's outcome is uploaded as. */
  readonly result: string;
}

/** One job matrix of the apply run: one wave's stacks, at most MAX_MATRIX_JOBS of them. */
export interface ApplyUnit {
  readonly name: string;
  readonly include: readonly ApplyEntry[];
}

/** What `deploy order` writes to `<outdir>/apply-order.json` for the apply jobs and the summary. */
export interface ApplyOrder {
  readonly graph: StackGraph;
  readonly waves: readonly string[][];
  /** Stacks the workflow applies. */
  readonly stacks: number;
  /** The matrices, in the order they must run (waves, and chunks of a wave). */
  readonly units: readonly ApplyUnit[];
  /** Stacks the workflow does not apply, with why (a local-state bootstrap, say). */
  readonly manual: Record<string, string>;
}

export const APPLY_ORDER_FILE = 'apply-order.json';

/** The GitHub environment of an account: `ssm-baseline-<account id>`. */
export function environmentName(account: string): string {
  if (!/^\d{12}$/.test(account)) throw new Error(`not an AWS account id: ${JSON.stringify(account)}`);
  return `ssm-baseline-${account}`;
}

/**
 * The apply order of a synth folder: waves from the manifest, each cut into matrices of at
 * most `size` stacks (GitHub's limit). Stacks with a local backend keep their state on the
 * machine that applied them, so a runner cannot apply them: they are listed as manual, and
 * their dependants run (the bootstrap exists once it was applied by hand).
 */
export function applyOrder(outdir: string, size = MAX_MATRIX_JOBS): ApplyOrder {
  const graph = manifestGraph(outdir);
  const waves = applyWaves(graph);
  const dirs = new Map(listStacks(outdir).map((s) => [s.name, s.dir]));
  const manual: Record<string, string> = {};
  const entries = new Map<string, ApplyEntry>();
  for (const name of Object.keys(graph)) {
    const json = readStackJson(dirs.get(name)!);
    const backend = Object.keys(json.terraform?.backend ?? {})[0];
    if (backend !== 's3') {
      manual[name] = `its state is ${backend ?? 'not configured'} (local to the machine that applied it); apply it there (docs/deploy.md)`;
      continue;
    }
    const aws = json.provider?.aws?.[0] ?? {};
    const account = String((aws.allowed_account_ids as string[] | undefined)?.[0] ?? '');
    if (!account) throw new Error(`${name}: the aws provider names no allowed account`);
    entries.set(name, {
      stack: name,
      account,
      region: String(aws.region ?? ''),
      environment: environmentName(account),
      reviewed: artifactName('plan', name),
      result: artifactName('apply', name),
    });
  }
  const units: ApplyUnit[] = [];
  const applied = waves.map((w) => w.filter((s) => entries.has(s))).filter((w) => w.length);
  applied.forEach((wave, i) => {
    for (let at = 0; at < wave.length; at += size) {
      const include = wave.slice(at, at + size).map((s) => entries.get(s)!);
      const part = wave.length > size ? `, ${at + 1}-${at + include.length} of ${wave.length}` : '';
      units.push({ name: `wave ${i + 1} of ${applied.length}${part}`, include });
    }
  });
  if (units.length > MAX_MATRIX_JOBS) throw new Error(`${units.length} apply matrices; the workflow runs at most ${MAX_MATRIX_JOBS}`);
  return { graph, waves, stacks: entries.size, units, manual };
}

/**
 * Whether `stack` may be applied, given the results recorded so far in this run: each of
 * its dependencies that the workflow applies must have succeeded. A dependency without a
 * result (its job did not run, or ran after this one) stops it too: never apply a stack
 * before what it depends on.
 */
export function gate(
  order: Pick<ApplyOrder, 'graph' | 'manual'>,
  stack: string,
  results: ReadonlyMap<string, StackResult>,
): StackResult | undefined {
  const deps = order.graph[stack];
  if (!deps) throw new Error(`stack ${stack} is not in the apply order`);
  const because = new Set<string>();
  const missing: string[] = [];
  for (const d of deps) {
    if (d in order.manual) continue;
    const r = results.get(d);
    if (!r) missing.push(d);
    else if (r.outcome === 'skipped') (r.because ?? [d]).forEach((b) => because.add(b));
    else if (!SUCCEEDED.includes(r.outcome)) because.add(d);
  }
  missing.forEach((d) => because.add(d));
  if (!because.size) return undefined;
  return {
    stack,
    outcome: 'skipped',
    because: [...because].sort(),
    ...(missing.length ? { detail: `no result from ${missing.sort().join(', ')} (its job did not finish first)` } : {}),
  };
}

/** Reads every `result.json` under `dir` (one folder per downloaded `apply-<stack>` artifact, or flat). */
export function readResults(dir: string): Map<string, StackResult> {
  const results = new Map<string, StackResult>();
  if (!existsSync(dir)) return results;
  const files = readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() && stackOfArtifact('apply', e.name)
      ? [join(dir, e.name, 'result.json')]
      : e.name.endsWith('.json')
        ? [join(dir, e.name)]
        : [],
  );
  for (const file of files.filter((f) => existsSync(f))) {
    const r = readJsonFile(file) as StackResult;
    if (!r || typeof r.stack !== 'string' || !OUTCOMES.includes(r.outcome)) throw new SynthOutputError(`${file}: not an apply result`);
    results.set(r.stack, r);
  }
  return results;
}

export function writeResult(file: string, result: StackResult): void {
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
}

export function readApplyOrder(outdir: string): ApplyOrder {
  return readJsonFile(join(outdir, APPLY_ORDER_FILE)) as ApplyOrder;
}

/** The run's job summary: what was applied, unchanged, refused, failed, skipped because of which stack, and not applied here. */
export function renderApplySummary(order: ApplyOrder, results: ReadonlyMap<string, StackResult>): { markdown: string; ok: boolean } {
  const applied = order.units.flatMap((u) => u.include.map((e) => e.stack));
  const rows = applied.map(
    (s) => results.get(s) ?? { stack: s, outcome: 'failed' as const, detail: 'no result: the job did not run or did not record one' },
  );
  const by = (o: Outcome) => rows.filter((r) => r.outcome === o);
  const lines = ['## Apply', ''];
  const ok = rows.every((r) => SUCCEEDED.includes(r.outcome));
  lines.push(
    `${ok ? '✅' : '❌'} ${applied.length} stack(s): ${by('applied').length} applied, ${by('unchanged').length} unchanged, ` +
      `${by('refused').length} refused, ${by('failed').length} failed, ${by('skipped').length} skipped` +
      (Object.keys(order.manual).length ? `; ${Object.keys(order.manual).length} not applied by the workflow` : ''),
    '',
    '| stack | outcome | why |',
    '| --- | --- | --- |',
  );
  const icon: Record<Outcome, string> = {
    applied: '✅ applied',
    unchanged: '➖ unchanged',
    refused: '⛔ refused',
    failed: '❌ failed',
    skipped: '⏭️ skipped',
  };
  const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
  for (const o of ['failed', 'refused', 'skipped', 'applied', 'unchanged'] as const) {
    for (const r of by(o)) {
      const why = o === 'skipped' ? `because of ${(r.because ?? []).join(', ')}${r.detail ? `: ${r.detail}` : ''}` : (r.detail ?? '');
      lines.push(`| ${r.stack} | ${icon[o]} | ${cell(why)} |`);
    }
  }
  for (const [s, why] of Object.entries(order.manual).sort()) lines.push(`| ${s} | ✋ not applied here | ${cell(why)} |`);
  return { markdown: `${lines.join('\n')}\n`, ok };
}
