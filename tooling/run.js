#!/usr/bin/env node
// @ts-check
'use strict';
/**
 * `node tooling/run.js <entry.ts> [args...]`: runs a TypeScript entry (main.ts, a CLI)
 * from one bundled file that esbuild builds into dist/bin/, and rebuilds only when the
 * build recipe or one of the files it bundled changed since. Type checking is its own
 * step (`npm run typecheck`), so a command starts in about the time its bundle takes to
 * load. Plain JavaScript with no dependency but esbuild, loaded only to build.
 */
const { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } = require('node:fs');
const { join, relative, resolve } = require('node:path');
const Module = require('node:module');

/** The project root: the nearest folder with a package.json (this file may run bundled from dist/bin/). */
function projectRoot() {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json'))) {
    const up = resolve(dir, '..');
    if (up === dir) throw new Error(`no package.json above ${__dirname}`);
    dir = up;
  }
  return dir;
}

const ROOT = projectRoot();
const BIN = join(ROOT, 'dist', 'bin');

/**
 * Packages left out of the bundles: esbuild ships a native binary, iam-data reads its
 * data files relative to its own modules, and typescript is large and loaded on demand.
 */
const EXTERNAL = ['esbuild', '@cloud-copilot/*', 'typescript'];

/** @param {string} entry project-relative entry, e.g. `policies/cli.ts` */
function bundlePath(entry) {
  return join(BIN, `${entry.replace(/\.ts$/, '').replace(/[\\/]/g, '--')}.js`);
}

/** @param {string} entry @param {string} outfile */
function buildOptions(entry, outfile) {
  return {
    entryPoints: [entry],
    outfile: relative(ROOT, outfile),
    absWorkingDir: ROOT,
    bundle: true,
    platform: /** @type {const} */ ('node'),
    target: 'node22',
    format: /** @type {const} */ ('cjs'),
    // Less to parse; identifiers stay, so SSMB_DEBUG stack traces remain readable.
    minifyWhitespace: true,
    minifySyntax: true,
    external: EXTERNAL,
    sourcemap: /** @type {const} */ ('linked'),
    sourcesContent: false,
    legalComments: /** @type {const} */ ('linked'),
    metafile: true,
    write: false,
    logLevel: /** @type {const} */ ('warning'),
  };
}

function esbuildVersion() {
  const pkg = join(ROOT, 'node_modules', 'esbuild', 'package.json');
  return existsSync(pkg) ? JSON.parse(readFileSync(pkg, 'utf8')).version : 'unknown';
}

/**
 * The bundle is still valid when it was built by the same recipe and no input is newer.
 * @param {string} outfile @param {string} record @param {string} recipe
 */
function upToDate(outfile, record, recipe) {
  if (!existsSync(outfile) || !existsSync(record)) return false;
  const built = JSON.parse(readFileSync(record, 'utf8'));
  if (built.recipe !== recipe) return false;
  const at = statSync(outfile).mtimeMs;
  return built.inputs.every((/** @type {string} */ input) => {
    const path = join(ROOT, input);
    return existsSync(path) && statSync(path).mtimeMs <= at;
  });
}

/** @param {string} path @param {string | Uint8Array} contents */
function writeAtomically(path, contents) {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, contents);
  renameSync(tmp, path);
}

/**
 * Builds `entry` unless its bundle is up to date; returns the bundle's path.
 * @param {string} entry project-relative path of a TypeScript entry
 */
function ensureBuilt(entry) {
  const outfile = bundlePath(entry);
  const record = `${outfile}.inputs.json`;
  const options = buildOptions(entry, outfile);
  const recipe = `${JSON.stringify(options)}|${esbuildVersion()}`;
  if (upToDate(outfile, record, recipe)) return outfile;
  if (!existsSync(join(ROOT, entry))) throw new Error(`no such entry: ${entry}`);
  const esbuild = require('esbuild');
  mkdirSync(BIN, { recursive: true });
  const result = esbuild.buildSync(options);
  // Every file written whole (write, then rename): a concurrent run never loads half a
  // bundle. The record goes last, so a build that died midway is simply built again.
  for (const file of result.outputFiles) writeAtomically(file.path, file.contents);
  const inputs = Object.keys(result.metafile.inputs).sort();
  writeAtomically(record, `${JSON.stringify({ recipe, inputs }, null, 2)}\n`);
  return outfile;
}

/**
 * Runs the entry's bundle as the main module, with `args` as its arguments.
 * @param {string} entry @param {string[]} args
 */
function run(entry, args) {
  const bundle = ensureBuilt(entry);
  // Node >= 22.1 keeps V8's compiled code of the bundle on disk: the next start skips
  // parsing and compiling megabytes of JavaScript.
  if (typeof Module.enableCompileCache === 'function') Module.enableCompileCache(join(ROOT, 'dist', 'compile-cache'));
  process.argv = [process.argv[0], bundle, ...args];
  // As node itself starts a script: `require.main === module` holds in the bundle.
  Module.runMain();
}

module.exports = { ensureBuilt, bundlePath, ROOT };

if (require.main === module) {
  const [first, ...rest] = process.argv.slice(2);
  if (!first || (first === '--build' && rest.length === 0)) {
    process.stderr.write(
      'usage: node tooling/run.js <entry.ts> [args...]\n       node tooling/run.js --build <entry.ts>...   (build only, print the bundle paths)\n',
    );
    process.exitCode = 2;
  } else if (first === '--build') {
    for (const entry of rest) process.stdout.write(`${relative(process.cwd(), ensureBuilt(entry))}\n`);
  } else {
    run(first, rest);
  }
}
