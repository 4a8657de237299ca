import { createHash } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Which state machine definitions already passed asl-validator, by their exact JSON text:
 * in this process, and across processes in the folder VALIDATED_ENV names (the jest global
 * setup sets one per run: each test file has its own modules, and would otherwise validate
 * again what another file did). Kept apart from the executor so the setup loads little.
 */
export const VALIDATED_ENV = 'SSMB_VALIDATED_DEFINITIONS';

const validated = new Set<string>();
const marker = (dir: string, text: string) => join(dir, createHash('sha256').update(text).digest('hex'));

export function alreadyValidated(text: string): boolean {
  const dir = process.env[VALIDATED_ENV];
  return validated.has(text) || (!!dir && existsSync(marker(dir, text)));
}

export function rememberValidated(text: string): void {
  validated.add(text);
  const dir = process.env[VALIDATED_ENV];
  if (dir) writeFileSync(marker(dir, text), '');
}
