import { App, AnnotationMetadataEntryType } from 'cdktf';
import { BaselineConfig } from './config/schema';
import { BaselineStack } from './baseline-stack';
import { BootstrapStack } from './bootstrap-stack';

/** Builds every stack of a configuration: one bootstrap per account, one baseline per account-region. */
export function buildApp(config: BaselineConfig, outdir?: string): App {
  const app = new App({ outdir, skipValidation: false });
  for (const account of config.accounts) {
    new BootstrapStack(app, { config, account });
    for (const region of account.regions) new BaselineStack(app, { config, account, region });
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
