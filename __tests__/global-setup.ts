import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

// Testing.app() leaves a temp dir per call, and the synth helpers write full synth
// folders: keep both in one scratch folder the suite owns and empties per run.
export default function globalSetup(): void {
  const scratch = join(__dirname, '..', '.tmp');
  mkdirSync(scratch, { recursive: true });
  for (const entry of readdirSync(scratch)) {
    if (entry.startsWith('synth-') || entry === 'jest') rmSync(join(scratch, entry), { recursive: true, force: true });
  }
  mkdirSync(join(scratch, 'jest'), { recursive: true });
  process.env.TMPDIR = join(scratch, 'jest');
}
