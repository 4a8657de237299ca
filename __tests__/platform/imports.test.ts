import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { ROOT } from '../helpers/synth';

/** Every .ts file under a folder (tests excluded), relative to the project root. */
function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(join(ROOT, path)).isDirectory()) return entry === 'node_modules' ? [] : sources(path);
    return path.endsWith('.ts') && !path.endsWith('.test.ts') ? [path] : [];
  });
}

const IMPORT =
  /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|\brequire\(\s*['"]([^'"]+)['"]\s*\)|\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;

/** Module specifiers a file imports (static, re-exports, require, dynamic import). */
function specifiers(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  return [...text.matchAll(IMPORT)].map((m) => m[1] ?? m[2] ?? m[3]);
}

/** A relative specifier as a project file (`x` -> `x.ts` or `x/index.ts`). */
function resolveLocal(from: string, spec: string): string | undefined {
  if (!spec.startsWith('.')) return undefined;
  const base = normalize(join(dirname(from), spec));
  for (const candidate of [`${base}.ts`, `${base}.js`, join(base, 'index.ts'), base]) {
    try {
      if (statSync(join(ROOT, candidate)).isFile()) return candidate;
    } catch {
      // not this candidate
    }
  }
  throw new Error(`${from}: cannot resolve ${spec}`);
}

const PRODUCT = ['main.ts', ...sources('stacks'), ...sources('lambda'), ...sources('policies'), ...sources('tooling')];
const ALL = [...PRODUCT, ...sources('scripts')];
const graph = new Map(ALL.map((f) => [f, specifiers(f)]));
const localEdges = (f: string) => (graph.get(f) ?? []).map((s) => resolveLocal(f, s)).filter((t): t is string => t !== undefined);

describe('imports keep the layers', () => {
  it('has no import cycle', () => {
    // Tarjan's strongly connected components over the local import graph.
    const index = new Map<string, number>();
    const low = new Map<string, number>();
    const stack: string[] = [];
    const onStack = new Set<string>();
    const cycles: string[][] = [];
    let next = 0;
    const visit = (v: string) => {
      index.set(v, next);
      low.set(v, next++);
      stack.push(v);
      onStack.add(v);
      for (const w of localEdges(v)) {
        if (!index.has(w)) {
          visit(w);
          low.set(v, Math.min(low.get(v)!, low.get(w)!));
        } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
      if (low.get(v) === index.get(v)) {
        const component: string[] = [];
        let w: string;
        do {
          w = stack.pop()!;
          onStack.delete(w);
          component.push(w);
        } while (w !== v);
        if (component.length > 1 || localEdges(v).includes(v)) cycles.push(component.sort());
      }
    };
    for (const f of ALL) if (!index.has(f)) visit(f);
    expect(cycles).toEqual([]);
  });

  it('product code imports nothing from __tests__/ or scripts/, and scripts nothing from __tests__/', () => {
    const bad = [
      ...PRODUCT.flatMap((f) =>
        localEdges(f)
          .filter((t) => /^(__tests__|scripts)\//.test(t))
          .map((t) => `${f} -> ${t}`),
      ),
      ...ALL.flatMap((f) =>
        localEdges(f)
          .filter((t) => t.startsWith('__tests__/'))
          .map((t) => `${f} -> ${t}`),
      ),
    ];
    expect(bad).toEqual([]);
  });

  it('configuration code never imports constructs', () => {
    const config = PRODUCT.filter((f) => f.startsWith('stacks/platform/config/') || /^stacks\/capabilities\/[^/]+\/config\.ts$/.test(f));
    expect(config.length).toBeGreaterThan(6);
    // Construct code: building blocks, stacks, and any capability module but its plain-data ones.
    const constructCode = (t: string) =>
      t.startsWith('stacks/constructs/') ||
      /^stacks\/platform\/(app|baseline-stack|bootstrap-stack|provider|shared)\.ts$/.test(t) ||
      t === 'stacks/capabilities/index.ts' ||
      (/^stacks\/capabilities\/[^/]+\/[^/]+\.ts$/.test(t) && !/\/(config|patterns|env)\.ts$/.test(t));
    const bad = config.flatMap((f) => [
      ...localEdges(f)
        .filter(constructCode)
        .map((t) => `${f} -> ${t}`),
      ...(graph.get(f) ?? []).filter((s) => /^(cdktf|constructs|@cdktf\/)/.test(s)).map((s) => `${f} -> ${s}`),
    ]);
    expect(bad).toEqual([]);
  });

  it('handlers import neither cdktf nor construct code, only their environment contract from stacks/', () => {
    const handlers = PRODUCT.filter((f) => f.startsWith('lambda/'));
    const bad = handlers.flatMap((f) => [
      ...(graph.get(f) ?? []).filter((s) => /^(cdktf|constructs|@cdktf\/)/.test(s)).map((s) => `${f} -> ${s}`),
      ...localEdges(f)
        .filter((t) => !t.startsWith('lambda/') && !/^stacks\/capabilities\/([^/]+\/env|environment)\.ts$/.test(t))
        .map((t) => `${f} -> ${t}`),
    ]);
    expect(bad).toEqual([]);
  });

  it('building blocks do not depend on the platform or the capabilities', () => {
    const blocks = PRODUCT.filter((f) => f.startsWith('stacks/constructs/'));
    const bad = blocks.flatMap((f) =>
      localEdges(f)
        .filter((t) => /^stacks\/(platform|capabilities)\//.test(t) && !t.startsWith('stacks/platform/config/common.ts'))
        .map((t) => `${f} -> ${relative('stacks', t)}`),
    );
    expect(bad).toEqual([]);
  });
});
