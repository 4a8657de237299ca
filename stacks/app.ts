import { App } from 'cdktf';
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
