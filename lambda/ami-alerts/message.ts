import { consoleLinks } from '../shared/console-links';
import { Notification, fieldLines } from '../shared/notify';
import { formatTag, Tag } from './match';
import type { ImageFacts } from './images';

export type AlertKind =
  'createImage' | 'copyImage' | 'registerImage' | 'createRestoreImageTask' | 'importImage' | 'createTags' | 'available' | 'failed';

export interface AlertFacts {
  readonly kind: AlertKind;
  readonly imageIds: readonly string[];
  readonly matched: readonly Tag[];
  /** State changes told from the image memory: the call that matched, and when. */
  readonly matchedAt?: string;
  /** Lookup results by AMI id; missing ids are shown with what the event told. */
  readonly images: ReadonlyMap<string, ImageFacts>;
  /** Why the lookup failed, when it did (the message says the details are missing). */
  readonly lookupError?: string;
  readonly region: string;
  readonly accountId: string;
  readonly accountName?: string;
  /** Principal ARN (CloudTrail paths only: state-change events name nobody). */
  readonly principal?: string;
  readonly sourceIp?: string;
  readonly time?: string;
  /** e.g. "CreateImage, request 99bf..." or "EC2 AMI State Change". */
  readonly eventLabel: string;
  /** From the CloudTrail request (CreateImage) when the lookup has nothing. */
  readonly requestedName?: string;
  readonly sourceInstanceId?: string;
  /** CopyImage: the source AMI and its region; CreateRestoreImageTask: the stored object. */
  readonly sourceImage?: string;
  /** ImportImage: the import task (no AMI id until it completes) and its status at the call. */
  readonly importTaskId?: string;
  readonly importStatus?: string;
  /** The state the event itself reports (state changes) or implies (CreateImage: pending). */
  readonly eventState?: string;
  /** EC2's error message of a failed image. */
  readonly errorMessage?: string;
}

const HEADLINE: Record<AlertKind, (n: number) => string> = {
  createImage: () => 'AMI created',
  copyImage: () => 'AMI copied',
  registerImage: () => 'AMI registered',
  createRestoreImageTask: () => 'AMI restored',
  importImage: () => 'AMI import started',
  createTags: (n) => (n === 1 ? 'AMI tagged' : `${n} AMIs tagged`),
  available: () => 'AMI available',
  failed: () => 'AMI FAILED',
};

const LEAD: Record<AlertKind, (n: number) => string> = {
  createImage: () =>
    'An AMI carrying a watched tag is being created (CreateImage). It stays pending until EC2 has copied its snapshots; ' +
    'an "AMI available" or "AMI FAILED" message follows when the state-change alerts are on.',
  copyImage: () =>
    'An AMI carrying a watched tag is being copied (CopyImage). It stays pending until EC2 has copied its snapshots; ' +
    'an "AMI available" or "AMI FAILED" message follows when the state-change alerts are on.',
  registerImage: () => 'An AMI carrying a watched tag was registered (RegisterImage).',
  createRestoreImageTask: () =>
    'An AMI carrying a watched tag is being restored from S3 (CreateRestoreImageTask). It stays pending until EC2 has ' +
    'written its snapshots; an "AMI available" or "AMI FAILED" message follows when the state-change alerts are on.',
  importImage: () =>
    'An image import whose import task carries a watched tag was started (ImportImage). The AMI gets its id only when ' +
    'the task completes (the command below shows it). The tags belong to the import task: tag the AMI itself once it ' +
    'exists to have it alerted as an AMI.',
  createTags: (n) => `A watched tag was added to ${n === 1 ? 'an AMI' : `${n} AMIs`} (CreateTags).`,
  available: () => 'An AMI carrying a watched tag is now available and can be launched.',
  failed: () => 'Creating an AMI carrying a watched tag failed. The image cannot be launched; check the error below and create it again.',
};

/**
 * AMIs described one by one in a mail. One CreateTags call may name up to 1,000
 * resources: the rest are listed by id only (and not looked up), which keeps the mail
 * readable and far below SNS's 256 KB.
 */
export const MAX_LISTED_IMAGES = 20;

