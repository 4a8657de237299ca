import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AWS_PROVIDER_PATH, IMAGE_MIRROR, MirrorError, candidateDirs, findProviderMirror } from '../../scripts/provider-mirror';
import { HarnessError, NO_PROVIDER_MESSAGE, checkStack, registryUnreachable, terraformEnv } from '../../scripts/terraform-harness';
import { ROOT } from '../helpers/synth';

/** A scratch folder; `withAws` puts an (unpacked) hashicorp/aws version into it. */
function folder(withAws = false): string {
  const dir = mkdtempSync(join(ROOT, '.tmp', 'mirror-'));
  if (withAws) mkdirSync(join(dir, AWS_PROVIDER_PATH, '5.100.0', 'linux_amd64'), { recursive: true });
  return dir;
}

describe('provider mirror discovery', () => {
  it('SSMB_PROVIDER_MIRROR wins over every other place', () => {
    const named = folder(true);
    const other = folder(true);
    expect(findProviderMirror({ env: { SSMB_PROVIDER_MIRROR: named }, candidates: [other] })).toEqual({ path: named, from: 'env' });
  });

  it('a SSMB_PROVIDER_MIRROR without hashicorp/aws is an error, not a silent fallback', () => {
    const empty = folder();
    mkdirSync(join(empty, AWS_PROVIDER_PATH), { recursive: true }); // the folder alone holds no version
    const search = () => findProviderMirror({ env: { SSMB_PROVIDER_MIRROR: empty }, candidates: [folder(true)] });
    expect(search).toThrow(MirrorError);
    expect(search).toThrow(`SSMB_PROVIDER_MIRROR=${empty} holds no hashicorp/aws provider`);
  });

  it('otherwise the first place that holds hashicorp/aws, in order; an empty variable counts as unset', () => {
    const without = folder();
    const first = folder(true);
    const second = folder(true);
    const missing = join(without, 'missing');
    expect(findProviderMirror({ env: { SSMB_PROVIDER_MIRROR: '' }, candidates: [missing, without, first, second] })).toEqual({ path: first, from: 'search' });
  });

  it('a packed mirror (zip archives beside each other) counts too', () => {
    const packed = folder();
    mkdirSync(join(packed, AWS_PROVIDER_PATH), { recursive: true });
    writeFileSync(join(packed, AWS_PROVIDER_PATH, 'terraform-provider-aws_5.100.0_linux_amd64.zip'), '');
    expect(findProviderMirror({ env: {}, candidates: [packed] })?.path).toBe(packed);
  });

  it('no mirror anywhere: undefined, so terraform uses the registry', () => {
    expect(findProviderMirror({ env: {}, candidates: [folder(), join(folder(), 'missing')] })).toBeUndefined();
  });

  it('searches terraform’s implied local mirror directories, then the image’s mirror', () => {
    const home = folder();
    expect(candidateDirs({ env: {}, home, platform: 'linux' })).toEqual([
      join(home, '.terraform.d', 'plugins'),
      join(home, '.local', 'share', 'terraform', 'plugins'),
      '/usr/local/share/terraform/plugins',
      '/usr/share/terraform/plugins',
      IMAGE_MIRROR,
    ]);
    expect(candidateDirs({ env: { XDG_DATA_HOME: '/x/data', XDG_DATA_DIRS: '/a:/b' }, home, platform: 'linux' })).toEqual([
      join(home, '.terraform.d', 'plugins'),
      '/x/data/terraform/plugins',
      '/a/terraform/plugins',
      '/b/terraform/plugins',
      IMAGE_MIRROR,
    ]);
    expect(candidateDirs({ env: {}, home, platform: 'darwin' })).toEqual([
      join(home, '.terraform.d', 'plugins'),
      join(home, 'Library', 'Application Support', 'io.terraform', 'plugins'),
      '/Library/Application Support/io.terraform/plugins',
      IMAGE_MIRROR,
    ]);
  });

  it('finds a mirror in the home directory with no variable set', () => {
    const home = folder();
    const mirror = join(home, '.local', 'share', 'terraform', 'plugins');
    mkdirSync(join(mirror, AWS_PROVIDER_PATH, '5.100.0'), { recursive: true });
    expect(findProviderMirror({ env: { XDG_DATA_DIRS: join(home, 'none') }, home, platform: 'linux' })).toEqual({ path: mirror, from: 'search' });
  });
});

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
      JSON.stringify({ terraform: { required_providers: { aws: { source: 'aws', version: '5.100.0' } } }, provider: { aws: [{ region: 'us-east-1' }] } }),
    );
    // Registry only (no implied mirrors), reached through a proxy on a closed loopback port.
    const rc = join(dir, 'direct.tfrc');
    writeFileSync(rc, 'provider_installation {\n  direct {}\n}\n');
    const env: NodeJS.ProcessEnv = { ...(await terraformEnv(folder())), TF_CLI_CONFIG_FILE: rc, HTTPS_PROXY: 'http://127.0.0.1:9', https_proxy: 'http://127.0.0.1:9' };
    for (const k of ['TF_PLUGIN_CACHE_DIR', 'NO_PROXY', 'no_proxy']) delete env[k];
    const checked = checkStack({ name: 'no-provider', dir }, env, { plan: false });
    await expect(checked).rejects.toThrow(HarnessError);
    await expect(checked).rejects.toThrow(NO_PROVIDER_MESSAGE);
    expect(NO_PROVIDER_MESSAGE).not.toContain('\n');
  }, 60_000);
});
