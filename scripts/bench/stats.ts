/** Median of a non-empty list. */
export function median(values: number[]): number {
  if (values.length === 0) throw new Error('median of nothing');
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Least-squares slope of y over x: the marginal cost per added unit. */
export function slope(points: Array<[number, number]>): number {
  const n = points.length;
  const mx = points.reduce((a, [x]) => a + x, 0) / n;
  const my = points.reduce((a, [, y]) => a + y, 0) / n;
  const num = points.reduce((a, [x, y]) => a + (x - mx) * (y - my), 0);
  const den = points.reduce((a, [x]) => a + (x - mx) ** 2, 0);
  if (den === 0) throw new Error('slope needs at least two distinct x values');
  return num / den;
}

/** A markdown table from a header and rows. */
export function table(header: string[], rows: Array<Array<string | number>>): string {
  const line = (cells: Array<string | number>) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** The Node flags of a `node [--flag ...] tooling/run.js main.ts` command line, e.g. package.json's synth script. */
export function synthNodeFlags(command: string): string[] {
  const m = /^node((?: --[^\s]+)*) tooling\/run\.js main\.ts$/.exec(command.trim());
  if (!m) throw new Error(`not a "node [flags] tooling/run.js main.ts" command: ${command}`);
  return m[1].split(' ').filter(Boolean);
}

/** The provider modules among an esbuild bundle's inputs (`main.js.inputs.json`), as `require()` names. */
export function providerModules(inputs: readonly string[]): string[] {
  const mods = inputs
    .map((f) => /(?:^|\/)node_modules\/(@cdktf\/provider-aws\/lib\/[^/]+)\/index\.js$/.exec(f)?.[1])
    .filter((m): m is string => m !== undefined);
  return [...new Set(mods)].sort();
}
