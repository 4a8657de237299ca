/**
 * The EventBridge patterns of the tagged-AMI alerts. Pure data, no
 * constructs: the config schema uses it to check pattern sizes at synth.
 *
 * EventBridge matches arrays per field: in `{ key: [K], value: [V] }` the key and the
 * value may come from two different tags (or, in CreateImage, from the snapshot's tag
 * specification while `resourceType: image` comes from the image's). No pattern can tie
 * a key to its value, so these patterns are a narrow pre-filter and the notifier
 * Lambda decides on the exact pair (lambda/ami-alerts/match.ts).
 */
import type { WatchedTag } from './env';

export const AMI_ALERT_PATHS = [
  'createImage',
  'copyImage',
  'registerImage',
  'createRestoreImageTask',
  'importImage',
  'createTags',
  'available',
  'failed',
] as const;
export type AmiAlertPath = (typeof AMI_ALERT_PATHS)[number];

/**
 * The calls that create an AMI with its tags: each takes TagSpecifications, which
 * CloudTrail records as `requestParameters.tagSpecificationSet.items[]`, and returns
 * the new id as `responseElements.imageId`. One rule (the createImage rule) catches them.
 */
export const TAG_AT_CREATION_CALLS = {
  createImage: 'CreateImage',
  copyImage: 'CopyImage',
  registerImage: 'RegisterImage',
  createRestoreImageTask: 'CreateRestoreImageTask',
} as const;
export type TagAtCreationPath = keyof typeof TAG_AT_CREATION_CALLS;

/** EventBridge's default quota for one rule's event pattern (characters). */
export const MAX_EVENT_PATTERN_LENGTH = 2048;

/** One rule per kind of event; available and failed share the state-change rule. */
export type AmiAlertRuleKind = 'createImage' | 'importImage' | 'createTags' | 'stateChange';

const CLOUDTRAIL_EC2 = {
  source: ['aws.ec2'],
  'detail-type': ['AWS API Call via CloudTrail'],
} as const;

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

/**
 * The pre-filter on a tag list (objects with `key` and `value`): pairs with a value
 * need one of their keys and one of their values somewhere in the list; keys watched
 * with any value need only the key. An empty watched value goes with the keys: CloudTrail
 * may leave an empty value out, and the Lambda compares it exactly anyway.
 */
export function tagPreFilter(tags: readonly WatchedTag[]): Record<string, unknown> {
  const valued = tags.filter((t) => t.value !== undefined && t.value !== '');
  const keysOnly = unique(tags.filter((t) => t.value === undefined || t.value === '').map((t) => t.key));
  const branches: Record<string, unknown>[] = [];
  if (valued.length) branches.push({ key: unique(valued.map((t) => t.key)), value: unique(valued.map((t) => t.value as string)) });
  if (keysOnly.length) branches.push({ key: keysOnly });
  if (branches.length === 0) throw new Error('tagPreFilter needs at least one watched tag');
  return branches.length === 1 ? branches[0] : { $or: branches };
}

/**
 * The "<Action>Request" form in which EC2's CloudTrail records some newer calls
 * (`requestParameters.CreateFleetRequest.TagSpecification.Tag`, say): Query parameter
 * names, one object or a list. No recorded CreateRestoreImageTask or ImportImage record
 * shows which form those two calls take, so their rules accept both; this branch
 * pre-filters on the resource type only (the calls are rare) and the notifier decides.
 */
function wrappedTagSpecification(call: string, resourceType: string): Record<string, unknown> {
  return { requestParameters: { [`${call}Request`]: { TagSpecification: { ResourceType: [resourceType] } } } };
}

/** A watched tag-at-creation call that succeeded with a watched tag in the image's tag specification. */
export function createImagePattern(
  tags: readonly WatchedTag[],
  paths: readonly TagAtCreationPath[] = Object.keys(TAG_AT_CREATION_CALLS) as TagAtCreationPath[],
): Record<string, unknown> {
  const lowerCamel = { requestParameters: { tagSpecificationSet: { items: { resourceType: ['image'], tags: tagPreFilter(tags) } } } };
  return {
    ...CLOUDTRAIL_EC2,
    detail: {
      eventSource: ['ec2.amazonaws.com'],
      eventName: paths.map((p) => TAG_AT_CREATION_CALLS[p]),
      // Failed calls are recorded too, with errorCode set and no image id.
      errorCode: [{ exists: false }],
      ...(paths.includes('createRestoreImageTask')
        ? { $or: [lowerCamel, wrappedTagSpecification(TAG_AT_CREATION_CALLS.createRestoreImageTask, 'image')] }
        : lowerCamel),
    },
  };
}

/**
 * ImportImage that succeeded with a watched tag on its import task. Its tag
 * specification can only name the task (`import-image-task`); the AMI's id is not in
 * the response (the task is asynchronous).
 */
export function importImagePattern(tags: readonly WatchedTag[]): Record<string, unknown> {
  return {
    ...CLOUDTRAIL_EC2,
    detail: {
      eventSource: ['ec2.amazonaws.com'],
      eventName: ['ImportImage'],
      errorCode: [{ exists: false }],
      $or: [
        { requestParameters: { tagSpecificationSet: { items: { resourceType: ['import-image-task'], tags: tagPreFilter(tags) } } } },
        wrappedTagSpecification('ImportImage', 'import-image-task'),
      ],
    },
  };
}

/** CreateTags that succeeded on at least one AMI with a watched tag. */
export function createTagsPattern(tags: readonly WatchedTag[]): Record<string, unknown> {
  return {
    ...CLOUDTRAIL_EC2,
    detail: {
      eventSource: ['ec2.amazonaws.com'],
      eventName: ['CreateTags'],
      errorCode: [{ exists: false }],
      requestParameters: {
        // Prefix matching: patterns have no wildcards for ids.
        resourcesSet: { items: { resourceId: [{ prefix: 'ami-' }] } },
        tagSet: { items: tagPreFilter(tags) },
      },
    },
  };
}

/** EC2 AMI State Change to the watched states; the event carries no tags. */
export function stateChangePattern(states: readonly ('available' | 'failed')[]): Record<string, unknown> {
  return {
    source: ['aws.ec2'],
    'detail-type': ['EC2 AMI State Change'],
    detail: { State: [...states] },
  };
}

/** The pattern of every rule the watched paths need, in a fixed order. */
export function amiAlertPatterns(
  tags: readonly WatchedTag[],
  watch: readonly AmiAlertPath[] = AMI_ALERT_PATHS,
): Partial<Record<AmiAlertRuleKind, Record<string, unknown>>> {
  const out: Partial<Record<AmiAlertRuleKind, Record<string, unknown>>> = {};
  if (tags.length === 0) return out;
  const creation = (Object.keys(TAG_AT_CREATION_CALLS) as TagAtCreationPath[]).filter((p) => watch.includes(p));
  if (creation.length) out.createImage = createImagePattern(tags, creation);
  if (watch.includes('importImage')) out.importImage = importImagePattern(tags);
  if (watch.includes('createTags')) out.createTags = createTagsPattern(tags);
  const states = (['available', 'failed'] as const).filter((s) => watch.includes(s));
  if (states.length) out.stateChange = stateChangePattern(states);
  return out;
}
