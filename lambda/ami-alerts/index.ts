/**
 * Tagged-AMI alerts: receives CloudTrail CreateImage / CopyImage / RegisterImage /
 * CreateRestoreImageTask / ImportImage / CreateTags records and EC2 AMI State Change events from the capability's rules, keeps
 * only AMIs that carry a watched tag as an exact key/value pair, and publishes a readable
 * message. AMIs matched on a CloudTrail path are remembered (memory.ts), so their
 * available / failed mail does not depend on DescribeImages.
 *
 * Failure policy (the same as every notifier's):
 * - a publish failure throws: Lambda retries, then the event lands in the DLQ;
 * - enrichment (image name, state) that fails, or hangs past the enrichment deadline,
 *   degrades the message, never blocks it; only the AMIs the mail describes are looked up;
 * - remembering a matched AMI is best effort too (deadline, failure logged): without
 *   the item the state-change path looks the tags up as before;
 * - the state-change path asks the memory first; when it has no usable item (never
 *   matched on a CloudTrail path, written before the memory existed, or unreadable) it
 *   needs DescribeImages to decide at all (the event has no tags), so there a lookup
 *   failure throws rather than guess.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { SNSClient } from '@aws-sdk/client-sns';
import { withDeadline } from '../shared/enrichment';
import { MalformedEventError, parseOrReject, publishAndLog } from '../shared/handler';
import { describeError, logJson } from '../shared/log';
import { SpokeClients, arnAccount } from '../shared/spoke';
import { describeImages, ImageFacts } from './images';
import { AlertFacts, formatAlert, listedImageIds } from './message';
import { CloudTrailDetail, decideCloudTrail, matchingTags, principalOf } from './match';
import { RememberedImage, expiryOf, recallImage, rememberImages } from './memory';
import { AMI_ALERTS_ENVIRONMENT, AmiAlertsSettings, WatchedTag, parseWatchedTags } from '../../stacks/capabilities/ami-alerts/env';

export interface AmiEvent {
  readonly id?: string;
  readonly 'detail-type': string;
  readonly source: string;
  readonly account: string;
  readonly region: string;
  readonly time?: string;
  readonly detail: Record<string, any>;
}

export type Outcome =
  | { readonly notified: true; readonly subject: string; readonly messageId?: string }
  | { readonly notified: false; readonly reason: string };

/** The environment, with the watched pairs parsed once per invocation. */
type Settings = AmiAlertsSettings & { readonly watched: WatchedTag[] };

const ec2 = new EC2Client({});
const sns = new SNSClient({});
const ddb = new DynamoDBClient({});
// In the hub: one client per spoke account-region, through the spoke's read role.
let spokes: SpokeClients<EC2Client> | undefined;

/** Forgets the spoke clients and their credentials (a fresh execution environment; for tests). */
export function forgetSpokeClients(): void {
  spokes = undefined;
}

/** EC2 of the account-region the event came from. */
function ec2For(event: AmiEvent): Promise<EC2Client> {
  return spokes ? spokes.client({ account: event.account, region: event.region }) : Promise.resolve(ec2);
}

function skip(event: AmiEvent, reason: string, fields: Record<string, unknown> = {}): Outcome {
  logJson('INFO', 'no notification', { reason, eventId: event.id, detailType: event['detail-type'], ...fields });
  return { notified: false, reason };
}

