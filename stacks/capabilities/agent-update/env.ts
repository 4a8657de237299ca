/** The agent-update notifier's environment: written by the construct, read by the handler (no cdktf here). */
import { environmentContract } from '../environment';

export interface AgentUpdateSettings {
  readonly accountName: string;
  readonly topicArn: string;
  /** The association whose results are mailed: the function drops results of any other. */
  readonly associationName: string;
  /** The document that association runs. */
  readonly documentName: string;
  /** Bucket of the association output. @default - no output link */
  readonly outputBucket?: string;
  /** Key prefix of the output in that bucket. @default - no output link */
  readonly outputPrefix?: string;
  /** The spokes' read-only role, assumed for events of another account (the hub's notifier). @default - no hub: only this account is read */
  readonly readRoleName?: string;
}

export const AGENT_UPDATE_ENVIRONMENT = environmentContract<AgentUpdateSettings>(
  {
    accountName: 'ACCOUNT_NAME',
    topicArn: 'TOPIC_ARN',
    associationName: 'ASSOCIATION_NAME',
    documentName: 'DOCUMENT_NAME',
    outputBucket: 'OUTPUT_BUCKET',
    outputPrefix: 'OUTPUT_PREFIX',
    readRoleName: 'HUB_READ_ROLE_NAME',
  },
  ['accountName', 'topicArn', 'associationName', 'documentName'],
);

/** The digest function's environment: where runs are remembered and mailed. */
export interface AgentUpdateDigestSettings {
  readonly accountName: string;
  /** The account the function runs in: requests for another account need a client factory (a hub). */
  readonly accountId: string;
  readonly topicArn: string;
  /** DynamoDB table of the runs already mailed (one item per association run). */
  readonly runsTable: string;
  /** Bucket of the association output. @default - no output link */
  readonly outputBucket?: string;
  /** Key prefix of the output in that bucket. @default - no output link */
  readonly outputPrefix?: string;
  /** The spokes' read-only role, assumed for every spoke (the hub's digest). @default - no hub: only this account-region is read */
  readonly readRoleName?: string;
}

export const AGENT_UPDATE_DIGEST_ENVIRONMENT = environmentContract<AgentUpdateDigestSettings>(
  {
    accountName: 'ACCOUNT_NAME',
    accountId: 'ACCOUNT_ID',
    topicArn: 'TOPIC_ARN',
    runsTable: 'RUNS_TABLE',
    outputBucket: 'OUTPUT_BUCKET',
    outputPrefix: 'OUTPUT_PREFIX',
    readRoleName: 'HUB_READ_ROLE_NAME',
  },
  ['accountName', 'accountId', 'topicArn', 'runsTable'],
);

/**
 * What the digest function is asked: reconcile the runs of one association in one
 * account-region. The schedule sends it as its input; a forwarded association event
 * (a hub) yields the same three facts from its envelope and detail.
 */
export interface DigestRequest {
  readonly account: string;
  readonly region: string;
  readonly associationId: string;
}

/**
 * What the hub's digest function is asked: reconcile the association of this name in each
 * of these spoke account-regions (the association id is made by SSM in each spoke, so the
 * hub knows only the deterministic name). The hub's schedules send it as their input.
 */
export interface HubDigestRequest {
  readonly associationName: string;
  readonly spokes: readonly { readonly account: string; readonly region: string }[];
}
