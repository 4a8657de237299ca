import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { buildSync } from 'esbuild';

/** The project root: the nearest folder above this file with a package.json. */
export function projectRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${__dirname}`);
    dir = up;
  }
  return dir;
}

/**
 * The AWS SDK v3 is provided by the nodejs22.x runtime, so it stays external:
 * bundles stay small (well under 100 KB) and cold starts fast. Everything else
 * (our own shared code) is bundled.
 */
export const BUNDLE_EXTERNALS = ['@aws-sdk/*'];

const built = new Map<string, string>();

function writeIfChanged(path: string, contents: Uint8Array): void {
  if (existsSync(path) && Buffer.compare(readFileSync(path), contents) === 0) return;
  // Write-then-rename: parallel jest workers may bundle the same function at once.
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, contents);
  renameSync(tmp, path);
}

/**
 * Bundles `lambda/<name>/index.ts` with esbuild into `dist/lambda/<name>/` once per
 * process and returns that folder. Output is deterministic (no timestamps, relative
 * source-map paths), so the asset hash changes only when the code does.
 */
export function bundleLambda(name: string): string {
  const cached = built.get(name);
  if (cached) return cached;
  const root = projectRoot();
  const entry = join(root, 'lambda', name, 'index.ts');
  if (!existsSync(entry)) throw new Error(`Lambda entry point not found: ${relative(root, entry)}`);
  const outdir = join(root, 'dist', 'lambda', name);
  const result = buildSync({
    entryPoints: [entry],
    outfile: join(outdir, 'index.js'),
    absWorkingDir: root,
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    minify: true,
    sourcemap: 'external',
    sourcesContent: false,
    legalComments: 'none',
    external: BUNDLE_EXTERNALS,
    write: false,
    logLevel: 'silent',
  });
  mkdirSync(outdir, { recursive: true });
  for (const file of result.outputFiles) writeIfChanged(file.path, file.contents);
  built.set(name, outdir);
  return outdir;
}
