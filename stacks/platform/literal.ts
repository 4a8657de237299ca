/**
 * Terraform evaluates `${...}` and `%{...}` in every string of a JSON configuration;
 * a value from the user's configuration must reach AWS literally (`echo ${HOME}` in a
 * shell profile, a tag value, an e-mail address). `$${` and `%%{` are Terraform's escapes.
 */
export function terraformLiteral(text: string): string {
  // A replacer function: in a replacement string, `$$` would itself mean "$".
  return text.replace(/\$\{/g, () => '$${').replace(/%\{/g, () => '%%{');
}

/**
 * Every string of a parsed configuration (object keys included) as a Terraform literal.
 * The configuration loader applies it once to the validated configuration, so every
 * string any construct receives from it is already a literal and a new field cannot
 * forget it. Construct props themselves are Terraform values: a library user may pass
 * a reference there on purpose, so the constructs do not escape.
 */
export function terraformLiterals<T>(value: T): T {
  if (typeof value === 'string') return terraformLiteral(value) as T;
  if (Array.isArray(value)) return value.map((v) => terraformLiterals(v)) as T;
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      // defineProperty: a key such as `__proto__` stays an own, literal key.
      Object.defineProperty(out, terraformLiteral(k), {
        value: terraformLiterals(v),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out as T;
  }
  return value;
}
