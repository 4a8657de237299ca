/**
 * A handler's environment contract: which setting travels in which variable. The
 * construct writes it and the handler reads it through the same object, so a renamed
 * or forgotten variable fails to compile instead of failing in Lambda. No imports:
 * handler bundles include this file.
 */
export interface EnvironmentContract<S> {
  /** The function's environment variables, in the contract's order; unset optional settings are left out. */
  write(settings: S): Record<string, string>;
  /** The settings from an environment; a missing required one is a deployment bug, so it throws. */
  read(env: Record<string, string | undefined>): S;
}

type StringKeys<S> = { [K in keyof S]-?: S[K] extends string | undefined ? K : never }[keyof S];

export function environmentContract<S extends { [K in keyof S]?: string }>(
  variables: { readonly [K in StringKeys<S>]: string },
  required: readonly StringKeys<S>[],
): EnvironmentContract<S> {
  const entries = Object.entries(variables) as [StringKeys<S>, string][];
  return {
    write(settings) {
      const out: Record<string, string> = {};
      for (const [key, name] of entries) {
        const value = settings[key] as string | undefined;
        if (value !== undefined) out[name] = value;
      }
      return out;
    },
    read(env) {
      const out: Partial<Record<StringKeys<S>, string>> = {};
      for (const [key, name] of entries) {
        const value = env[name];
        if (value) out[key] = value;
        else if (required.includes(key)) throw new Error(`environment variable ${name} is not set`);
      }
      return out as S;
    },
  };
}
