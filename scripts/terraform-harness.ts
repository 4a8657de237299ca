import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';
import { PLAN_FILE, STACK_FILE, StackEntry, SynthOutputError, listStacks as listSynthStacks, readStackJson } from '../tooling/synth-output';
import { MIRROR_ENV, MirrorError, findProviderMirror } from './provider-mirror';
import { startSfnValidationStub } from './sfn-validation-stub';

const run = promisify(execFile);

/** The override file the harness writes beside its copy of a stack. */
export const OVERRIDE_FILE = 'zz_offline_override.tf.json';
/**
 * Where the harness runs terraform: a subfolder of the stack, so the stack folder itself
 * never holds the override (fake credentials, local backend) or an offline `.terraform`
 * when someone later runs the real `terraform init` / `cdktf deploy` there.
 */
export const OFFLINE_DIR = '.offline';

/** A working copy of a stack for offline runs: its JSON, its assets (linked) and the override. */
function offlineWorkdir(stackDir: string, override: Record<string, unknown>): string {
  const work = join(stackDir, OFFLINE_DIR);
  mkdirSync(work, { recursive: true });
  copyFileSync(join(stackDir, STACK_FILE), join(work, STACK_FILE));
  const assets = join(work, 'assets');
  if (existsSync(join(stackDir, 'assets')) && !existsSync(assets)) symlinkSync(join('..', 'assets'), assets, 'dir');
  writeFileSync(join(work, OVERRIDE_FILE), JSON.stringify(override, null, 2) + '\n');
  return work;
}

export class HarnessError extends Error {}

export type { StackEntry };

/** Stacks of a synth output, from cdktf's manifest, in name order; a missing or bad manifest is a HarnessError. */
export function listStacks(outdir: string): StackEntry[] {
  try {
    return listSynthStacks(outdir);
  } catch (err) {
    throw err instanceof SynthOutputError ? new HarnessError(err.message) : err;
  }
}

/** The shared provider plugin cache under the harness's scratch folder. */
export const PLUGIN_CACHE_DIR = 'terraform-plugin-cache';

/** The one line shown when terraform can get hashicorp/aws from neither a mirror nor the registry. */
export const NO_PROVIDER_MESSAGE =
  `no hashicorp/aws provider: set ${MIRROR_ENV} to a filesystem mirror (a folder holding registry.terraform.io/hashicorp/aws/...) ` +
  'or allow access to registry.terraform.io';

/** True when `terraform init` output says the registry (or its download host) could not be reached. */
export function registryUnreachable(initOutput: string): boolean {
  const text = initOutput.replace(/\s+/g, ' ');
  return (
    /could not connect to registry\.terraform\.io/.test(text) ||
    /Error while installing hashicorp\/aws.*releases\.hashicorp\.com/.test(text)
  );
}

/**
 * Environment for terraform. hashicorp/aws comes from the filesystem mirror that
 * `findProviderMirror` picks (SSMB_PROVIDER_MIRROR, then the usual local places), through
 * a CLI config written into `workdir` that installs it from there only; without a mirror,
 * from the registry. Either way every stack shares one plugin cache in `workdir`.
 * Throws a clear error when terraform or the named mirror is missing.
 */
export async function terraformEnv(workdir: string): Promise<NodeJS.ProcessEnv> {
  try {
    await run('terraform', ['version'], { env: { ...process.env, CHECKPOINT_DISABLE: '1' } });
  } catch {
    throw new HarnessError('terraform not found on PATH: install Terraform >= 1.11 (https://developer.hashicorp.com/terraform/install)');
  }
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    CHECKPOINT_DISABLE: '1',
    TF_IN_AUTOMATION: '1',
    TF_INPUT: '0',
    // Loading the AWS provider schema dominates every terraform command; a less eager
    // Go garbage collector (terraform and the provider plugin) cuts its CPU by about a
    // third for ~40 MB more memory. An explicit GOGC wins.
    GOGC: process.env.GOGC ?? '400',
  };
  let mirror;
  try {
    mirror = findProviderMirror();
  } catch (err) {
    throw err instanceof MirrorError ? new HarnessError(err.message) : err;
  }
  // Through the environment rather than the CLI config, so a user's own config (used
  // when there is no mirror) keeps working; an explicit TF_PLUGIN_CACHE_DIR wins.
  const cache = process.env.TF_PLUGIN_CACHE_DIR || join(resolve(workdir), PLUGIN_CACHE_DIR);
  mkdirSync(cache, { recursive: true });
  env.TF_PLUGIN_CACHE_DIR = cache;
  // Each stack's .offline/ starts without a lock file, and terraform >= 1.4 then skips
  // the cache unless allowed to: that lock file is scratch, never the deployable one.
  env.TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE = 'true';
  if (!env[SEEDS_ENV]) env[SEEDS_ENV] = processSeeds(workdir);
  if (mirror) {
    mkdirSync(workdir, { recursive: true });
    // Absolute: terraform reads it from each stack's folder.
    const rc = join(resolve(workdir), 'terraform.rc');
    writeFileSync(
      rc,
      [
        'provider_installation {',
        `  filesystem_mirror {`,
        `    path    = ${JSON.stringify(mirror.path)}`,
        '    include = ["registry.terraform.io/hashicorp/aws"]',
        '  }',
        '  direct {',
        '    exclude = ["registry.terraform.io/hashicorp/aws"]',
        '  }',
        '}',
        '',
      ].join('\n'),
    );
    env.TF_CLI_CONFIG_FILE = rc;
  } else if (env.TF_CLI_CONFIG_FILE && !existsSync(env.TF_CLI_CONFIG_FILE)) {
    // A dangling TF_CLI_CONFIG_FILE makes every terraform command warn; the default is fine.
    delete env.TF_CLI_CONFIG_FILE;
  }
  return env;
}

