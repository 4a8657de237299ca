import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { baselineConfig, BaselineConfig } from './schema';
import { terraformLiterals } from '../literal';
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

function issueLines(error: z.ZodError): string[] {
  const lines = error.issues.map((iss) => {
    if (iss.code === 'unrecognized_keys') {
      return iss.keys.map((k) => `${formatPath([...iss.path, k])}: unknown field (check the spelling against config/schema.json)`);
    }
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
  const result = baselineConfig.safeParse(input, { reportInput: true });
  if (!result.success) throw new ConfigError(source, issueLines(result.error));
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