async function fromCloudTrail(event: AmiEvent, settings: Settings): Promise<AlertFacts | Outcome> {
  const detail = event.detail as CloudTrailDetail;
  const decision = decideCloudTrail(detail, settings.watched);
  if (!decision.notify) return skip(event, decision.reason, { eventName: detail.eventName, requestId: detail.requestID });

  let images = new Map<string, ImageFacts>();
  let lookupError: string | undefined;
  const listed = listedImageIds(decision.imageIds);
  const eventLabel = `${detail.eventName}${detail.requestID ? `, request ${detail.requestID}` : ''}`;
  const lookup = async () => {
    try {
      images = await withDeadline('DescribeImages', async (abortSignal) => describeImages(await ec2For(event), listed, { abortSignal }));
    } catch (err) {
      lookupError = String(describeError(err).errorName ?? 'error');
      logJson('WARN', 'image lookup failed; sending the facts of the event', { imageIds: listed, ...describeError(err) });
    }
  };
  const remember = async (table: string) => {
    // The AMIs the mail describes (a CreateTags call may name 1,000); an AMI beyond
    // them falls back to DescribeImages when its state changes.
    const single = decision.imageIds.length === 1;
    const expiresAt = expiryOf(detail.eventTime ?? event.time);
    const items: RememberedImage[] = listed.map((imageId) => ({
      imageId,
      path: decision.path,
      matched: decision.matched,
      event: eventLabel,
      eventTime: detail.eventTime ?? event.time,
      ...(single ? { name: decision.requestedName, sourceInstanceId: decision.sourceInstanceId, sourceImage: decision.sourceImage } : {}),
      expiresAt,
    }));
    try {
      await withDeadline('PutItem', (abortSignal) => rememberImages(ddb, table, items, { abortSignal }));
    } catch (err) {
      logJson('WARN', 'could not remember the matched images; their available / failed mail will look the tags up', {
        imageIds: listed,
        ...describeError(err),
      });
    }
  };
  // ImportImage names no AMI yet: nothing to look up or remember.
  if (listed.length) await Promise.all([lookup(), settings.imageMemoryTable ? remember(settings.imageMemoryTable) : undefined]);
  return {
    kind: decision.path,
    imageIds: decision.imageIds,
    matched: decision.matched,
    images,
    lookupError,
    region: event.region,
    accountId: event.account,
    accountName: settings.accountName,
    principal: principalOf(detail),
    sourceIp: detail.sourceIPAddress,
    time: detail.eventTime ?? event.time,
    eventLabel,
    requestedName: decision.requestedName,
    sourceInstanceId: decision.sourceInstanceId,
    sourceImage: decision.sourceImage,
    importTaskId: decision.importTaskId,
    importStatus: decision.importStatus,
    // CreateImage, CopyImage and CreateRestoreImageTask return while the image is
    // pending; RegisterImage and CreateTags say nothing about state.
    eventState: ['createImage', 'copyImage', 'createRestoreImageTask'].includes(decision.path) ? 'pending' : undefined,
  };
}

async function fromStateChange(event: AmiEvent, settings: Settings): Promise<AlertFacts | Outcome> {
  const imageId = event.detail.ImageId;
  const state = event.detail.State;
  if (typeof imageId !== 'string' || (state !== 'available' && state !== 'failed')) {
    throw new Error(`unexpected EC2 AMI State Change detail ${JSON.stringify(event.detail)}: check the rule pattern`);
  }
  const remembered = await recall(event, settings, imageId);
  const base = {
    kind: state,
    imageIds: [imageId],
    region: event.region,
    accountId: event.account,
    accountName: settings.accountName,
    time: event.time,
    eventLabel: `EC2 AMI State Change${event.detail.RequestId ? `, request ${event.detail.RequestId}` : ''}`,
    eventState: state,
    errorMessage: typeof event.detail.ErrorMessage === 'string' ? event.detail.ErrorMessage : undefined,
  } as const;
  if (remembered) {
    return {
      ...base,
      matched: remembered.matched,
      images: new Map(),
      matchedAt: [remembered.event, remembered.eventTime].filter(Boolean).join(', ') || undefined,
      requestedName: remembered.name,
      sourceInstanceId: remembered.sourceInstanceId,
      sourceImage: remembered.sourceImage,
    };
  }
  // The decision itself needs the tags: a failed lookup throws (retried, then DLQ).
  const images = await describeImages(await ec2For(event), [imageId]);
  const image = images.get(imageId);
  if (!image) return skip(event, 'the image no longer exists, so its tags cannot be read', { imageId, state });
  const matched = matchingTags(image.tags, settings.watched);
  if (matched.length === 0) return skip(event, 'the image carries no watched tag pair', { imageId, state });
  return { ...base, matched, images };
}

