import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AWS_PROVIDER_PATH, IMAGE_MIRROR, MirrorError, candidateDirs, findProviderMirror } from '../../scripts/provider-mirror';
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
    expect(findProviderMirror({ env: { SSMB_PROVIDER_MIRROR: '' }, candidates: [missing, without, first, second] })).toEqual({
      path: first,
      from: 'search',
    });
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
    expect(findProviderMirror({ env: { XDG_DATA_DIRS: join(home, 'none') }, home, platform: 'linux' })).toEqual({
      path: mirror,
      from: 'search',
    });
  });
});
