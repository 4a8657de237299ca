import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { baselineConfig, BaselineConfig } from './schema';
import { terraformLiterals } from '../literal';
import { OPT_IN_REGIONS } from './regions';
import { shown } from './common';
import { jsonErrorLocation } from '../../../tooling/json-error';

export const DEFAULT_CONFIG_PATH = 'config/example.json';

/** A configuration problem the user must fix; `problems` holds one line per field. */
export class ConfigError extends Error {
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`${source}: invalid configuration\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** `accounts[1].regions[0]` from zod's path segments. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out === '' ? String(seg) : `.${String(seg)}`;
  }
  return out === '' ? '(root)' : out;
}

const RESERVED_KEY = '__proto__';

/**
 * Own `__proto__` keys anywhere in the input: JSON.parse keeps them, but zod's records
 * skip them and a plain object cannot hold them, so they would vanish silently.
 */
function reservedKeyLines(input: unknown, path: PropertyKey[] = []): string[] {
  if (typeof input !== 'object' || input === null) return [];
  const lines: string[] = [];
  if (!Array.isArray(input) && Object.hasOwn(input, RESERVED_KEY)) {
    lines.push(
      `${formatPath([...path, RESERVED_KEY])}: is a name JavaScript objects reserve, so the key would be lost: choose another key, got ${shown(RESERVED_KEY)}`,
    );
  }
  for (const [key, value] of Object.entries(input))
    lines.push(...reservedKeyLines(value, [...path, Array.isArray(input) ? Number(key) : key]));
  return lines;
}

function issueLines(error: z.ZodError): string[] {
  const lines = error.issues.map((iss): string[] => {
    if (iss.code === 'unrecognized_keys') {
      return iss.keys
        .filter((k) => k !== RESERVED_KEY)
        .map((k) => `${formatPath([...iss.path, k])}: unknown field (check the spelling against config/schema.json)`);
    }
    // A record key that fails its schema: say why, not only "Invalid key in record".
    if (iss.code === 'invalid_key') return iss.issues.map((inner) => `${formatPath(iss.path)}: ${inner.message}`);
    if (iss.code === 'invalid_type' && iss.input === undefined) {
      return [`${formatPath(iss.path)}: is required`];
    }
    return [`${formatPath(iss.path)}: ${iss.message}`];
  });
  return [...new Set(lines.flat())];
}

/**
 * Validates an already-parsed object; throws ConfigError listing every problem at once.
 * Every string of the result is a Terraform literal (see terraformLiterals).
 */
export function parseConfig(input: unknown, source = '<config>'): BaselineConfig {
  const reserved = reservedKeyLines(input);
  const result = baselineConfig.safeParse(input, { reportInput: true });
  if (!result.success || reserved.length > 0) {
    throw new ConfigError(source, [...new Set([...reserved, ...(result.success ? [] : issueLines(result.error))])]);
  }
  return terraformLiterals(result.data);
}

/** Reads and validates a JSON configuration file. */
export function loadConfig(path: string = process.env.SSMB_CONFIG || DEFAULT_CONFIG_PATH): BaselineConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ConfigError(path, [`cannot read the file (${code ?? String(err)}); set SSMB_CONFIG to a JSON configuration`]);
  }
  // Editors on Windows often save UTF-8 with a byte order mark; JSON.parse refuses it.
  if (text.startsWith('\uFEFF')) text = text.slice(1);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    const at = jsonErrorLocation(text);
    const where = at ? ` line ${at.line}, column ${at.column}` : '';
    throw new ConfigError(path, [`(file)${where}: not valid JSON: ${(err as Error).message}`]);
  }
  return parseConfig(json, path);
}

/**
 * What synth should tell about a valid configuration without refusing it: regions the
 * account must enable first (opt-in regions), one line per account-region.
 */
export function configNotes(config: BaselineConfig): string[] {
  return config.accounts.flatMap((a, ai) =>
    a.regions.flatMap((r, ri) =>
      OPT_IN_REGIONS.has(r)
        ? [
            `${formatPath(['accounts', ai, 'regions', ri])}: ${r} is an opt-in region: enable it in account ${a.id} (${a.name}) before deploying, or plan and apply fail`,
          ]
        : [],
    ),
  );
}
