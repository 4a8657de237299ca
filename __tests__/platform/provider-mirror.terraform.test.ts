import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AWS_PROVIDER_PATH } from '../../scripts/provider-mirror';
import { HarnessError, NO_PROVIDER_MESSAGE, checkStack, registryUnreachable, terraformEnv } from '../../scripts/terraform-harness';
import { ROOT } from '../helpers/synth';

/** A scratch folder; `withAws` puts an (unpacked) hashicorp/aws version into it. */
function folder(withAws = false): string {
  const dir = mkdtempSync(join(ROOT, '.tmp', 'mirror-'));
  if (withAws) mkdirSync(join(dir, AWS_PROVIDER_PATH, '5.100.0', 'linux_amd64'), { recursive: true });
  return dir;
}

describe('terraform harness: provider installation', () => {
  const saved = process.env.SSMB_PROVIDER_MIRROR;
  afterEach(() => {
    if (saved === undefined) delete process.env.SSMB_PROVIDER_MIRROR;
    else process.env.SSMB_PROVIDER_MIRROR = saved;
  });

  it('installs hashicorp/aws from the mirror only, through a shared plugin cache', async () => {
    const mirror = folder(true);
    const work = folder();
    process.env.SSMB_PROVIDER_MIRROR = mirror;
    const env = await terraformEnv(work);
    const rc = readFileSync(env.TF_CLI_CONFIG_FILE!, 'utf8');
    expect(rc).toContain(`path    = ${JSON.stringify(mirror)}`);
    expect(rc).toMatch(/direct \{\s*exclude = \["registry.terraform.io\/hashicorp\/aws"\]/);
    if (!process.env.TF_PLUGIN_CACHE_DIR) expect(env.TF_PLUGIN_CACHE_DIR).toBe(join(work, 'terraform-plugin-cache'));
    expect(env.TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE).toBe('true');
  });

  it('recognizes terraform’s report of an unreachable registry, however it is wrapped', () => {
    const offline = [
      'Error: Failed to query available provider packages',
      '',
      'Could not retrieve the list of available versions for provider hashicorp/aws:',
      'could not connect to registry.terraform.io: failed to request discovery',
      'document: Get "https://registry.terraform.io/.well-known/terraform.json":',
      'dial tcp: lookup registry.terraform.io on 10.0.0.53:53: no such host',
    ].join('\n');
    expect(registryUnreachable(offline)).toBe(true);
    expect(registryUnreachable(offline.replace('connect to registry', 'connect to\nregistry'))).toBe(true);
    // A mirror that lacks the version is a different problem; terraform's own text explains it.
    const mirrorMiss =
      'Error: Failed to query available provider packages\n\nCould not retrieve the list of available versions for provider hashicorp/aws:\n' +
      'provider registry.terraform.io/hashicorp/aws was not found in any of the search locations\n\n- /opt/tf-plugins';
    expect(registryUnreachable(mirrorMiss)).toBe(false);
  });

  it('without mirror or registry, init fails with one line naming SSMB_PROVIDER_MIRROR', async () => {
    const dir = folder();
    writeFileSync(
      join(dir, 'cdk.tf.json'),
      JSON.stringify({
        terraform: { required_providers: { aws: { source: 'aws', version: '5.100.0' } } },
        provider: { aws: [{ region: 'us-east-1' }] },
      }),
    );
    // Registry only (no implied mirrors), reached through a proxy on a closed loopback port.
    const rc = join(dir, 'direct.tfrc');
    writeFileSync(rc, 'provider_installation {\n  direct {}\n}\n');
    const env: NodeJS.ProcessEnv = {
      ...(await terraformEnv(folder())),
      TF_CLI_CONFIG_FILE: rc,
      HTTPS_PROXY: 'http://127.0.0.1:9',
      https_proxy: 'http://127.0.0.1:9',
    };
    for (const k of ['TF_PLUGIN_CACHE_DIR', 'NO_PROXY', 'no_proxy']) delete env[k];
    const checked = checkStack({ name: 'no-provider', dir }, env, { plan: false });
    await expect(checked).rejects.toThrow(HarnessError);
    await expect(checked).rejects.toThrow(NO_PROVIDER_MESSAGE);
    expect(NO_PROVIDER_MESSAGE).not.toContain('\n');
  }, 60_000);
});
