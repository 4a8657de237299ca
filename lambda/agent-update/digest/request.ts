/**
 * What a digest invocation is asked to reconcile: one association in one account-region.
 * Two inputs carry it: the schedule's constant input `{account, region, associationId}`,
 * and an SSM association event (its envelope's account and region, its detail's
 * association-id), so the same function can run where events from many accounts arrive.
 */
import type { DigestRequest, HubDigestRequest } from '../../../stacks/capabilities/agent-update/env';
import { MalformedEventError } from '../../shared/handler';

export type { DigestRequest, HubDigestRequest };

/** detail-types whose events name an association run's association. */
export const ASSOCIATION_EVENTS = ['EC2 State Manager Association State Change', 'EC2 State Manager Instance Association State Change'];

const ASSOCIATION_ID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const ACCOUNT = /^\d{12}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The request, from the schedule's input or an association event; throws MalformedEventError naming every problem. */
export function parseDigestRequest(input: unknown): DigestRequest {
  if (!isObject(input))
    throw new MalformedEventError([`expected a JSON object, got ${Array.isArray(input) ? 'an array' : typeof input}`], 'a digest request');
  const problems: string[] = [];
  const fromEvent = input.source !== undefined || input['detail-type'] !== undefined;
  let associationId: unknown = input.associationId;
  if (fromEvent) {
    if (input.source !== 'aws.ssm') problems.push(`source must be "aws.ssm", got ${JSON.stringify(input.source)}`);
    if (!ASSOCIATION_EVENTS.includes(input['detail-type'] as string)) {
      problems.push(
        `detail-type must be one of ${ASSOCIATION_EVENTS.map((d) => `"${d}"`).join(', ')}, got ${JSON.stringify(input['detail-type'])}`,
      );
    }
    associationId = isObject(input.detail) ? input.detail['association-id'] : undefined;
  }
  const check = (name: string, value: unknown, pattern: RegExp, what: string): string => {
    if (typeof value === 'string' && pattern.test(value)) return value;
    problems.push(`${name} must be ${what}, got ${JSON.stringify(value)}`);
    return '';
  };
  const request: DigestRequest = {
    account: check('account', input.account, ACCOUNT, 'a 12-digit account id'),
    region: check('region', input.region, REGION, 'an AWS region'),
    associationId: check(fromEvent ? 'detail.association-id' : 'associationId', associationId, ASSOCIATION_ID, 'an association id (UUID)'),
  };
  if (problems.length > 0) throw new MalformedEventError(problems, 'a digest request');
  return request;
}

/** Name of an association as the baseline makes it (SSM allows letters, digits, `.`, `_`, `-`). */
const ASSOCIATION_NAME = /^[a-zA-Z0-9_.-]{3,128}$/;

/** The hub's request `{associationName, spokes: [{account, region}]}`; throws MalformedEventError naming every problem. */
export function parseHubDigestRequest(input: unknown): HubDigestRequest {
  const problems: string[] = [];
  if (!isObject(input)) throw new MalformedEventError(['expected a JSON object'], 'a hub digest request');
  const name = input.associationName;
  if (typeof name !== 'string' || !ASSOCIATION_NAME.test(name))
    problems.push(`associationName must be an association name, got ${JSON.stringify(name)}`);
  const spokes = Array.isArray(input.spokes) ? input.spokes : [];
  if (!Array.isArray(input.spokes) || spokes.length === 0)
    problems.push(`spokes must be a non-empty list, got ${JSON.stringify(input.spokes)}`);
  spokes.forEach((s: unknown, i) => {
    const o = isObject(s) ? s : {};
    if (typeof o.account !== 'string' || !ACCOUNT.test(o.account))
      problems.push(`spokes[${i}].account must be a 12-digit account id, got ${JSON.stringify(o.account)}`);
    if (typeof o.region !== 'string' || !REGION.test(o.region))
      problems.push(`spokes[${i}].region must be an AWS region, got ${JSON.stringify(o.region)}`);
  });
  if (problems.length > 0) throw new MalformedEventError(problems, 'a hub digest request');
  return {
    associationName: name as string,
    spokes: spokes.map((s: { account: string; region: string }) => ({ account: s.account, region: s.region })),
  };
}

/** Which request an input is: the hub's names `spokes`. */
export function isHubRequest(input: unknown): boolean {
  return isObject(input) && 'spokes' in input;
}
