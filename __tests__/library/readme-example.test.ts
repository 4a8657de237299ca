import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { ROOT } from '../helpers/synth';

/** The TypeScript block that follows `<!-- example: <name> -->` in the README. */
function readmeExample(name: string): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const m = new RegExp(`<!-- example: ${name} -->\\s*\`\`\`ts\\n([\\s\\S]*?)\\n\`\`\``).exec(readme);
  if (!m) throw new Error(`README has no "${name}" example`);
  return m[1];
}

/** The README's library example as a file: `npm run typecheck` checks it (tsconfig maps `ssm-baseline`). */
const EXAMPLE = join(ROOT, '__tests__', 'library', 'library-example.ts');

describe('README: using the constructs in your own app and CI', () => {
  const dir = mkdtempSync(join(ROOT, '.tmp', 'library-example-'));

  it('is the example `npm run typecheck` checks against the library entry, as `ssm-baseline`', () => {
    expect(readmeExample('library') + '\n').toBe(readFileSync(EXAMPLE, 'utf8'));
    const tsconfig = JSON.parse(readFileSync(join(ROOT, 'tsconfig.json'), 'utf8'));
    expect(tsconfig.compilerOptions.paths).toEqual({ 'ssm-baseline': ['./stacks/index.ts'] });
    expect(tsconfig.include).toContain('__tests__/**/*.ts');
  });

  it('runs: synthesizes its stack and its assertions hold', () => {
    const bundle = join(dir, 'example.js');
    buildSync({
      entryPoints: [EXAMPLE],
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
    const lib = JSON.parse(readFileSync(join(ROOT, 'tsconfig.lib.json'), 'utf8'));
    const outDir = lib.compilerOptions.outDir as string;
    expect(lib.compilerOptions.declaration).toBe(true);
    expect(pkg.exports['.']).toEqual({ types: `./${outDir}/stacks/index.d.ts`, default: `./${outDir}/stacks/index.js` });
    expect(existsSync(join(ROOT, 'stacks', 'index.ts'))).toBe(true);
  });
});
