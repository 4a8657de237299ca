import { consoleLinks } from '../shared/console-links';
import { Notification, fieldLines } from '../shared/notify';
import { LoginRecord, principalName } from './event';

export interface MessageSettings {
  readonly accountName: string;
  readonly transcriptBucket?: string;
  readonly transcriptPrefix?: string;
  readonly logGroup?: string;
}

/** The target of a resumed session as DescribeSessions reported it, or why it is unknown. */
export type TargetLookup = { readonly ok: true; readonly target: string } | { readonly ok: false; readonly reason: string };

/** Subject and body of the login mail. Failed attempts say so first, in the subject and the body. */
export function composeMessage(r: LoginRecord, s: MessageSettings, lookup?: TargetLookup): Notification {
  const failed = r.errorCode !== undefined;
  const target = r.target ?? (lookup?.ok ? lookup.target : undefined);
  const what = r.eventName === 'ResumeSession' ? 'session resumed' : 'login';
  // Most telling first: SNS cuts subjects at 100 characters (the body has everything).
  const subject = `[${s.accountName} ${r.region}] ${failed ? 'FAILED ' : ''}Session Manager ${what}: ${target ?? 'unknown target'} by ${principalName(r.principalArn)}`;

  const headline = failed
    ? `A Session Manager ${r.eventName === 'ResumeSession' ? 'resume' : 'login'} attempt FAILED (${r.errorCode}). Check that it was expected.`
    : r.eventName === 'ResumeSession'
      ? 'A Session Manager session was resumed.'
      : 'A Session Manager session was started.';

  const targetLine = target ?? (lookup && !lookup.ok ? `unknown (${lookup.reason})` : 'not recorded');
  const lines = [
    headline,
    '',
    ...fieldLines([
      ['Who', r.principalArn],
      ['Identity type', r.principalType],
      ['Target', targetLine],
      ['Session ID', r.sessionId ?? (failed ? 'none (the call failed)' : undefined)],
      ['Document', r.documentName],
      ['Reason given', r.reason],
      ['Source IP', r.sourceIp],
      ['User agent', r.userAgent],
      ['Time (UTC)', r.time],
      ['Account', `${s.accountName} (${r.accountId})`],
      ['Region', r.region],
      ['Error', failed ? `${r.errorCode}${r.errorMessage ? `: ${r.errorMessage}` : ''}` : undefined],
    ]),
  ];

  if (!failed && r.sessionId) {
    lines.push('');
    lines.push(
      ...fieldLines([
        [
          'Transcript',
          s.transcriptBucket
            ? `s3://${s.transcriptBucket}/${s.transcriptPrefix ? `${s.transcriptPrefix}/` : ''}${r.sessionId}.log (uploaded when the session ends)`
            : undefined,
        ],
        ['Live log', s.logGroup ? `CloudWatch Logs ${s.logGroup}, stream ${r.sessionId}` : undefined],
        ['Session history', consoleLinks.session(r.region, r.sessionId)],
      ]),
    );
  }
  if (target && /^(i|mi)-[0-9a-f]+$/.test(target)) {
    lines.push(
      ...fieldLines([
        [
          'Target in console',
          target.startsWith('mi-') ? consoleLinks.managedInstance(r.region, target) : consoleLinks.instance(r.region, target),
        ],
      ]),
    );
  }
  lines.push('', `CloudTrail event id: ${r.eventId}`);
  return { subject, body: lines.join('\n') };
}
