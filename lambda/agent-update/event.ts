import { MalformedEventError } from '../shared/handler';

/** detail-type of the event State Manager sends when an instance association run ends. */
export const DETAIL_TYPE = 'EC2 State Manager Instance Association State Change';

/**
 * The facts of one "EC2 State Manager Instance Association State Change" event
 * (EventBridge event reference for Systems Manager). Optional fields are often
 * empty strings in real events; they are normalized to undefined here.
 */
export interface AssociationResult {
  readonly eventId: string;
  readonly account: string;
  readonly region: string;
  readonly time: string;
  readonly associationId: string;
  readonly instanceId: string;
  readonly documentName: string;
  readonly documentVersion?: string;
  readonly status: string;
  readonly detailedStatus?: string;
  readonly errorCode?: string;
  readonly executionSummary?: string;
  readonly outputUrl?: string;
  readonly lastExecutionDate?: string;
  readonly lastSuccessfulExecutionDate?: string;
}

export { MalformedEventError };

const malformed = (problems: string[]) => new MalformedEventError(problems, `an "${DETAIL_TYPE}" event`);

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Validates the event and returns its facts; throws MalformedEventError naming every problem. */
export function parseEvent(event: unknown): AssociationResult {
  const problems: string[] = [];
  if (!isObject(event)) throw malformed([`expected a JSON object, got ${Array.isArray(event) ? 'an array' : typeof event}`]);
  const detail = isObject(event.detail) ? event.detail : undefined;
  if (event.source !== 'aws.ssm') problems.push(`source must be "aws.ssm", got ${JSON.stringify(event.source)}`);
  if (event['detail-type'] !== DETAIL_TYPE)
    problems.push(`detail-type must be "${DETAIL_TYPE}", got ${JSON.stringify(event['detail-type'])}`);
  if (!detail) problems.push('detail is missing or not an object');

  const required = (obj: Record<string, unknown> | undefined, key: string, where: string): string => {
    const v = obj?.[key];
    if (typeof v === 'string' && v.trim() !== '') return v.trim();
    if (obj) problems.push(`${where}${key} must be a non-empty string, got ${JSON.stringify(v)}`);
    return '';
  };
  const optional = (key: string): string | undefined => {
    const v = detail?.[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string') {
      problems.push(`detail.${key} must be a string, got ${JSON.stringify(v)}`);
      return undefined;
    }
    return v.trim() === '' ? undefined : v.trim();
  };

  const result: AssociationResult = {
    eventId: required(event, 'id', ''),
    account: required(event, 'account', ''),
    region: required(event, 'region', ''),
    time: required(event, 'time', ''),
    associationId: required(detail, 'association-id', 'detail.'),
    instanceId: required(detail, 'instance-id', 'detail.'),
    documentName: required(detail, 'document-name', 'detail.'),
    status: required(detail, 'status', 'detail.'),
    documentVersion: optional('document-version'),
    detailedStatus: optional('detailed-status'),
    errorCode: optional('error-code'),
    executionSummary: optional('execution-summary'),
    outputUrl: optional('output-url'),
    lastExecutionDate: optional('last-execution-date'),
    lastSuccessfulExecutionDate: optional('last-successful-execution-date'),
  };
  if (result.region !== '' && !/^[a-z]{2}(-[a-z]+)+-\d$/.test(result.region))
    problems.push(`region is not an AWS region: ${JSON.stringify(result.region)}`);
  if (result.instanceId !== '' && !/^m?i-[0-9a-f]{8,17}$/.test(result.instanceId)) {
    problems.push(`detail.instance-id is not a managed instance id: ${JSON.stringify(result.instanceId)}`);
  }
  if (problems.length > 0) throw malformed(problems);
  return result;
}
