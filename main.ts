import { buildApp, synthWarnings } from './stacks/app';
import { ConfigError, loadConfig } from './stacks/config/load';

// Entry point of `npm run synth` and `cdktf synth`: load SSMB_CONFIG, synthesize
// every stack into cdktf.out. Configuration mistakes print one line per problem.
function main(): number {
  try {
    const config = loadConfig();
    const app = buildApp(config);
    app.synth();
    for (const warning of synthWarnings(app)) process.stdout.write(`NOTE ${warning}\n`);
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
