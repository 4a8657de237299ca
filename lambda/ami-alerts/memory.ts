/**
 * The image memory: AMIs that matched on a CloudTrail path (CreateImage, CopyImage,
 * RegisterImage, CreateRestoreImageTask, CreateTags), kept in a DynamoDB table so that their available / failed
 * mail does not depend on DescribeImages at event time (a failed image may no longer be
 * described). One item per AMI, keyed by its id; DynamoDB's TTL removes it.
 */
import { AttributeValue, DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { CloudTrailPath, Tag } from './match';

/**
 * How long an AMI is remembered after the call that matched it. Creating an image of
 * large volumes takes hours, a cross-region copy can fail a day after the call, and
 * EventBridge retries a state-change delivery for up to 24 hours: a week covers all of
 * that with room to spare, and costs nothing worth counting (one small item per AMI).
 */
export const IMAGE_MEMORY_TTL_SECONDS = 7 * 24 * 60 * 60;

/** What the available / failed mail needs when the image itself can no longer be read. */
export interface RememberedImage {
  readonly imageId: string;
  readonly path: CloudTrailPath;
  readonly matched: Tag[];
  /** e.g. "CreateImage, request 5d2c...": the call that matched. */
  readonly event?: string;
  readonly eventTime?: string;
  readonly name?: string;
  readonly sourceInstanceId?: string;
  readonly sourceImage?: string;
  /** Epoch seconds (the table's TTL attribute). */
  readonly expiresAt: number;
}

/** The paths that name an AMI (ImportImage names only its task, so it remembers nothing). */
const PATHS: readonly CloudTrailPath[] = ['createImage', 'copyImage', 'registerImage', 'createRestoreImageTask', 'createTags'];

/** Epoch seconds at which an item written for a call at `eventTime` expires; the call's time, not the clock, so retries write the same item. */
export function expiryOf(eventTime: string | undefined, now: number = Date.now()): number {
  const at = eventTime ? Date.parse(eventTime) : NaN;
  return Math.floor((Number.isNaN(at) ? now : at) / 1000) + IMAGE_MEMORY_TTL_SECONDS;
}

/** A tag as a map; a tag without value (CloudTrail may leave an empty one out) has no value attribute. */
function tagValue(t: Tag): AttributeValue {
  const m: Record<string, AttributeValue> = { key: { S: t.key } };
  if (t.value !== undefined) m.value = { S: t.value };
  return { M: m };
}

function toItem(img: RememberedImage): Record<string, AttributeValue> {
  const item: Record<string, AttributeValue> = {
    imageId: { S: img.imageId },
    path: { S: img.path },
    matched: { L: img.matched.map(tagValue) },
  };
  for (const field of ['event', 'eventTime', 'name', 'sourceInstanceId', 'sourceImage'] as const) {
    const value = img[field];
    if (value) item[field] = { S: value };
  }
  item.expiresAt = { N: String(img.expiresAt) };
  return item;
}

/** The item as a RememberedImage; anything of another shape is ignored (undefined), never guessed. */
export function fromItem(item: Record<string, AttributeValue> | undefined): RememberedImage | undefined {
  if (!item) return undefined;
  const imageId = item.imageId?.S;
  const path = item.path?.S as CloudTrailPath | undefined;
  const expiresAt = Number(item.expiresAt?.N);
  const list = item.matched?.L;
  if (!imageId || !path || !PATHS.includes(path) || !Number.isFinite(expiresAt) || !Array.isArray(list)) return undefined;
  const matched: Tag[] = [];
  for (const entry of list) {
    const key = entry.M?.key?.S;
    if (typeof key !== 'string') return undefined;
    const value = entry.M?.value?.S;
    matched.push(typeof value === 'string' ? { key, value } : { key });
  }
  const optional = (field: string) => (typeof item[field]?.S === 'string' ? { [field]: item[field].S } : {});
  return {
    imageId,
    path,
    matched,
    expiresAt,
    ...optional('event'),
    ...optional('eventTime'),
    ...optional('name'),
    ...optional('sourceInstanceId'),
    ...optional('sourceImage'),
  };
}

/** Writes one item per image (PutItem: a retried event writes the same items again). Errors propagate. */
export async function rememberImages(
  ddb: DynamoDBClient,
  table: string,
  images: readonly RememberedImage[],
  options: { readonly abortSignal?: AbortSignal } = {},
): Promise<void> {
  await Promise.all(
    images.map((img) => ddb.send(new PutItemCommand({ TableName: table, Item: toItem(img) }), { abortSignal: options.abortSignal })),
  );
}

/**
 * The remembered image, or undefined when the table has none. A strongly consistent
 * read: the state change may follow the call's record closely. Errors, and an item of
 * another shape, propagate.
 */
export async function recallImage(
  ddb: DynamoDBClient,
  table: string,
  imageId: string,
  options: { readonly abortSignal?: AbortSignal } = {},
): Promise<RememberedImage | undefined> {
  const res = await ddb.send(new GetItemCommand({ TableName: table, Key: { imageId: { S: imageId } }, ConsistentRead: true }), {
    abortSignal: options.abortSignal,
  });
  if (!res.Item) return undefined;
  const remembered = fromItem(res.Item);
  if (!remembered) throw new Error(`the image memory holds an item of another shape for ${imageId}`);
  return remembered;
}
