import { readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';

// Where the hashicorp/aws provider comes from when no registry is reachable. Node
// builtins only: the one place the test harness and `npm run plan:offline` look.

/** Environment variable naming a filesystem mirror explicitly. */
export const MIRROR_ENV = 'SSMB_PROVIDER_MIRROR';
/** Where a filesystem mirror (packed or unpacked layout) keeps hashicorp/aws. */
export const AWS_PROVIDER_PATH = join('registry.terraform.io', 'hashicorp', 'aws');
/** The machine image's mirror, which terraform itself does not search. */
export const IMAGE_MIRROR = '/opt/tf-plugins';

export class MirrorError extends Error {}

export interface MirrorSearch {
  readonly env?: NodeJS.ProcessEnv;
  readonly home?: string;
  readonly platform?: NodeJS.Platform;
  /** Replaces the implied directories and the image's mirror (tests). */
  readonly candidates?: readonly string[];
}

export interface ProviderMirror {
  /** Absolute path of the mirror (the folder holding registry.terraform.io/). */
  readonly path: string;
  /** How it was found. */
  readonly from: 'env' | 'search';
}

/**
 * terraform's implied local mirror directories ("Implied Local Mirror Directories" in
 * the CLI configuration docs), in its order, then the machine image's mirror.
 */
export function candidateDirs(opts: MirrorSearch = {}): string[] {
  const env = opts.env ?? process.env;
  const home = opts.home ?? homedir();
  const platform = opts.platform ?? process.platform;
  if (platform === 'win32') {
    const appData = env.APPDATA ?? join(home, 'AppData', 'Roaming');
    return [join(appData, 'terraform.d', 'plugins'), join(appData, 'HashiCorp', 'Terraform', 'plugins'), IMAGE_MIRROR];
  }
  const dirs = [join(home, '.terraform.d', 'plugins')];
  if (platform === 'darwin') {
    dirs.push(join(home, 'Library', 'Application Support', 'io.terraform', 'plugins'), '/Library/Application Support/io.terraform/plugins');
  } else {
    dirs.push(join(env.XDG_DATA_HOME || join(home, '.local', 'share'), 'terraform', 'plugins'));
    const dataDirs = (env.XDG_DATA_DIRS || '/usr/local/share:/usr/share').split(delimiter).filter(Boolean);
    dirs.push(...dataDirs.map((d) => join(d, 'terraform', 'plugins')));
  }
  dirs.push(IMAGE_MIRROR);
  return dirs;
}

/** True when `dir` holds at least one hashicorp/aws version or package. */
export function holdsAwsProvider(dir: string): boolean {
  try {
    return readdirSync(join(dir, AWS_PROVIDER_PATH)).length > 0;
  } catch {
    return false;
  }
}

/**
 * The filesystem mirror to install hashicorp/aws from: SSMB_PROVIDER_MIRROR when set
 * (an error when it holds no hashicorp/aws), else the first candidate directory that
 * holds it, else undefined (use the registry).
 */
export function findProviderMirror(opts: MirrorSearch = {}): ProviderMirror | undefined {
  const explicit = (opts.env ?? process.env)[MIRROR_ENV];
  if (explicit) {
    if (!holdsAwsProvider(explicit)) {
      throw new MirrorError(
        `${MIRROR_ENV}=${explicit} holds no hashicorp/aws provider (expected ${join(explicit, AWS_PROVIDER_PATH)}/<version>/<os_arch>/)`,
      );
    }
    return { path: resolve(explicit), from: 'env' };
  }
  const found = (opts.candidates ?? candidateDirs(opts)).find(holdsAwsProvider);
  return found ? { path: resolve(found), from: 'search' } : undefined;
}
