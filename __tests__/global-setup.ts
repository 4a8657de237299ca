import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

// Testing.app() leaves a temp dir per call: keep them in one scratch folder the
// suite owns instead of the system temp dir.
export default function globalSetup(): void {
  const scratch = join(__dirname, '..', '.tmp', 'jest');
  mkdirSync(scratch, { recursive: true });
  process.env.TMPDIR = scratch;
}
