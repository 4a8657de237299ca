/**
 * Enrichment calls about the account-region an event came from. In an account-region's
 * own notifier that is always its own; in the hub, events come from every spoke, and the
 * notifier reads a spoke's API through the spoke's read-only role. Credentials resolve
 * at the first call, so a role the hub cannot assume (not deployed yet, denied) fails
 * that call like any other enrichment failure: the mail degrades to the event's facts.
 */
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import type { AwsCredentialIdentityProvider } from '@aws-sdk/types';

/** Where an event happened: EventBridge's top-level `account` and `region`. */
export interface EventOrigin {
  readonly account: string;
  readonly region: string;
}

export interface SpokeAccessSettings {
  /** The function's own account (from its topic ARN). */
  readonly ownAccount: string;
  /** The function's own region (`AWS_REGION`). */
  readonly ownRegion: string;
  /** The read-only role every spoke account has for the hub. @default - no hub: only this account is read */
  readonly readRoleName?: string;
  /**
   * Read the function's own account through the read role too (the hub's digest, whose
   * own role may assume the read roles and nothing else). @default false
   */
  readonly assumeOwnAccount?: boolean;
}

/** What a client of another account-region is built with. */
export interface SpokeClientConfig {
  readonly region: string;
  readonly credentials?: AwsCredentialIdentityProvider;
}

/** Role session name the spokes' CloudTrail shows for the hub's reads. */
export const SPOKE_SESSION_NAME = 'ssm-baseline-hub';

/** The account id of an ARN (`arn:aws:sns:eu-west-1:333333333333:topic` -> `333333333333`). */
export function arnAccount(arn: string): string {
  return arn.split(':')[4] ?? '';
}

/** Renew assumed credentials this long before they expire. */
const RENEW_BEFORE_MS = 5 * 60 * 1000;

/**
 * The read role's credentials, assumed once and reused until shortly before they expire
 * (one AssumeRole per spoke and quarter hour, not per event).
 */
function assumedCredentials(roleArn: string, ownRegion: string): AwsCredentialIdentityProvider {
  const assume = fromTemporaryCredentials({
    params: { RoleArn: roleArn, RoleSessionName: SPOKE_SESSION_NAME, DurationSeconds: 900 },
    clientConfig: { region: ownRegion },
  });
  let current: Awaited<ReturnType<AwsCredentialIdentityProvider>> | undefined;
  return async () => {
    if (!current || (current.expiration && current.expiration.getTime() - Date.now() < RENEW_BEFORE_MS)) current = await assume();
    return current;
  };
}

/**
 * One client per account-region an event came from, kept for the life of the execution
 * environment. `client()` resolves the credentials before it answers, so a role the hub
 * cannot assume fails there, inside the caller's enrichment deadline and error handling.
 */
export class SpokeClients<C> {
  private readonly clients = new Map<string, { client: C; credentials?: AwsCredentialIdentityProvider }>();

  constructor(
    private readonly settings: SpokeAccessSettings,
    /** The client of the function's own account-region. */
    private readonly local: C,
    private readonly make: (config: SpokeClientConfig) => C,
  ) {}

  /** The client for calls about `origin`, its credentials resolved. */
  async client(origin: EventOrigin): Promise<C> {
    const { client, credentials } = this.entry(origin);
    if (credentials) await credentials();
    return client;
  }

  private entry(origin: EventOrigin): { client: C; credentials?: AwsCredentialIdentityProvider } {
    const { ownAccount, ownRegion, readRoleName } = this.settings;
    const assumeOwn = this.settings.assumeOwnAccount === true && readRoleName !== undefined;
    if (!assumeOwn && origin.region === ownRegion && origin.account === ownAccount) return { client: this.local };
    // Without a hub, events only come from here; an odd one is read here, as before.
    if (origin.account !== ownAccount && !readRoleName) return { client: this.local };
    const key = `${origin.account}/${origin.region}`;
    let entry = this.clients.get(key);
    if (!entry) {
      const credentials =
        origin.account === ownAccount && !assumeOwn
          ? undefined
          : assumedCredentials(`arn:aws:iam::${origin.account}:role/${readRoleName}`, ownRegion);
      entry = { client: this.make({ region: origin.region, credentials }), credentials };
      this.clients.set(key, entry);
    }
    return entry;
  }
}
