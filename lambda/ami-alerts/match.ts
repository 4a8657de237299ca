/**
 * The decision the event patterns cannot make: does an AMI carry a watched tag as an
 * exact key/value pair? EventBridge matches arrays per field, so a rule's pattern also
 * lets through crossed tags (key K with another value next to some tag with value V)
 * and tags that CreateImage put on the snapshot rather than the image. Everything here
 * is pure, so the tests can run the same sample events through patterns and decisions.
 */
import type { WatchedTag } from '../../stacks/capabilities/ami-alerts/env';

export interface Tag {
  readonly key: string;
  readonly value?: string;
}

/** The tags that are watched pairs: same key and, when the watch names one, the same value. */
export function matchingTags(tags: readonly Tag[], watched: readonly WatchedTag[]): Tag[] {
  return tags.filter((t) => watched.some((w) => w.key === t.key && (w.value === undefined || w.value === (t.value ?? ''))));
}

/** `key=value` for messages. */
export function formatTag(t: Tag): string {
  return `${t.key}=${t.value ?? ''}`;
}

/** The fields of a CloudTrail record ("AWS API Call via CloudTrail" detail) we read. */
export interface CloudTrailDetail {
  readonly eventSource?: string;
  readonly eventName?: string;
  readonly eventTime?: string;
  readonly eventID?: string;
  readonly requestID?: string;
  readonly awsRegion?: string;
  readonly recipientAccountId?: string;
  readonly errorCode?: string;
  readonly errorMessage?: string;
  readonly sourceIPAddress?: string;
  readonly userIdentity?: {
    readonly type?: string;
    readonly arn?: string;
    readonly principalId?: string;
    readonly invokedBy?: string;
  };
  readonly requestParameters?: Record<string, any> | null;
  readonly responseElements?: Record<string, any> | null;
}

export type CloudTrailPath = 'createImage' | 'copyImage' | 'registerImage' | 'createRestoreImageTask' | 'importImage' | 'createTags';

/** The calls that create an AMI with its tags (the same request and response shape). */
const TAG_AT_CREATION: Record<string, CloudTrailPath> = {
  CreateImage: 'createImage',
  CopyImage: 'copyImage',
  RegisterImage: 'registerImage',
  CreateRestoreImageTask: 'createRestoreImageTask',
};

export type Decision =
  | {
      readonly notify: true;
      readonly path: CloudTrailPath;
      /** Every AMI the call created or tagged, in the order of the record. */
      readonly imageIds: string[];
      readonly matched: Tag[];
      /** CreateImage names the instance and the image name in its request. */
      readonly sourceInstanceId?: string;
      readonly requestedName?: string;
      /** CopyImage: the source AMI and its region; CreateRestoreImageTask: the stored object (s3://bucket/key). */
      readonly sourceImage?: string;
      /** ImportImage: the import task, and its status at the call; the AMI id comes when the task completes. */
      readonly importTaskId?: string;
      readonly importStatus?: string;
    }
  | { readonly notify: false; readonly reason: string };

function list(x: unknown): any[] {
  return Array.isArray(x) ? x : [];
}

function tagsOf(items: unknown, key = 'key', value = 'value'): Tag[] {
  return list(items)
    .filter((t) => t && typeof t[key] === 'string')
    .map((t) => (typeof t[value] === 'string' ? { key: t[key], value: t[value] } : { key: t[key] }));
}

/** One object or a list of them (the "<Action>Request" form writes a single member as an object). */
function oneOrMany(x: unknown): any[] {
  return Array.isArray(x) ? x : x && typeof x === 'object' ? [x] : [];
}

/**
 * EC2's CloudTrail records come in two forms: lower-camel members
 * (`requestParameters.tagSpecificationSet.items[].tags[]`, `responseElements.imageId`),
 * or, for some newer calls, the Query parameters wrapped in `<Action>Request` /
 * `<Action>Response` (`TagSpecification.Tag[].Key`). Both are read the same way.
 */
function wrappedRequest(detail: CloudTrailDetail): Record<string, any> | undefined {
  const w = detail.requestParameters?.[`${detail.eventName}Request`];
  return w && typeof w === 'object' ? w : undefined;
}

function responseOf(detail: CloudTrailDetail): Record<string, any> {
  const r = detail.responseElements ?? {};
  const w = r[`${detail.eventName}Response`];
  return w && typeof w === 'object' ? w : r;
}

/** A request member by its lower-camel name (or its Query name in the wrapped form). */
function param(detail: CloudTrailDetail, name: string): string | undefined {
  const wrapped = wrappedRequest(detail);
  const v = wrapped ? wrapped[name.charAt(0).toUpperCase() + name.slice(1)] : detail.requestParameters?.[name];
  return typeof v === 'string' ? v : undefined;
}

