import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { buildSync } from 'esbuild';
import { deterministicZip } from './zip';

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

export interface LambdaBundle {
  /** Folder holding index.js and index.js.map. */
  readonly dir: string;
  /** Deterministic zip of that folder, ready for Lambda. */
  readonly zipPath: string;
  /** base64 SHA-256 of the zip: what Lambda reports as CodeSha256. */
  readonly sourceCodeHash: string;
  /** Hex SHA-256 of the zip, for paths. */
  readonly sha256Hex: string;
  readonly bytes: number;
}

const built = new Map<string, LambdaBundle>();

function writeIfChanged(path: string, contents: Uint8Array): void {
  if (existsSync(path) && Buffer.compare(readFileSync(path), contents) === 0) return;
  // Write-then-rename: parallel jest workers may bundle the same function at once.
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, contents);
  renameSync(tmp, path);
}

/**
 * Bundles `lambda/<name>/index.ts` with esbuild into `dist/lambda/<name>/` and zips it
 * into `dist/lambda/<name>.zip`, once per process however many stacks use it. Output is
 * deterministic (no timestamps, relative source-map paths, fixed zip metadata), so the
 * hash changes only when the code does.
 */
export function bundleLambda(name: string): LambdaBundle {
  const cached = built.get(name);
  if (cached) return cached;
  const root = projectRoot();
  const entry = join(root, 'lambda', name, 'index.ts');
  if (!existsSync(entry)) throw new Error(`Lambda entry point not found: ${relative(root, entry)}`);
  const dir = join(root, 'dist', 'lambda', name);
  const result = buildSync({
    entryPoints: [entry],
    outfile: join(dir, 'index.js'),
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
  mkdirSync(dir, { recursive: true });
  for (const file of result.outputFiles) writeIfChanged(file.path, file.contents);
  const zip = deterministicZip(result.outputFiles.map((f) => ({ name: basename(f.path), data: Buffer.from(f.contents) })));
  const zipPath = join(root, 'dist', 'lambda', `${name}.zip`);
  writeIfChanged(zipPath, zip);
  const digest = createHash('sha256').update(zip).digest();
  const bundle = { dir, zipPath, sourceCodeHash: digest.toString('base64'), sha256Hex: digest.toString('hex'), bytes: zip.length };
  built.set(name, bundle);
  return bundle;
}