/**
 * The override that makes a stack plannable without AWS: a local backend instead of
 * S3 (the real backend stays in cdk.tf.json), fake static credentials, no STS or
 * metadata calls. Role assumption and the account guard need STS, so they are
 * switched off here; synth tests assert them on the real output instead.
 */
export function offlineOverride(stackJson: { provider?: { aws?: Array<Record<string, unknown>> } }): Record<string, unknown> {
  const aws = stackJson.provider?.aws?.[0] ?? {};
  const provider: Record<string, unknown> = {
    access_key: 'AKIAIOSFODNN7EXAMPLE',
    secret_key: 'offline-plan-not-a-real-secret',
    skip_credentials_validation: true,
    skip_requesting_account_id: true,
    skip_metadata_api_check: true,
    allowed_account_ids: null,
  };
  // A block cannot be removed by an override; a null role_arn disables assumption.
  if (aws.assume_role) provider.assume_role = [{ role_arn: null }];
  return {
    terraform: { backend: { local: { path: 'offline.tfstate' } } },
    provider: { aws: provider },
  };
}

export interface StackResult {
  readonly name: string;
  readonly ok: boolean;
  readonly step: 'init' | 'validate' | 'plan' | 'show' | 'done';
  readonly output: string;
  /** The configuration passed validation (`terraform validate`, or the validation `plan` runs first). */
  readonly validated: boolean;
  readonly planJson?: string;
  readonly seconds: number;
}

