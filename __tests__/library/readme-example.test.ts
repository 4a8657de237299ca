import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ts from 'typescript';
import { buildSync } from 'esbuild';
import { ROOT } from '../helpers/synth';

/** The TypeScript block that follows `<!-- example: <name> -->` in the README. */
function readmeExample(name: string): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const m = new RegExp(`<!-- example: ${name} -->\\s*\`\`\`ts\\n([\\s\\S]*?)\\n\`\`\``).exec(readme);
  if (!m) throw new Error(`README has no "${name}" example`);
  return m[1];
}

describe('README: using the constructs in your own app and CI', () => {
  const dir = mkdtempSync(join(ROOT, '.tmp', 'library-example-'));
  const file = join(dir, 'example.ts');
  beforeAll(() => writeFileSync(file, readmeExample('library')));

  it('type-checks against the library entry, as `ssm-baseline`', () => {
    const base = ts.readConfigFile(join(ROOT, 'tsconfig.json'), ts.sys.readFile).config;
    const { options } = ts.parseJsonConfigFileContent(base, ts.sys, ROOT);
    const program = ts.createProgram([file], {
      ...options,
      noEmit: true,
      types: ['node'],
      baseUrl: ROOT,
      paths: { 'ssm-baseline': ['stacks/index.ts'] },
    });
    // The example's own diagnostics: the library's are `npm run typecheck`'s, and checking
    // only this file spares resolving the types of everything it does not use.
    const source = program.getSourceFile(file)!;
    const problems = [
      ...program.getOptionsDiagnostics(),
      ...program.getGlobalDiagnostics(),
      ...program.getSyntacticDiagnostics(source),
      ...program.getSemanticDiagnostics(source),
    ].map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    expect(problems).toEqual([]);
  });

  it('runs: synthesizes its stack and its assertions hold', () => {
    const bundle = join(dir, 'example.js');
    buildSync({
      entryPoints: [file],
      outfile: bundle,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      alias: { 'ssm-baseline': join(ROOT, 'stacks', 'index.ts') },
      external: ['esbuild'],
      logLevel: 'silent',
    });
    const outdir = join(dir, 'out');
    mkdirSync(outdir);
    const run = spawnSync(process.execPath, [bundle], { cwd: dir, env: { ...process.env, CDKTF_OUTDIR: outdir }, encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('library example: synthesized and asserted');
    const stack = JSON.parse(readFileSync(join(outdir, 'stacks', 'audit', 'cdk.tf.json'), 'utf8'));
    expect(Object.values(stack.resource.aws_s3_bucket).map((b: any) => b.bucket)).toEqual(['example-audit-reports']);
    expect(Object.keys(stack.resource.aws_sns_topic_subscription)).toHaveLength(1);
  });

  it('the package entry points at the compiled library entry', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    const lib = ts.readConfigFile(join(ROOT, 'tsconfig.lib.json'), ts.sys.readFile).config;
    const outDir = lib.compilerOptions.outDir as string;
    expect(lib.compilerOptions.declaration).toBe(true);
    expect(pkg.exports['.']).toEqual({ types: `./${outDir}/stacks/index.d.ts`, default: `./${outDir}/stacks/index.js` });
    expect(existsSync(join(ROOT, 'stacks', 'index.ts'))).toBe(true);
  });
});
