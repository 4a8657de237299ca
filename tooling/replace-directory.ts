import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';

/** Whether a process of this id still runs (its leftovers are then not ours to remove). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Staging and retired copies that runs which died midway left beside `target`. */
function removeLeftovers(target: string): void {
  const parent = dirname(target);
  const pattern = new RegExp(`^${basename(target).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.(staging|old)-(\\d+)$`);
  for (const entry of readdirSync(parent)) {
    const m = pattern.exec(entry);
    if (m && !alive(Number(m[2]))) rmSync(join(parent, entry), { recursive: true, force: true });
  }
}

export interface ReplaceOptions {
  /** Folders that must survive (e.g. the bootstrap stacks' local state): a target holding one is refused. @default - none */
  readonly keep?: readonly string[];
  /**
   * Called with the current folder and the filled staging folder just before the swap,
   * to carry over what the new content should keep (e.g. terraform's working data).
   * @default - nothing carried over
   */
  readonly carry?: (current: string, staging: string) => void;
}

/** Within or equal to `dir`. */
const inside = (path: string, dir: string) => !relative(dir, path).startsWith('..');

/**
 * Whether `target` may be replaced: missing, empty, or synth output (cdktf's manifest or
 * a stacks folder) holding nothing that must survive. Anything else (the project, a
 * parent of it, a folder of other files) is refused rather than deleted.
 */
function replaceable(target: string, keep: readonly string[]): boolean {
  const abs = resolve(target);
  if ([process.cwd(), ...keep].some((dir) => inside(resolve(dir), abs))) return false;
  if (!existsSync(abs)) return true;
  const entries = readdirSync(abs);
  return entries.length === 0 || entries.includes('manifest.json') || entries.includes('stacks');
}

/**
 * Writes a directory whole: `write` fills a staging folder beside `target`, which then
 * replaces `target` by renames. A run that fails or is killed midway leaves the previous
 * `target` as it was (never old and new files mixed), and nothing of the previous
 * content survives a successful run (stacks no longer configured, plans of an older
 * synth). Readers may find `target` missing for the instant between the two renames.
 */
export function replaceDirectory(target: string, write: (staging: string) => void, opts: ReplaceOptions = {}): void {
  if (!replaceable(target, opts.keep ?? [])) {
    throw new Error(
      `${target} is not a synth output folder (it holds the working directory, kept state or other files); choose another output folder`,
    );
  }
  mkdirSync(dirname(target), { recursive: true });
  removeLeftovers(target);
  const staging = `${target}.staging-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  try {
    write(staging);
  } catch (err) {
    rmSync(staging, { recursive: true, force: true });
    throw err;
  }
  if (opts.carry && existsSync(target)) opts.carry(target, staging);
  const retired = `${target}.old-${process.pid}`;
  if (existsSync(target)) renameSync(target, retired);
  renameSync(staging, target);
  rmSync(retired, { recursive: true, force: true });
}

/** What `terraform init` leaves in a stack folder: kept across synths, like cdktf's own synth keeps it. */
export const TERRAFORM_WORKING_DATA = ['.terraform', '.terraform.lock.hcl'];

/** Moves each stack's terraform working data from the current output into the staging one, for stacks still there. */
export function carryTerraformWorkingData(current: string, staging: string): void {
  const stacks = join(current, 'stacks');
  if (!existsSync(stacks)) return;
  for (const stack of readdirSync(stacks)) {
    const to = join(staging, 'stacks', stack);
    if (!existsSync(to)) continue;
    for (const entry of TERRAFORM_WORKING_DATA) {
      const from = join(stacks, stack, entry);
      if (existsSync(from) && !existsSync(join(to, entry))) renameSync(from, join(to, entry));
    }
  }
}