async function tf(args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<string> {
  const { stdout, stderr } = await run('terraform', [...args, '-no-color'], { cwd, env, maxBuffer: 256 * 1024 * 1024 });
  return stdout + stderr;
}

/**
 * Names the folder where initOffline keeps its seeds, shared by the processes that inherit
 * it (the jest global setup sets one per run). Unset, terraformEnv gives the process its own.
 */
export const SEEDS_ENV = 'SSMB_INIT_SEEDS';
export const SEEDS_DIR = 'terraform-init-seeds';
const LOCK_FILE = '.terraform.lock.hcl';
let ownSeeds: string | undefined;

/** A lock file without its `hashes` lists. */
export function withoutHashes(lockFile: string): string {
  return lockFile.replace(/\n {2}hashes = \[\n(?: {4}"[^"\n]*",\n)* {2}\]/g, '');
}

/** This process's seed folder under `workdir`, removed when the process exits. */
function processSeeds(workdir: string): string {
  if (!ownSeeds) {
    const dir = join(resolve(workdir), SEEDS_DIR, String(process.pid));
    ownSeeds = dir;
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  return ownSeeds;
}

/**
 * `terraform init` of an offline work folder. Folders whose provider requirements,
 * override backend and CLI config are the same initialize to the same files (the lock
 * file, the backend's record, links into the plugin cache), and each init spends most of
 * a second of CPU hashing the 700 MB provider binary. So the first init of a signature is
 * kept as a seed in the SEEDS_ENV folder, and later folders of that signature get a copy.
 * Without that folder in the environment, every folder runs init.
 */
async function initOffline(work: string, stackJson: ReturnType<typeof readStackJson>, env: NodeJS.ProcessEnv): Promise<string> {
  const root = env[SEEDS_ENV];
  const rc = env.TF_CLI_CONFIG_FILE;
  const signature = createHash('sha256')
    .update(
      JSON.stringify([
        stackJson.terraform?.required_providers ?? null,
        offlineOverride(stackJson).terraform,
        rc && existsSync(rc) ? readFileSync(rc, 'utf8') : null,
        env.TF_PLUGIN_CACHE_DIR ?? null,
      ]),
    )
    .digest('hex');
  const seed = root ? join(root, signature.slice(0, 32)) : undefined;
  if (seed && existsSync(join(seed, LOCK_FILE))) {
    rmSync(join(work, '.terraform'), { recursive: true, force: true });
    cpSync(join(seed, '.terraform'), join(work, '.terraform'), { recursive: true, verbatimSymlinks: true });
    copyFileSync(join(seed, LOCK_FILE), join(work, LOCK_FILE));
    return 'Initialized as a copy of an identical init (same providers, backend and CLI config).\n';
  }
  const output = await tf(['init', '-input=false', '-reconfigure'], work, env);
  // init has just checked the package against the mirror's checksums. Kept in the lock
  // file, they make every later command hash the 700 MB binary again (terraform checks a
  // cached package only against the hashes a lock file lists); this lock file is scratch.
  const lock = join(work, LOCK_FILE);
  writeFileSync(lock, withoutHashes(readFileSync(lock, 'utf8')));
  if (seed && !existsSync(seed)) {
    // Whole or not at all: built aside, then renamed (a concurrent seed of the same init wins alike).
    const tmp = `${seed}.${process.pid}.tmp`;
    mkdirSync(tmp, { recursive: true });
    cpSync(join(work, '.terraform'), join(tmp, '.terraform'), { recursive: true, verbatimSymlinks: true });
    copyFileSync(join(work, LOCK_FILE), join(tmp, LOCK_FILE));
    try {
      renameSync(tmp, seed);
    } catch {
      rmSync(tmp, { recursive: true, force: true });
    }
  }
  return output;
}

/**
 * Runs `use` with the environment a stack's terraform commands need: for a stack with a
 * state machine, the provider's Step Functions endpoint at a validation stub (see
 * sfn-validation-stub.ts), for the duration of `use`. Through AWS_ENDPOINT_URL_SFN and
 * not an `endpoints` block in the override: the provider spends about three seconds of
 * CPU validating an `endpoints` block on every plan.
 */
async function withSfnStub<T>(
  stackJson: { resource?: Record<string, unknown> },
  env: NodeJS.ProcessEnv,
  use: (env: NodeJS.ProcessEnv) => Promise<T>,
): Promise<T> {
  if (!stackJson.resource?.aws_sfn_state_machine) return use(env);
  const stub = await startSfnValidationStub();
  try {
    return await use({ ...env, AWS_ENDPOINT_URL_SFN: stub.url });
  } finally {
    await stub.close();
  }
}

/**
 * Names a folder where checkStack shares plans (the jest global setup sets one per run):
 * a stack whose inputs are byte for byte those of a stack already planned there gets
 * that plan instead of planning again. Unset, every stack is planned.
 */
export const PLAN_CACHE_ENV = 'SSMB_PLAN_CACHE';

/** A plan as checkStack keeps it: terraform plan's output, the plan file and its JSON. */
interface SharedPlan {
  readonly output: string;
  readonly json: string;
  readonly tfplan: Buffer;
}

/** Every file under `dir`, relative paths in name order. */
function filesUnder(dir: string, root = dir): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .flatMap((d) => {
      const path = join(dir, d.name);
      // Follows links (a work folder's assets link to the stack's).
      return statSync(path).isDirectory() ? filesUnder(path, root) : [relative(root, path)];
    });
}

/**
 * What a plan is made of, hashed: every file terraform reads in the work folder (the
 * stack's JSON, the override, a state placed there, the lock file), every asset's bytes,
 * and the CLI config that installs the provider. The validation stub's address, which
 * changes from run to run, is in the environment, not in these files.
 */
function planKey(work: string, env: NodeJS.ProcessEnv): string {
  const hash = createHash('sha256');
  const part = (label: string, data: string | Buffer) => hash.update(`${label}\0${data.length}\0`).update(data);
  for (const file of filesUnder(work)) {
    if (file.startsWith('.terraform/') || file.startsWith('tfplan') || file.startsWith('assets/')) continue;
    part(`file ${file}`, readFileSync(join(work, file)));
  }
  for (const file of filesUnder(join(work, 'assets'))) part(`asset ${file}`, readFileSync(join(work, 'assets', file)));
  const rc = env.TF_CLI_CONFIG_FILE;
  part('cli config', rc && existsSync(rc) ? readFileSync(rc) : '');
  return hash.digest('hex');
}

function readShared(dir: string): SharedPlan | undefined {
  if (!existsSync(join(dir, PLAN_FILE))) return undefined;
  return {
    output: readFileSync(join(dir, 'output.txt'), 'utf8'),
    json: readFileSync(join(dir, PLAN_FILE), 'utf8'),
    tfplan: readFileSync(join(dir, 'tfplan')),
  };
}

function lockHolderAlive(lock: string): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(lock, 'utf8'));
  } catch {
    return false; // released meanwhile
  }
  if (!pid) return true; // being written
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The plan kept in `dir`, or `plan()`'s, which is then kept there. One process plans a
 * given key at a time (a lock file holding its pid; a dead holder's lock is taken over);
 * the others wait for its result. A failed plan is not kept.
 */
async function sharedPlan(dir: string, plan: () => Promise<SharedPlan>): Promise<SharedPlan> {
  mkdirSync(join(dir, '..'), { recursive: true });
  const lock = `${dir}.lock`;
  for (;;) {
    const kept = readShared(dir);
    if (kept) return kept;
    try {
      writeFileSync(lock, String(process.pid), { flag: 'wx' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      if (lockHolderAlive(lock)) await new Promise((r) => setTimeout(r, 200));
      else rmSync(lock, { force: true });
      continue;
    }
    try {
      const keptMeanwhile = readShared(dir);
      if (keptMeanwhile) return keptMeanwhile;
      const planned = await plan();
      const tmp = `${dir}.${process.pid}.tmp`;
      mkdirSync(tmp, { recursive: true });
      writeFileSync(join(tmp, 'output.txt'), planned.output);
      writeFileSync(join(tmp, 'tfplan'), planned.tfplan);
      writeFileSync(join(tmp, PLAN_FILE), planned.json);
      renameSync(tmp, dir);
      return planned;
    } finally {
      rmSync(lock, { force: true });
    }
  }
}

/**
 * init, then either validate or plan (+ show -json into plan.json) of one synthesized
 * stack. `terraform plan` runs the full validation before planning (the same provider
 * checks as `terraform validate`), so a plan skips the separate validate: each
 * terraform command reloads the provider schema, seconds of CPU per stack. With
 * PLAN_CACHE_ENV set, a plan of identical inputs is shared (see there).
 */
export async function checkStack(stack: StackEntry, env: NodeJS.ProcessEnv, opts: { plan: boolean }): Promise<StackResult> {
  const stackJson = readStackJson(stack.dir);
  // The provider validates state machine definitions against the API while planning.
  return withSfnStub(stackJson, env, (stackEnv) => checkStackWith(stack, stackJson, stackEnv, opts));
}

async function checkStackWith(
  stack: StackEntry,
  stackJson: ReturnType<typeof readStackJson>,
  env: NodeJS.ProcessEnv,
  opts: { plan: boolean },
): Promise<StackResult> {
  const started = Date.now();
  const override = offlineOverride(stackJson);
  const work = offlineWorkdir(stack.dir, override);
  let step: StackResult['step'] = 'init';
  let output = '';
  try {
    output += await initOffline(work, stackJson, env);
    if (opts.plan) {
      const plan = async (): Promise<SharedPlan> => {
        step = 'plan';
        const planOutput = await tf(['plan', '-input=false', '-lock=false', '-out=tfplan'], work, env);
        step = 'show';
        const json = (await tf(['show', '-json', 'tfplan'], work, env)).trim() + '\n';
        return { output: planOutput, json, tfplan: readFileSync(join(work, 'tfplan')) };
      };
      const cache = env[PLAN_CACHE_ENV];
      let planned: SharedPlan;
      if (cache) {
        const key = planKey(work, env);
        planned = await sharedPlan(join(cache, key), plan);
        writeFileSync(join(work, 'tfplan'), planned.tfplan);
      } else planned = await plan();
      output += planned.output;
      const planJson = join(stack.dir, PLAN_FILE);
      writeFileSync(planJson, planned.json);
      return { name: stack.name, ok: true, step: 'done', output, validated: true, planJson, seconds: (Date.now() - started) / 1000 };
    }
    step = 'validate';
    output += await tf(['validate'], work, env);
    return { name: stack.name, ok: true, step: 'done', output, validated: true, seconds: (Date.now() - started) / 1000 };
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    output += (e.stdout ?? '') + (e.stderr ?? '') || e.message;
    // Not this stack's fault and the same for every stack: one line instead of terraform's page.
    if (step === 'init' && registryUnreachable(output)) throw new HarnessError(NO_PROVIDER_MESSAGE);
    return { name: stack.name, ok: false, step, output, validated: false, seconds: (Date.now() - started) / 1000 };
  }
}

/**
 * Runs `checkStack` over all stacks, `concurrency` at a time, results in stack order;
 * `onResult` hears of each as it finishes, with how many have (for progress lines).
 * Rejects with the first HarnessError (no provider), after which no stack starts.
 */
export async function checkAll(
  stacks: StackEntry[],
  env: NodeJS.ProcessEnv,
  opts: {
    plan: boolean;
    concurrency?: number;
    onResult?: (result: StackResult, finished: number, total: number) => void;
    check?: typeof checkStack;
  },
): Promise<StackResult[]> {
  const check = opts.check ?? checkStack;
  const results: StackResult[] = new Array(stacks.length);
  let next = 0;
  let finished = 0;
  const worker = async () => {
    while (next < stacks.length) {
      const i = next++;
      try {
        results[i] = await check(stacks[i], env, opts);
      } catch (err) {
        next = stacks.length;
        throw err;
      }
      opts.onResult?.(results[i], ++finished, stacks.length);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, opts.concurrency ?? 2) }, worker));
  return results;
}

/** The plan line ("Plan: 3 to add, 0 to change, 0 to destroy.") of a plan's output. */
export function planSummaryLine(output: string): string {
  return output.match(/^(Plan: .*|No changes\..*)$/m)?.[1] ?? '(no plan line)';
}

/**
 * A stack's offline folder, initialized and nothing more (no validate, no plan): where
 * planAgainstState plans.
 */
export async function prepareOffline(stack: StackEntry, env: NodeJS.ProcessEnv): Promise<string> {
  const stackJson = readStackJson(stack.dir);
  const work = offlineWorkdir(stack.dir, offlineOverride(stackJson));
  try {
    await initOffline(work, stackJson, env);
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    const output = (e.stdout ?? '') + (e.stderr ?? '') || e.message;
    throw new HarnessError(registryUnreachable(output) ? NO_PROVIDER_MESSAGE : `${stack.name}: terraform init failed:\n${output}`);
  }
  return work;
}

/** One managed resource of a hand-written state: its address and what AWS returned for it. */
export interface StateResource {
  readonly type: string;
  /** The resource's logical id in cdk.tf.json. */
  readonly name: string;
  readonly attributes: Record<string, unknown>;
  /** @default 0 */
  readonly schemaVersion?: number;
}

/** A Terraform state (format 4) holding `resources`, as `terraform state pull` shows them. */
export function handWrittenState(resources: readonly StateResource[]): Record<string, unknown> {
  return {
    version: 4,
    terraform_version: '1.11.4',
    serial: 1,
    lineage: '0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0',
    outputs: {},
    resources: resources.map((r) => ({
      mode: 'managed',
      type: r.type,
      name: r.name,
      provider: 'provider["registry.terraform.io/hashicorp/aws"]',
      instances: [{ schema_version: r.schemaVersion ?? 0, attributes: r.attributes, sensitive_attributes: [] }],
    })),
    check_results: null,
  };
}

export interface StatePlan {
  readonly ok: boolean;
  /** terraform plan's output (the error, when it did not plan). */
  readonly output: string;
  /** `terraform show -json` of the plan, when it planned. */
  readonly plan?: {
    resource_changes?: Array<{ address: string; type: string; name: string; change: { actions: string[]; before?: any; after?: any } }>;
  };
}

/**
 * Plans a stack's offline folder (already initialized by checkStack) against a state: the
 * state becomes the local backend's file, and the plan does not refresh, since offline
 * nothing can be read back: the state is what AWS returned. What a deployed stack would
 * see on its next plan, for changes only a real state shows (Optional+Computed
 * attributes, moved and removed blocks, prevent_destroy).
 */
export async function planAgainstState(work: string, env: NodeJS.ProcessEnv, state: unknown, args: string[] = []): Promise<StatePlan> {
  writeFileSync(join(work, 'offline.tfstate'), JSON.stringify(state, null, 2));
  return withSfnStub(readStackJson(work), env, async (stackEnv) => {
    let output: string;
    try {
      output = await tf(['plan', '-input=false', '-lock=false', '-refresh=false', '-out=tfplan-state', ...args], work, stackEnv);
    } catch (err) {
      const e = err as { stdout?: string; stderr?: string; message: string };
      return { ok: false, output: (e.stdout ?? '') + (e.stderr ?? '') || e.message };
    }
    const plan = JSON.parse(await tf(['show', '-json', 'tfplan-state'], work, stackEnv));
    return { ok: true, output, plan };
  });
}
