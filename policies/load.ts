// Finds the stacks to check: a cdktf.out folder (every stack's cdk.tf.json), one stack
// folder, one cdk.tf.json, or plan files (`terraform show -json` output). Reading the
// files is tooling/synth-output's job; this builds the StackModels from what it returns.
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import {
  STACK_FILE,
  StackFolder,
  SynthOutputError,
  isSynthOutput,
  listStacks,
  readJsonFile,
  readStackFolder,
} from '../tooling/synth-output';
import { PlanJson, StackModel, TerraformJson, stackFromPlan, stackFromSynth } from './model';

export class InputError extends Error {}

/** Loader errors (missing or malformed files) are input errors: exit 2 without a stack trace. */
function input<T>(read: () => T): T {
  try {
    return read();
  } catch (err) {
    throw err instanceof SynthOutputError ? new InputError(err.message) : err;
  }
}

/** Stack name of a file: the folder it sits in (cdktf.out/stacks/<name>/...). */
function stackNameOf(file: string): string {
  return basename(dirname(resolve(file)));
}

function synthName(json: TerraformJson, file: string): string {
  return (json['//'] as { metadata?: { stackName?: string } } | undefined)?.metadata?.stackName ?? stackNameOf(file);
}

const isSynthJson = (json: object) => 'resource' in json || 'terraform' in json;

function loadFile(file: string): StackModel {
  const json = input(() => readJsonFile(file)) as Record<string, unknown>;
  if (json && typeof json === 'object' && 'planned_values' in json) {
    const sibling = join(dirname(file), STACK_FILE);
    const synth = existsSync(sibling) ? (input(() => readJsonFile(sibling)) as TerraformJson) : undefined;
    return stackFromPlan(json as unknown as PlanJson, stackNameOf(file), file, synth);
  }
  if (json && typeof json === 'object' && isSynthJson(json)) {
    return stackFromSynth(json as TerraformJson, synthName(json as TerraformJson, file), file);
  }
  throw new InputError(`${file}: neither a synthesized stack (cdk.tf.json) nor a plan (terraform show -json)`);
}

/** The model of one stack folder: its plan with `preferPlans` when it has one, else cdk.tf.json. */
function fromFolder(folder: StackFolder, preferPlans: boolean): StackModel {
  if (folder.plan) return stackFromPlan(folder.plan, folder.name, folder.planFile, folder.synth);
  if (!folder.synth) throw new InputError(`${folder.dir} holds no ${STACK_FILE}${preferPlans ? ' or plan.json' : ''}`);
  if (!isSynthJson(folder.synth)) throw new InputError(`${folder.synthFile}: not a synthesized stack (no "resource" or "terraform" block)`);
  return stackFromSynth(folder.synth, folder.name, folder.synthFile);
}

/**
 * Stacks from one path. With `preferPlans`, a stack folder holding plan.json is read
 * from the plan (the workflow writes it there) instead of cdk.tf.json.
 */
export function loadPath(path: string, opts: { preferPlans?: boolean } = {}): StackModel[] {
  if (!existsSync(path)) throw new InputError(`${path} does not exist`);
  if (statSync(path).isFile()) return [loadFile(path)];
  const preferPlans = !!opts.preferPlans;
  if (isSynthOutput(path)) {
    return input(() => listStacks(path).map((s) => fromFolder(readStackFolder(s, { plans: preferPlans }), preferPlans)));
  }
  const folder = input(() => readStackFolder({ name: basename(resolve(path)), dir: path }, { plans: preferPlans }));
  // A lone folder's cdk.tf.json names its stack as it does when given as a file (its metadata).
  const name = !folder.plan && folder.synth ? synthName(folder.synth, folder.synthFile) : folder.name;
  return [fromFolder({ ...folder, name }, preferPlans)];
}
