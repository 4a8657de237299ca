import { relative, resolve } from 'node:path';
import { TerraformStack } from 'cdktf';
import { buildApp, synthWarnings } from './stacks/platform/app';
import { ConfigError, configNotes, loadConfig } from './stacks/platform/config/load';
import { carryTerraformWorkingData, replaceDirectory } from './tooling/replace-directory';

// Entry point of `npm run synth` and `cdktf synth`: load SSMB_CONFIG, synthesize
// every stack into cdktf.out. Configuration mistakes print one line per problem.

/**
 * cdktf records a creation stack trace for every token (each attribute reference), and
 * collecting and formatting them was about half of synth time at fleet scale; they only
 * ever appear in cdktf's errors about unresolvable tokens. Skip both unless SSMB_DEBUG
 * asks for them. (Tests skip them by patching cdktf's helper instead: there a global
 * Error.captureStackTrace would also blank jest's own failure reports.)
 */
function withoutTokenStackTraces<T>(fn: () => T): T {
  if (process.env.SSMB_DEBUG) return fn();
  const saved = Error.prepareStackTrace;
  const capture = Error.captureStackTrace;
  Error.prepareStackTrace = () => '';
  Error.captureStackTrace = () => undefined;
  try {
    return fn();
  } finally {
    Error.prepareStackTrace = saved;
    Error.captureStackTrace = capture;
  }
}

function main(): number {
  try {
    const config = loadConfig();
    // cdktf's own default: CDKTF_OUTDIR (cdktf synth sets it), else cdktf.out.
    const outdir = resolve(process.env.CDKTF_OUTDIR || 'cdktf.out');
    let result: { warnings: string[]; stacks: string[] } = { warnings: [], stacks: [] };
    // The whole output or nothing: an interrupted synth leaves the previous output intact.
    // The bootstrap stacks' local state must never be inside what a synth replaces.
    const keep = [resolve('bootstrap-state')];
    replaceDirectory(
      outdir,
      (staging) => {
        result = withoutTokenStackTraces(() => {
          const app = buildApp(config, staging, { finalOutdir: outdir });
          app.synth();
          const stacks = app.node.children.filter((c): c is TerraformStack => c instanceof TerraformStack).map((s) => s.node.id);
          return { warnings: synthWarnings(app), stacks };
        });
      },
      // terraform's working data (.terraform, the lock file) stays with its stack.
      { keep, carry: carryTerraformWorkingData },
    );
    const { warnings, stacks } = result;
    for (const note of [...configNotes(config), ...warnings]) process.stdout.write(`NOTE ${note}\n`);
    const where = relative(process.cwd(), outdir) || '.';
    for (const stack of stacks) process.stdout.write(`wrote ${where}/stacks/${stack}/cdk.tf.json\n`);
    process.stdout.write(`${stacks.length} stacks synthesized into ${where}\n`);
    return 0;
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      return 1;
    }
    if (process.env.SSMB_DEBUG) throw err;
    process.stderr.write(`synth failed: ${(err as Error).message}\n(set SSMB_DEBUG=1 for the stack trace)\n`);
    return 1;
  }
}

process.exitCode = main();
