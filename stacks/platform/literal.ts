/**
 * Terraform evaluates `${...}` and `%{...}` in every string of a JSON configuration;
 * a value from the user's configuration must reach AWS literally (`echo ${HOME}` in a
 * shell profile). `$${` and `%%{` are Terraform's escapes.
 */
export function terraformLiteral(text: string): string {
  // A replacer function: in a replacement string, `$$` would itself mean "$".
  return text.replace(/\$\{/g, () => '$${').replace(/%\{/g, () => '%%{');
}
