import { relative } from 'node:path';
import { TerraformStack } from 'cdktf';
import { buildApp, synthWarnings } from './stacks/platform/app';
import { ConfigError, loadConfig } from './stacks/platform/config/load';

// Entry point of `npm run synth` and `cdktf synth`: load SSMB_CONFIG, synthesize
// every stack into cdktf.out. Configuration mistakes print one line per problem.

/**
 * cdktf records a creation stack trace for every token (each attribute reference), and
 * formatting them is about a fifth of synth time; they only ever appear in cdktf's
 * errors about unresolvable tokens. Skip the formatting unless SSMB_DEBUG asks for it.
 */
function withoutTokenStackTraces<T>(fn: () => T): T {
  if (process.env.SSMB_DEBUG) return fn();
  const saved = Error.prepareStackTrace;
  Error.prepareStackTrace = () => '';
  try {
    return fn();
  } finally {
    Error.prepareStackTrace = saved;
  }
}

function main(): number {
  try {
    const config = loadConfig();
    const { warnings, stacks, outdir } = withoutTokenStackTraces(() => {
      const app = buildApp(config);
      app.synth();
      const stacks = app.node.children.filter((c): c is TerraformStack => c instanceof TerraformStack).map((s) => s.node.id);
      return { warnings: synthWarnings(app), stacks, outdir: app.outdir };
    });
    for (const warning of warnings) process.stdout.write(`NOTE ${warning}\n`);
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
