import { z } from 'zod';
import { baselineConfig } from './schema';

/**
 * The configuration's JSON Schema, generated from the zod schema (input side, so
 * fields with defaults are optional). Editors use it for completion and hints;
 * cross-field rules (duplicates, role accounts) are only checked by synth.
 */
export function configJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(baselineConfig, { io: 'input', target: 'draft-2020-12', unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
  return {
    ...schema,
    $id: 'https://github.com/ssm-baseline/ssm-baseline/config/schema.json',
    title: 'ssm-baseline configuration',
  };
}

export function configJsonSchemaText(): string {
  return `${JSON.stringify(configJsonSchema(), null, 2)}\n`;
}
