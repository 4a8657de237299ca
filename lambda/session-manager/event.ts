/**
 * The CloudTrail record of a Session Manager login, as EventBridge delivers it
 * ("AWS API Call via CloudTrail", source aws.ssm), reduced to what the mail needs.
 */
import { MalformedEventError } from '../shared/handler';

export const LOGIN_EVENTS = ['StartSession', 'ResumeSession'] as const;
export type LoginEventName = (typeof LOGIN_EVENTS)[number];

export interface LoginRecord {
  readonly eventId: string;
  readonly eventName: LoginEventName;
  /** userIdentity.arn, or the best identifier the record has. */
  readonly principalArn: string;
  readonly principalType?: string;
  /** StartSession's target (ResumeSession records none). */
  readonly target?: string;
  /** From the response (successful calls) or the request (ResumeSession). */
  readonly sessionId?: string;
  readonly documentName?: string;
  readonly reason?: string;
  readonly sourceIp?: string;
  readonly userAgent?: string;
  readonly time: string;
  readonly accountId: string;
  readonly region: string;
  /** Set on failed attempts. */
  readonly errorCode?: string;
  readonly errorMessage?: string;
}

export { MalformedEventError };

const malformed = (problems: string[]) => new MalformedEventError(problems, 'a Session Manager login event');

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** Validates the event; throws MalformedEventError listing every missing fact. */
export function parseEvent(event: unknown): LoginRecord {
  const problems: string[] = [];
  if (!isObj(event)) throw malformed(['the event is not an object']);
  const detail = isObj(event.detail) ? event.detail : undefined;
  if (!detail) throw malformed(['detail is missing']);
  if (detail.eventSource !== 'ssm.amazonaws.com')
    problems.push(`detail.eventSource is ${JSON.stringify(detail.eventSource)}, expected "ssm.amazonaws.com"`);
  const eventName = detail.eventName;
  if (!LOGIN_EVENTS.includes(eventName as LoginEventName))
    problems.push(`detail.eventName is ${JSON.stringify(eventName)}, expected StartSession or ResumeSession`);

  const identity = isObj(detail.userIdentity) ? detail.userIdentity : {};
  const principalArn = str(identity.arn) ?? str(identity.principalId) ?? str(identity.invokedBy);
  if (!principalArn) problems.push('detail.userIdentity has no arn or principalId');
  const time = str(detail.eventTime) ?? str(event.time);
  if (!time) problems.push('detail.eventTime is missing');
  const accountId = str(detail.recipientAccountId) ?? str(event.account);
  if (!accountId) problems.push('the account is missing');
  const region = str(detail.awsRegion) ?? str(event.region);
  if (!region) problems.push('the region is missing');
  if (problems.length) throw malformed(problems);

  const request = isObj(detail.requestParameters) ? detail.requestParameters : {};
  const response = isObj(detail.responseElements) ? detail.responseElements : {};
  return {
    eventId: str(detail.eventID) ?? str(event.id) ?? '(no event id)',
    eventName: eventName as LoginEventName,
    principalArn: principalArn!,
    principalType: str(identity.type),
    target: str(request.target),
    sessionId: str(response.sessionId) ?? str(request.sessionId),
    documentName: str(request.documentName),
    reason: str(request.reason),
    sourceIp: str(detail.sourceIPAddress),
    userAgent: str(detail.userAgent),
    time: time!,
    accountId: accountId!,
    region: region!,
    errorCode: str(detail.errorCode),
    errorMessage: str(detail.errorMessage),
  };
}

/**
 * Who, in a few characters: the role session name of an assumed role (for IAM
 * Identity Center, the user), the user name of an IAM user, "root" for the root user.
 */
export function principalName(principalArn: string): string {
  const assumed = /^arn:[^:]+:sts::\d{12}:assumed-role\/.+\/([^/]+)$/.exec(principalArn);
  if (assumed) return assumed[1];
  if (/^arn:[^:]+:iam::\d{12}:root$/.test(principalArn)) return 'root';
  return principalArn.split(/[/:]/).pop() || principalArn;
}
