// The one reader of a cdktf synth folder (cdktf.out) and of what plans leave in it:
//
//   <outdir>/manifest.json               stacks -> working directories (cdktf writes it)
//   <stack dir>/cdk.tf.json              the synthesized Terraform JSON
//   <stack dir>/plan.json                `terraform show -json` of the stack's plan
//   <stack dir>/plan-error.txt           the plan failed: terraform's output
//   <stack dir>/plan-skipped.txt         the stack was deliberately not planned: why
//
// Node builtins and types only: the policy CLI, the plan scripts, the terraform harness
// and the tests all load through here, and none should pull in the others' code.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { PlanJson, TerraformJson } from '../policies/model';
import { jsonErrorLocation } from './json-error';

export const MANIFEST_FILE = 'manifest.json';
export const STACK_FILE = 'cdk.tf.json';
export const PLAN_FILE = 'plan.json';
export const PLAN_ERROR_FILE = 'plan-error.txt';
export const PLAN_SKIPPED_FILE = 'plan-skipped.txt';

/** A synth folder or a file in it is missing or malformed; the message names the file. */
export class SynthOutputError extends Error {}

/** One stack of a synth folder. */
export interface StackEntry {
  readonly name: string;
  /** The stack's working directory (absolute when it came from a manifest). */
  readonly dir: string;
}

/** What a stack folder holds. */
export interface StackFolder extends StackEntry {
  /** `<dir>/cdk.tf.json`, whether or not it exists. */
  readonly synthFile: string;
  /** The parsed cdk.tf.json; absent when the folder has none. */
  readonly synth?: TerraformJson;
  /** `<dir>/plan.json`, whether or not it exists. */
  readonly planFile: string;
  /** The parsed plan.json, when plans were asked for and the folder has one. */
  readonly plan?: PlanJson;
  /** plan-error.txt's text, when plans were asked for and there is no plan.json. */
  readonly planError?: string;
  /** plan-skipped.txt's text, when plans were asked for and there is no plan.json. */
  readonly planSkipped?: string;
}

/** Parses a JSON file; errors name the file, and for bad JSON the line and column. */
export function readJsonFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new SynthOutputError(code === 'ENOENT' ? `${file} not found` : `${file}: ${(err as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    const at = jsonErrorLocation(text);
    const where = at ? `:${at.line}:${at.column}` : '';
    // V8 quotes the text around the error; a plan is megabytes on one line, so keep it short.
    const reason = (err as Error).message.replace(/\s+/g, ' ');
    throw new SynthOutputError(`${file}${where}: invalid JSON: ${reason.length > 160 ? `${reason.slice(0, 160)}…` : reason}`);
  }
}

/** Reads a JSON file that must hold an object (cdk.tf.json, plan.json, manifest.json). */
function readObject(file: string): Record<string, unknown> {
  const json = readJsonFile(file);
  if (!json || typeof json !== 'object' || Array.isArray(json)) throw new SynthOutputError(`${file}: expected a JSON object`);
  return json as Record<string, unknown>;
}

/** Whether `dir` is a synth folder (holds cdktf's manifest). */
export function isSynthOutput(dir: string): boolean {
  return existsSync(join(dir, MANIFEST_FILE));
}

/** Stacks of a synth folder, from cdktf's manifest, in name order. */
export function listStacks(outdir: string): StackEntry[] {
  const manifestPath = join(outdir, MANIFEST_FILE);
  if (!existsSync(manifestPath)) throw new SynthOutputError(`${manifestPath} not found: run \`npm run synth\` first`);
  const stacks = readObject(manifestPath).stacks;
  if (!stacks || typeof stacks !== 'object' || Array.isArray(stacks)) {
    throw new SynthOutputError(`${manifestPath}: no "stacks" object (not a cdktf manifest?); run \`npm run synth\` again`);
  }
  return Object.entries(stacks as Record<string, { workingDirectory?: unknown }>)
    .map(([name, s]) => {
      if (typeof s?.workingDirectory !== 'string') throw new SynthOutputError(`${manifestPath}: stack "${name}" has no workingDirectory`);
      return { name, dir: resolve(outdir, s.workingDirectory) };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** A stack's cdk.tf.json; throws when the folder has none. */
export function readStackJson(dir: string): TerraformJson {
  const file = join(dir, STACK_FILE);
  if (!existsSync(file)) throw new SynthOutputError(`${dir} holds no ${STACK_FILE}: run \`npm run synth\``);
  return readObject(file) as TerraformJson;
}

/** A plan file (`terraform show -json` output); its shape is checked where it is used. */
export function readPlanJson(file: string): PlanJson {
  return readObject(file) as unknown as PlanJson;
}

const readText = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8') : undefined);

/**
 * Reads a stack folder: cdk.tf.json when present, and with `plans` its plan.json, or
 * failing that the plan-error.txt / plan-skipped.txt marker. Without `plans` no plan
 * file is touched (a stale or broken one must not stop a synth-only check).
 */
export function readStackFolder(stack: StackEntry, opts: { plans?: boolean } = {}): StackFolder {
  const synthFile = join(stack.dir, STACK_FILE);
  const planFile = join(stack.dir, PLAN_FILE);
  const synth = existsSync(synthFile) ? (readObject(synthFile) as TerraformJson) : undefined;
  const folder = { name: stack.name, dir: stack.dir, synthFile, synth, planFile };
  if (!opts.plans) return folder;
  if (existsSync(planFile)) return { ...folder, plan: readPlanJson(planFile) };
  return { ...folder, planSkipped: readText(join(stack.dir, PLAN_SKIPPED_FILE)), planError: readText(join(stack.dir, PLAN_ERROR_FILE)) };
}

/** Every stack folder of a synth folder, in name order (see `readStackFolder`). */
export function readSynthOutput(outdir: string, opts: { plans?: boolean } = {}): StackFolder[] {
  return listStacks(outdir).map((s) => readStackFolder(s, opts));
}

/** Records why a stack is not planned (plan-skipped.txt), for the summary to show. */
export function markPlanSkipped(dir: string, reason: string): void {
  writeFileSync(join(dir, PLAN_SKIPPED_FILE), reason.endsWith('\n') ? reason : `${reason}\n`);
}