/** Characters the line of further ids may take (CreateTags' 1,000 ids need about 23,000). */
export const MAX_OTHER_IDS_CHARS = 30_000;

/** The AMIs a mail describes (and the notifier looks up): the first MAX_LISTED_IMAGES. */
export function listedImageIds(imageIds: readonly string[]): string[] {
  return imageIds.slice(0, MAX_LISTED_IMAGES);
}

/** `+N more AMIs ...: id, id, ...`, at most MAX_OTHER_IDS_CHARS of ids. */
function otherImagesLine(others: readonly string[]): string[] {
  if (others.length === 0) return [];
  const shown: string[] = [];
  let length = 0;
  for (const id of others) {
    const add = (shown.length ? 2 : 0) + id.length;
    if (length + add > MAX_OTHER_IDS_CHARS) break;
    shown.push(id);
    length += add;
  }
  const left = others.length - shown.length;
  const rest = left ? `${shown.length ? ', ' : ''}... and ${left} more (see the CloudTrail event)` : '';
  return [`+${others.length} more ${others.length === 1 ? 'AMI' : 'AMIs'} (not looked up): ${shown.join(', ')}${rest}`];
}

function imageBlock(f: AlertFacts, id: string): string[] {
  const img = f.images.get(id);
  const single = f.imageIds.length === 1;
  const lines = fieldLines([
    ['Name', img?.name ?? (single ? f.requestedName : undefined) ?? '(unknown)'],
    ['State', img?.state ?? f.eventState ?? '(unknown)'],
    ['Error', f.kind === 'failed' ? f.errorMessage || img?.stateReason : undefined],
    ['Source instance', img?.sourceInstanceId ?? (single ? f.sourceInstanceId : undefined)],
    ['Source image', single ? f.sourceImage : undefined],
    ['Created', img?.creationDate],
    ['Console', consoleLinks.image(f.region, id)],
  ]);
  return [`AMI ${id}`, ...lines.map((l) => `  ${l}`)];
}

/** ImportImage: the task in place of AMIs, and how to find the AMI once it exists. */
function importTaskBlock(f: AlertFacts, taskId: string): string[] {
  const lines = fieldLines([
    ['Description', f.requestedName],
    ['Status', f.importStatus],
    ['AMI', `named when the task completes: aws ec2 describe-import-image-tasks --region ${f.region} --import-task-ids ${taskId}`],
  ]);
  return [`Import task ${taskId}`, ...lines.map((l) => `  ${l}`)];
}

/** Subject and plain-text body a person can act on. */
export function formatAlert(f: AlertFacts): Notification {
  const account = f.accountName ?? f.accountId;
  const first = f.imageIds[0];
  const firstName = f.images.get(first)?.name ?? f.requestedName;
  const ids = f.importTaskId ? f.importTaskId : f.imageIds.length === 1 && firstName ? `${first} (${firstName})` : f.imageIds.join(', ');
  const subject = `[${account} ${f.region}] ${HEADLINE[f.kind](f.imageIds.length)}: ${ids}`;

  const body = [
    LEAD[f.kind](f.imageIds.length),
    '',
    ...fieldLines([
      ['Matched tags', f.matched.map(formatTag).join(', ')],
      ['Matched at', f.matchedAt],
      ['Who', f.principal],
      ['Source IP', f.sourceIp],
      ['When', f.time],
      ['Account', f.accountName ? `${f.accountName} (${f.accountId})` : f.accountId],
      ['Region', f.region],
      ['Event', f.eventLabel],
    ]),
    ...(f.lookupError ? ['', `Image details could not be looked up (${f.lookupError}); the facts above come from the event alone.`] : []),
    '',
    ...(f.importTaskId ? importTaskBlock(f, f.importTaskId) : []),
    ...listedImageIds(f.imageIds).flatMap((id, i) => [...(i > 0 ? [''] : []), ...imageBlock(f, id)]),
    ...(f.imageIds.length > MAX_LISTED_IMAGES ? ['', ...otherImagesLine(f.imageIds.slice(MAX_LISTED_IMAGES))] : []),
  ];
  return { subject, body: body.join('\n') };
}
