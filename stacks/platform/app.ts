import { relative, resolve, join } from 'node:path';
import { App, AnnotationMetadataEntryType } from 'cdktf';
import { AccountConfig, BaselineConfig } from './config/schema';
import { BaselineStack } from './baseline-stack';
import { BootstrapStack } from './bootstrap-stack';
import { bootstrapStackName } from './naming';
import { HubStack } from '../organization/hub-stack';

export interface BuildOptions {
  /** Where the stacks end up (bootstrap state paths are relative to it). @default outdir */
  readonly finalOutdir?: string;
  /** Folder of the bootstrap stacks' local state. @default <working directory>/bootstrap-state */
  readonly bootstrapStateDir?: string;
}

/** Builds every stack of a configuration: one bootstrap per account, the hub if any, one baseline per account-region. */
export function buildApp(config: BaselineConfig, outdir?: string, opts: BuildOptions = {}): App {
  const app = new App({ outdir, skipValidation: false });
  const stacksDir = join(resolve(opts.finalOutdir ?? app.outdir), 'stacks');
  const stateDir = resolve(opts.bootstrapStateDir ?? 'bootstrap-state');
  const bootstraps = new Map<string, BootstrapStack>();
  const bootstrapOf = (account: AccountConfig): BootstrapStack => {
    let bootstrap = bootstraps.get(account.id);
    if (!bootstrap) {
      const name = bootstrapStackName(account);
      // Relative from the stack's own folder, wherever the output folder is.
      const localStatePath = relative(join(stacksDir, name), join(stateDir, `${name}.tfstate`));
      bootstrap = new BootstrapStack(app, { config, account, localStatePath });
      bootstraps.set(account.id, bootstrap);
    }
    return bootstrap;
  };
  // The hub keeps its state in its account's bucket, and every spoke forwards to its bus:
  // bootstrap of the hub account, then the hub, then the region stacks.
  const hubAccount = config.hub && config.accounts.find((a) => a.id === config.hub!.account);
  let hub: HubStack | undefined;
  if (hubAccount) {
    const bootstrap = bootstrapOf(hubAccount);
    hub = new HubStack(app, { config });
    hub.addDependency(bootstrap);
  }
  for (const account of config.accounts) {
    const bootstrap = bootstrapOf(account);
    // The region stacks keep their state in the bucket the bootstrap creates: the manifest's
    // dependencies make `cdktf deploy '*'` and the workflows apply the bootstrap first.
    for (const region of account.regions) {
      const stack = new BaselineStack(app, { config, account, region });
      stack.addDependency(bootstrap);
      if (hub) stack.addDependency(hub);
    }
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
