import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';

/** SNS rejects subjects over 100 characters or with anything but printable ASCII. */
export const MAX_SUBJECT_LENGTH = 100;

/**
 * A subject SNS accepts: printable ASCII only (other characters become "?"), no line
 * breaks, at most 100 characters (cut with "...").
 */
export function snsSubject(text: string): string {
  const ascii = text
    .replace(/\s+/g, ' ')
    .replace(/[^\x20-\x7e]/g, '?')
    .trim();
  return ascii.length <= MAX_SUBJECT_LENGTH ? ascii : `${ascii.slice(0, MAX_SUBJECT_LENGTH - 3)}...`;
}

/**
 * Bytes of a message body we send. SNS refuses messages over 256 KB (262,144 bytes,
 * subject and attributes included), and a refused publish would fail on every retry.
 */
export const MAX_MESSAGE_BYTES = 240_000;

const CUT_NOTE = '\n\n[message cut here: SNS accepts at most 256 KB]';

/** The body as is when it fits MAX_MESSAGE_BYTES (UTF-8), else cut at a character boundary with a note. */
export function boundedBody(text: string, maxBytes: number = MAX_MESSAGE_BYTES): string {
  if (Buffer.byteLength(text, 'utf8') <= maxBytes) return text;
  const budget = maxBytes - Buffer.byteLength(CUT_NOTE, 'utf8');
  let bytes = 0;
  let end = 0;
  for (const ch of text) {
    const n = Buffer.byteLength(ch, 'utf8');
    if (bytes + n > budget) break;
    bytes += n;
    end += ch.length;
  }
  return `${text.slice(0, end)}${CUT_NOTE}`;
}

export interface Notification {
  readonly subject: string;
  readonly body: string;
}

/**
 * Publishes a notification (subject and body made acceptable to SNS). Errors propagate
 * on purpose: the invocation fails, Lambda retries it, and after the last retry the
 * event lands in the dead-letter queue.
 */
export async function publish(sns: SNSClient, topicArn: string, n: Notification): Promise<string | undefined> {
  const out = await sns.send(new PublishCommand({ TopicArn: topicArn, Subject: snsSubject(n.subject), Message: boundedBody(n.body) }));
  return out.MessageId;
}

/** Lines `Label: value` aligned for a plain-text mail; empty values are left out. */
export function fieldLines(fields: Array<[string, string | number | undefined | null]>): string[] {
  const shown = fields.filter(([, v]) => v !== undefined && v !== null && v !== '');
  const width = Math.max(0, ...shown.map(([k]) => k.length));
  return shown.map(([k, v]) => `${`${k}:`.padEnd(width + 2)}${v}`);
}
