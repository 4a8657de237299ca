import { buildSync } from 'esbuild';
import { join } from 'node:path';
import { projectRoot } from '../tooling/lambda-bundle';

/**
 * Bundles the app (cdktf, the provider modules, zod and our code) into one file.
 * Loading ~700 small modules one by one costs more than synthesizing; one file cuts
 * synth time by about a fifth. The synthesized output is identical (tested).
 */
export function bundleApp(entry: string, outfile: string): void {
  buildSync({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    // Less to parse; identifiers stay, so SSMB_DEBUG stack traces remain readable.
    minifyWhitespace: true,
    minifySyntax: true,
    // esbuild itself (loaded only to rebuild a Lambda bundle) ships a native binary.
    external: ['esbuild'],
    sourcemap: 'linked',
    legalComments: 'linked',
    logLevel: 'warning',
  });
}

// `npm run build` step 2: dist/main.js -> dist/synth.js, what `npm run synth` and
// `cdktf synth` run.
if (require.main === module) {
  const root = projectRoot();
  bundleApp(join(root, 'dist', 'main.js'), join(root, 'dist', 'synth.js'));
}
