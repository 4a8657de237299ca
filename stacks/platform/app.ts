import { relative, resolve, join } from 'node:path';
import { App, AnnotationMetadataEntryType } from 'cdktf';
import { BaselineConfig } from './config/schema';
import { BaselineStack } from './baseline-stack';
import { BootstrapStack } from './bootstrap-stack';
import { bootstrapStackName } from './naming';

export interface BuildOptions {
  /** Where the stacks end up (bootstrap state paths are relative to it). @default outdir */
  readonly finalOutdir?: string;
  /** Folder of the bootstrap stacks' local state. @default <working directory>/bootstrap-state */
  readonly bootstrapStateDir?: string;
}

/** Builds every stack of a configuration: one bootstrap per account, one baseline per account-region. */
export function buildApp(config: BaselineConfig, outdir?: string, opts: BuildOptions = {}): App {
  const app = new App({ outdir, skipValidation: false });
  const stacksDir = join(resolve(opts.finalOutdir ?? app.outdir), 'stacks');
  const stateDir = resolve(opts.bootstrapStateDir ?? 'bootstrap-state');
  for (const account of config.accounts) {
    const name = bootstrapStackName(account);
    // Relative from the stack's own folder, wherever the output folder is.
    const localStatePath = relative(join(stacksDir, name), join(stateDir, `${name}.tfstate`));
    const bootstrap = new BootstrapStack(app, { config, account, localStatePath });
    // The region stacks keep their state in the bucket the bootstrap creates: the manifest's
    // dependencies make `cdktf deploy '*'` and the workflows apply the bootstrap first.
    for (const region of account.regions) new BaselineStack(app, { config, account, region }).addDependency(bootstrap);
  }
  return app;
}

/** Warnings the constructs annotated (e.g. what an existing Config recorder must record), in construct order. */
export function synthWarnings(app: App): string[] {
  return app.node
    .findAll()
    .flatMap((c) => c.node.metadata)
    .filter((m) => m.type === AnnotationMetadataEntryType.WARN)
    .map((m) => String(m.data));
}
