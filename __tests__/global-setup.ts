import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Synth folders older than this are left over from earlier runs. */
const STALE_MS = 30 * 60 * 1000;

// Testing.app() leaves a temp dir per call, and the synth helpers write full synth
// folders: keep both in one scratch folder the suite owns, and clear what earlier runs
// left there (only stale entries, so a concurrent run keeps its own).
export default function globalSetup(): void {
  const scratch = join(__dirname, '..', '.tmp');
  const jestTmp = join(scratch, 'jest');
  mkdirSync(jestTmp, { recursive: true });
  const now = Date.now();
  for (const dir of [scratch, jestTmp]) {
    for (const entry of readdirSync(dir)) {
      if (dir === scratch && !entry.startsWith('synth-')) continue;
      const path = join(dir, entry);
      if (now - statSync(path).mtimeMs > STALE_MS) rmSync(path, { recursive: true, force: true });
    }
  }
  process.env.TMPDIR = jestTmp;
}
