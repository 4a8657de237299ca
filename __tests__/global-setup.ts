import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { PLAN_CACHE_ENV, PLUGIN_CACHE_DIR, SEEDS_ENV } from '../scripts/terraform-harness';
import { VALIDATED_ENV } from '../scripts/validated-definitions';

/** Scratch entries older than this are left over from earlier runs. */
const STALE_MS = 30 * 60 * 1000;

// Testing.app() leaves a temp dir per call, and tests write synth folders, plans and
// zips under .tmp/ (git-ignored scratch). Clear what earlier runs left there: only
// stale entries, so a concurrent run keeps its own.
export default function globalSetup(): void {
  const scratch = join(__dirname, '..', '.tmp');
  const jestTmp = join(scratch, 'jest');
  mkdirSync(jestTmp, { recursive: true });
  const now = Date.now();
  for (const dir of [scratch, jestTmp]) {
    for (const entry of readdirSync(dir)) {
      const path = join(dir, entry);
      // The provider plugin cache is meant to outlive runs.
      if (path === jestTmp || entry === PLUGIN_CACHE_DIR) continue;
      if (now - statSync(path).mtimeMs > STALE_MS) rmSync(path, { recursive: true, force: true });
    }
  }
  process.env.TMPDIR = jestTmp;
  // Suites that plan identical stacks share the plan, within this run only (the workers
  // inherit the variable): see PLAN_CACHE_ENV.
  process.env[PLAN_CACHE_ENV] = mkdtempSync(join(jestTmp, 'plans-'));
  // Offline folders initialize once per provider requirements, within this run: see SEEDS_ENV.
  process.env[SEEDS_ENV] = mkdtempSync(join(jestTmp, 'init-seeds-'));
  // State machine definitions are checked with asl-validator once per run: see VALIDATED_ENV.
  process.env[VALIDATED_ENV] = mkdtempSync(join(jestTmp, 'validated-'));
}
