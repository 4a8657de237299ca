import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import type { BuildOptions } from 'esbuild';
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
  /** Source files esbuild bundled, relative to the project root (its metafile's inputs). */
  readonly inputs: readonly string[];
}

const built = new Map<string, LambdaBundle>();

/** Where bundles go: apart from dist/lambda, where tsc writes its unbundled output. */
export function bundlesDir(root = projectRoot()): string {
  return join(root, 'dist', 'lambda-bundles');
}

function writeIfChanged(path: string, contents: Uint8Array): void {
  if (existsSync(path) && Buffer.compare(readFileSync(path), contents) === 0) return;
  // Write-then-rename: parallel jest workers may bundle the same function at once.
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, contents);
  renameSync(tmp, path);
}

/** What a cached bundle was built from; any change to it or to an input rebuilds. */
interface BundleRecord {
  readonly recipe: string;
  readonly inputs: string[];
}

function bundleOptions(root: string, entry: string, outfile: string): BuildOptions {
  return {
    entryPoints: [entry],
    outfile,
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
    metafile: true,
    logLevel: 'silent',
  };
}

/** The record of a zip still valid: built by the same recipe, no input changed since. */
function upToDate(root: string, zipPath: string, recordPath: string, recipe: string): BundleRecord | undefined {
  if (!existsSync(zipPath) || !existsSync(recordPath)) return undefined;
  const record = JSON.parse(readFileSync(recordPath, 'utf8')) as BundleRecord;
  if (record.recipe !== recipe) return undefined;
  const built = statSync(zipPath).mtimeMs;
  const fresh = record.inputs.every((input) => {
    const path = join(root, input);
    return existsSync(path) && statSync(path).mtimeMs <= built;
  });
  return fresh ? record : undefined;
}

function describe(dir: string, zipPath: string, zip: Buffer, inputs: readonly string[]): LambdaBundle {
  const digest = createHash('sha256').update(zip).digest();
  return { dir, zipPath, sourceCodeHash: digest.toString('base64'), sha256Hex: digest.toString('hex'), bytes: zip.length, inputs };
}

/**
 * Bundles `lambda/<name>/index.ts` with esbuild into `dist/lambda-bundles/<name>/` and zips
 * it into `dist/lambda-bundles/<name>.zip`, once per process however many stacks use it, and
 * only when an input changed since the last build (esbuild's metafile lists them).
 * Output is deterministic (no timestamps, relative source-map paths, fixed zip
 * metadata), so the hash changes only when the code does.
 */
export function bundleLambda(name: string): LambdaBundle {
  const cached = built.get(name);
  if (cached) return cached;
  const root = projectRoot();
  const entry = join(root, 'lambda', name, 'index.ts');
  if (!existsSync(entry)) throw new Error(`Lambda entry point not found: ${relative(root, entry)}`);
  const dir = join(bundlesDir(root), name);
  const zipPath = join(bundlesDir(root), `${name}.zip`);
  const recordPath = join(bundlesDir(root), `${name}.inputs.json`);
  const options = bundleOptions(root, entry, join(dir, 'index.js'));
  // esbuild is loaded only when something must be built: it starts a service process.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded lazily on purpose
  const esbuild = (): typeof import('esbuild') => require('esbuild');
  const portable = { ...options, absWorkingDir: '.', entryPoints: [relative(root, entry)], outfile: relative(root, options.outfile!) };
  const recipe = `${JSON.stringify({ options: portable })}|${readEsbuildVersion(root)}`;

  const cachedRecord = upToDate(root, zipPath, recordPath, recipe);
  if (cachedRecord) {
    const bundle = describe(dir, zipPath, readFileSync(zipPath), cachedRecord.inputs);
    built.set(name, bundle);
    return bundle;
  }
  const result = esbuild().buildSync(options);
  mkdirSync(dir, { recursive: true });
  for (const file of result.outputFiles!) writeIfChanged(file.path, file.contents);
  const zip = deterministicZip(result.outputFiles!.map((f) => ({ name: basename(f.path), data: Buffer.from(f.contents) })));
  // Always rewrite the zip so its mtime marks this build for the freshness check.
  const tmp = `${zipPath}.${process.pid}.tmp`;
  writeFileSync(tmp, zip);
  renameSync(tmp, zipPath);
  const record: BundleRecord = { recipe, inputs: Object.keys(result.metafile!.inputs).sort() };
  writeFileSync(recordPath, `${JSON.stringify(record, null, 2)}\n`);
  const bundle = describe(dir, zipPath, zip, record.inputs);
  built.set(name, bundle);
  return bundle;
}

function readEsbuildVersion(root: string): string {
  const pkg = join(root, 'node_modules', 'esbuild', 'package.json');
  return existsSync(pkg) ? (JSON.parse(readFileSync(pkg, 'utf8')) as { version: string }).version : 'unknown';
}