/** The tags the request gives to resources of one type. */
function specifiedTags(detail: CloudTrailDetail, resourceType: string): Tag[] {
  const wrapped = wrappedRequest(detail);
  if (wrapped) {
    return oneOrMany(wrapped.TagSpecification)
      .filter((spec) => spec?.ResourceType === resourceType)
      .flatMap((spec) => tagsOf(oneOrMany(spec.Tag), 'Key', 'Value'));
  }
  return list(detail.requestParameters?.tagSpecificationSet?.items)
    .filter((spec) => spec?.resourceType === resourceType)
    .flatMap((spec) => tagsOf(spec.tags));
}

/** Who made the call: an IAM ARN, or the AWS service acting on someone's behalf. */
export function principalOf(detail: CloudTrailDetail): string | undefined {
  const u = detail.userIdentity;
  return u?.arn ?? u?.invokedBy ?? u?.principalId ?? u?.type;
}

/**
 * CreateImage, CopyImage, RegisterImage, CreateRestoreImageTask: the image's own tag
 * specification must carry a watched pair; the new id is in the response (a failed call
 * has none, and errorCode).
 */
export function decideCreateImage(detail: CloudTrailDetail, watched: readonly WatchedTag[]): Decision {
  const path = TAG_AT_CREATION[detail.eventName ?? ''] ?? 'createImage';
  if (detail.errorCode) return { notify: false, reason: `the call failed (${detail.errorCode})` };
  const imageId = responseOf(detail).imageId;
  if (typeof imageId !== 'string' || !imageId.startsWith('ami-')) return { notify: false, reason: 'the response names no image' };
  const matched = matchingTags(specifiedTags(detail, 'image'), watched);
  if (matched.length === 0) return { notify: false, reason: 'no watched tag pair on the image itself (snapshot tags do not count)' };
  const [sourceImageId, sourceRegion, bucket, objectKey] = ['sourceImageId', 'sourceRegion', 'bucket', 'objectKey'].map((n) =>
    param(detail, n),
  );
  const sourceImage = sourceImageId
    ? `${sourceImageId}${sourceRegion ? ` (${sourceRegion})` : ''}`
    : bucket && objectKey
      ? `s3://${bucket}/${objectKey}`
      : undefined;
  return {
    notify: true,
    path,
    imageIds: [imageId],
    matched,
    sourceInstanceId: param(detail, 'instanceId'),
    requestedName: param(detail, 'name'),
    ...(sourceImage ? { sourceImage } : {}),
  };
}

/**
 * ImportImage: its tag specification can only name the import task, and the response
 * names the task, not an AMI (the import runs for minutes to hours). A watched pair on
 * the task is reported with the task's id; the AMI is named by DescribeImportImageTasks
 * when the task completes, and gets no tag from the task that any source documents.
 */
export function decideImportImage(detail: CloudTrailDetail, watched: readonly WatchedTag[]): Decision {
  if (detail.errorCode) return { notify: false, reason: `the call failed (${detail.errorCode})` };
  const response = responseOf(detail);
  const importTaskId = response.importTaskId;
  if (typeof importTaskId !== 'string' || !importTaskId.startsWith('import-ami-')) {
    return { notify: false, reason: 'the response names no import task' };
  }
  const matched = matchingTags(specifiedTags(detail, 'import-image-task'), watched);
  if (matched.length === 0) return { notify: false, reason: 'no watched tag pair on the import task' };
  return {
    notify: true,
    path: 'importImage',
    imageIds: [],
    importTaskId,
    importStatus: typeof response.status === 'string' ? response.status : undefined,
    matched,
    requestedName: param(detail, 'description'),
  };
}

/** CreateTags: every AMI among the resources gets every tag of the call. */
export function decideCreateTags(detail: CloudTrailDetail, watched: readonly WatchedTag[]): Decision {
  if (detail.errorCode) return { notify: false, reason: `the call failed (${detail.errorCode})` };
  const req = detail.requestParameters ?? {};
  const imageIds = [
    ...new Set(
      list(req.resourcesSet?.items)
        .map((r) => r?.resourceId)
        .filter((id): id is string => typeof id === 'string' && id.startsWith('ami-')),
    ),
  ];
  if (imageIds.length === 0) return { notify: false, reason: 'no AMI among the tagged resources' };
  const matched = matchingTags(tagsOf(req.tagSet?.items), watched);
  if (matched.length === 0) return { notify: false, reason: 'no watched tag pair among the new tags' };
  return { notify: true, path: 'createTags', imageIds, matched };
}

/** Routes a CloudTrail record to its decision; other calls never reach us unless a rule is wrong. */
export function decideCloudTrail(detail: CloudTrailDetail, watched: readonly WatchedTag[]): Decision {
  if (detail.eventSource !== 'ec2.amazonaws.com') {
    throw new Error(`unexpected CloudTrail event source ${JSON.stringify(detail.eventSource)}: check the rule patterns`);
  }
  if (detail.eventName && detail.eventName in TAG_AT_CREATION) return decideCreateImage(detail, watched);
  if (detail.eventName === 'ImportImage') return decideImportImage(detail, watched);
  if (detail.eventName === 'CreateTags') return decideCreateTags(detail, watched);
  throw new Error(`unexpected CloudTrail event ${JSON.stringify(detail.eventName)}: check the rule patterns`);
}
