import { TerraformStack } from 'cdktf';

/**
 * The base of the app's own stacks (account-region, bootstrap, hub). None of them refers
 * to a resource of another: what one needs of another is derived by name (naming.ts,
 * organization/names.ts). Before synthesis, cdktf resolves every element of every stack
 * once more only to find such references and add outputs and remote state for them;
 * these stacks skip that pass (about a sixth of synth). A reference across stacks would
 * now reach the output as an address the stack does not declare: the platform tests
 * check every stack of the examples for one, and terraform validate refuses one.
 */
export abstract class AppStack extends TerraformStack {
  public prepareStack(): void {
    this.ensureBackendExists();
  }
}