/**
 * The memory's item for the image, when it can be used: not past its expiry at the
 * event's time (TTL deletion runs late), and with pairs still watched (the configuration
 * may have changed since). A read that fails or hangs is logged and treated as no item.
 */
async function recall(event: AmiEvent, settings: Settings, imageId: string): Promise<RememberedImage | undefined> {
  const table = settings.imageMemoryTable;
  if (!table) return undefined;
  let item: RememberedImage | undefined;
  try {
    item = await withDeadline('GetItem', (abortSignal) => recallImage(ddb, table, imageId, { abortSignal }));
  } catch (err) {
    logJson('WARN', 'could not read the image memory; looking the tags up', { imageId, ...describeError(err) });
    return undefined;
  }
  if (!item) return undefined;
  const at = event.time ? Date.parse(event.time) : NaN;
  const now = Number.isNaN(at) ? Date.now() : at;
  if (item.expiresAt * 1000 <= now) {
    logJson('INFO', 'remembered image expired; looking the tags up', { imageId, expiresAt: item.expiresAt });
    return undefined;
  }
  const matched = matchingTags(item.matched, settings.watched);
  if (matched.length === 0) {
    logJson('INFO', 'remembered pairs are no longer watched; looking the tags up', { imageId });
    return undefined;
  }
  return { ...item, matched };
}

/** The envelope every rule sends: a detail object is the least each path reads. */
export function parseAmiEvent(event: unknown): AmiEvent {
  const e = (typeof event === 'object' && event !== null ? event : {}) as Partial<AmiEvent>;
  const problems: string[] = [];
  if (typeof e['detail-type'] !== 'string') problems.push('detail-type is missing');
  if (typeof e.detail !== 'object' || e.detail === null || Array.isArray(e.detail)) problems.push('detail is missing or not an object');
  if (problems.length) throw new MalformedEventError(problems, 'an EventBridge event with a detail object');
  return e as AmiEvent;
}

export async function handler(input: AmiEvent): Promise<Outcome> {
  const started = Date.now();
  const event = parseOrReject(input, parseAmiEvent, started);
  const env = AMI_ALERTS_ENVIRONMENT.read(process.env);
  const ownAccount = arnAccount(env.topicArn);
  spokes ??= new SpokeClients(
    { ownAccount, ownRegion: process.env.AWS_REGION ?? '', readRoleName: env.readRoleName },
    ec2,
    (config) => new EC2Client(config),
  );
  // In the hub the configured name is the hub's own: another account is named by its id.
  const settings: Settings = {
    ...env,
    accountName: event.account === ownAccount ? env.accountName : undefined,
    watched: parseWatchedTags(env.watchedTags),
  };
  let facts: AlertFacts | Outcome;
  if (event['detail-type'] === 'AWS API Call via CloudTrail') facts = await fromCloudTrail(event, settings);
  else if (event['detail-type'] === 'EC2 AMI State Change') facts = await fromStateChange(event, settings);
  else
    throw new Error(
      `unexpected event ${JSON.stringify(event['detail-type'])} from ${JSON.stringify(event.source)}: check the rule patterns`,
    );
  if ('notified' in facts) return facts;

  const message = formatAlert(facts);
  const messageId = await publishAndLog(sns, settings.topicArn, message, {
    // The described AMIs and the count: a CreateTags call may name 1,000.
    fields: {
      kind: facts.kind,
      imageIds: listedImageIds(facts.imageIds),
      imageCount: facts.imageIds.length,
      ...(facts.importTaskId ? { importTaskId: facts.importTaskId } : {}),
      eventId: event.id,
    },
    started,
  });
  return { notified: true, subject: message.subject, messageId };
}
