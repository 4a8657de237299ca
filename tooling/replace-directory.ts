import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

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

/**
 * Writes a directory whole: `write` fills a staging folder beside `target`, which then
 * replaces `target` by renames. A run that fails or is killed midway leaves the previous
 * `target` as it was (never old and new files mixed), and nothing of the previous
 * content survives a successful run (stacks no longer configured, plans of an older
 * synth). Readers may find `target` missing for the instant between the two renames.
 */
export function replaceDirectory(target: string, write: (staging: string) => void): void {
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
  const retired = `${target}.old-${process.pid}`;
  if (existsSync(target)) renameSync(target, retired);
  renameSync(staging, target);
  rmSync(retired, { recursive: true, force: true });
}
