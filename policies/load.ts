// Finds the stacks to check: a cdktf.out folder (every stack's cdk.tf.json), one stack
// folder, one cdk.tf.json, or plan files (`terraform show -json` output).
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { PlanJson, StackModel, TerraformJson, stackFromPlan, stackFromSynth } from './model';

export class InputError extends Error {}

function readJson(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new InputError(`${file}: ${(err as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    // JSON.parse gives a character offset (or none, at the end of the input); editors want line and column.
    const message = (err as Error).message;
    const at = Number(/at position (\d+)/.exec(message)?.[1] ?? text.length);
    const before = text.slice(0, at).split('\n');
    throw new InputError(`${file}:${before.length}:${before[before.length - 1].length + 1}: invalid JSON: ${message}`);
  }
}

/** Stack name of a file: the folder it sits in (cdktf.out/stacks/<name>/...). */
function stackNameOf(file: string): string {
  return basename(dirname(resolve(file)));
}

function loadFile(file: string): StackModel {
  const json = readJson(file) as Record<string, unknown>;
  if (json && typeof json === 'object' && 'planned_values' in json) {
    const sibling = join(dirname(file), 'cdk.tf.json');
    const synth = existsSync(sibling) ? (readJson(sibling) as TerraformJson) : undefined;
    return stackFromPlan(json as PlanJson, stackNameOf(file), file, synth);
  }
  if (json && typeof json === 'object' && ('resource' in json || 'terraform' in json)) {
    const name = ((json['//'] as { metadata?: { stackName?: string } } | undefined)?.metadata?.stackName) ?? stackNameOf(file);
    return stackFromSynth(json as TerraformJson, name, file);
  }
  throw new InputError(`${file}: neither a synthesized stack (cdk.tf.json) nor a plan (terraform show -json)`);
}

/**
 * Stacks from one path. With `preferPlans`, a stack folder holding plan.json is read
 * from the plan (the workflow writes it there) instead of cdk.tf.json.
 */
export function loadPath(path: string, opts: { preferPlans?: boolean } = {}): StackModel[] {
  if (!existsSync(path)) throw new InputError(`${path} does not exist`);
  if (statSync(path).isFile()) return [loadFile(path)];
  const manifest = join(path, 'manifest.json');
  if (existsSync(manifest)) {
    const m = readJson(manifest) as { stacks?: Record<string, { workingDirectory: string; synthesizedStackPath?: string }> };
    return Object.entries(m.stacks ?? {})
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([, s]) => loadStackDir(resolve(path, s.workingDirectory), opts));
  }
  return [loadStackDir(path, opts)];
}

function loadStackDir(dir: string, opts: { preferPlans?: boolean }): StackModel {
  const plan = join(dir, 'plan.json');
  if (opts.preferPlans && existsSync(plan)) return loadFile(plan);
  const synth = join(dir, 'cdk.tf.json');
  if (!existsSync(synth)) throw new InputError(`${dir} holds no cdk.tf.json${opts.preferPlans ? ' or plan.json' : ''}`);
  return loadFile(synth);
}
