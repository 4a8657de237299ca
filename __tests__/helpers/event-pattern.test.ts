import { matchesPattern, rulePattern } from './event-pattern';
import type { StackJson } from './synth';

const event = {
  version: '0',
  source: 'aws.ssm',
  'detail-type': 'EC2 State Manager Instance Association State Change',
  region: 'ap-northeast-1',
  resources: [
    'arn:aws:ec2:ap-northeast-1:111111111111:instance/i-0abc',
    'arn:aws:ssm:ap-northeast-1:111111111111:document/AWS-UpdateSSMAgent',
  ],
  detail: {
    status: 'Failed',
    'document-name': 'AWS-UpdateSSMAgent',
    'error-code': '',
    count: 7,
    flag: false,
    nothing: null,
    nested: { deep: 'value' },
    tags: [
      { key: 'Backup', value: 'no' },
      { key: 'Env', value: 'prod' },
    ],
  },
};

describe('matchesPattern: exact values and structure', () => {
  it.each([
    ['one field', { source: ['aws.ssm'] }, true],
    ['value list is OR', { source: ['aws.ec2', 'aws.ssm'] }, true],
    ['fields are AND', { source: ['aws.ssm'], 'detail-type': ['other'] }, false],
    ['wrong value', { source: ['aws.ec2'] }, false],
    ['case sensitive', { source: ['AWS.SSM'] }, false],
    ['nested field', { detail: { status: ['Failed'] } }, true],
    ['deeply nested', { detail: { nested: { deep: ['value'] } } }, true],
    ['missing field', { detail: { absent: ['x'] } }, false],
    ['empty string', { detail: { 'error-code': [''] } }, true],
    ['number', { detail: { count: [7] } }, true],
    ['number is not its string', { detail: { count: ['7'] } }, false],
    ['boolean', { detail: { flag: [false] } }, true],
    ['null', { detail: { nothing: [null] } }, true],
    ['object is not a leaf', { detail: { nested: ['value'] } }, false],
    ['empty pattern matches all', {}, true],
  ])('%s', (_name, pattern, expected) => {
    expect(matchesPattern(pattern, event)).toBe(expected);
  });
});

describe('matchesPattern: arrays in the event', () => {
  it('matches if any element matches', () => {
    expect(matchesPattern({ resources: ['arn:aws:ssm:ap-northeast-1:111111111111:document/AWS-UpdateSSMAgent'] }, event)).toBe(true);
    expect(matchesPattern({ resources: ['arn:aws:ssm:ap-northeast-1:111111111111:document/AWS-Other'] }, event)).toBe(false);
  });

  it('flattens arrays of objects per field (EventBridge false positive)', () => {
    // Env=no is not a tag pair of the event, yet EventBridge matches it: key and value
    // are matched independently across the elements.
    expect(matchesPattern({ detail: { tags: { key: ['Env'], value: ['no'] } } }, event)).toBe(true);
    expect(matchesPattern({ detail: { tags: { key: ['Env'], value: ['staging'] } } }, event)).toBe(false);
  });

  it('an empty event array means the field does not exist', () => {
    expect(matchesPattern({ resources: [{ exists: false }] }, { resources: [] })).toBe(true);
    expect(matchesPattern({ resources: [{ exists: true }] }, { resources: [] })).toBe(false);
  });
});

describe('matchesPattern: operators', () => {
  it.each([
    ['prefix', { resources: [{ prefix: 'arn:aws:ssm:' }] }, true],
    ['prefix miss', { source: [{ prefix: 'aws.ec' }] }, false],
    ['prefix ignore case', { source: [{ prefix: { 'equals-ignore-case': 'AWS.' } }] }, true],
    ['prefix on a number never matches', { detail: { count: [{ prefix: '7' }] } }, false],
    ['suffix', { resources: [{ suffix: '/AWS-UpdateSSMAgent' }] }, true],
    ['suffix miss', { source: [{ suffix: '.ec2' }] }, false],
    ['equals-ignore-case', { source: [{ 'equals-ignore-case': 'AWS.SSM' }] }, true],
    ['wildcard', { resources: [{ wildcard: 'arn:aws:ssm:*:document/AWS-*' }] }, true],
    ['wildcard is anchored', { source: [{ wildcard: 'ssm*' }] }, false],
    ['wildcard escapes regex characters', { source: [{ wildcard: 'aws?ssm' }] }, false],
    ['anything-but value', { detail: { status: [{ 'anything-but': 'Pending' }] } }, true],
    ['anything-but hit', { detail: { status: [{ 'anything-but': 'Failed' }] } }, false],
    ['anything-but list', { detail: { status: [{ 'anything-but': ['Pending', 'Failed'] }] } }, false],
    ['anything-but prefix', { source: [{ 'anything-but': { prefix: 'aws.' } }] }, false],
    ['anything-but suffix', { source: [{ 'anything-but': { suffix: '.ec2' } }] }, true],
    ['anything-but ignore case', { source: [{ 'anything-but': { 'equals-ignore-case': ['AWS.SSM'] } }] }, false],
    ['anything-but wildcard', { source: [{ 'anything-but': { wildcard: 'aws.*' } }] }, false],
    ['anything-but never matches a missing field', { detail: { absent: [{ 'anything-but': 'x' }] } }, false],
    ['anything-but over an array: any element not excluded', { resources: [{ 'anything-but': { prefix: 'arn:aws:ec2:' } }] }, true],
    ['exists true', { detail: { status: [{ exists: true }] } }, true],
    ['exists true on a missing field', { detail: { absent: [{ exists: true }] } }, false],
    ['exists false', { detail: { absent: [{ exists: false }] } }, true],
    ['exists false on a present field', { detail: { status: [{ exists: false }] } }, false],
    ['exists true on null', { detail: { nothing: [{ exists: true }] } }, true],
    ['exists on an object (not a leaf)', { detail: { nested: [{ exists: true }] } }, false],
    ['exists mixed with a value (OR)', { detail: { absent: [{ exists: false }, 'x'] } }, true],
    ['numeric range', { detail: { count: [{ numeric: ['>', 0, '<=', 7] }] } }, true],
    ['numeric out of range', { detail: { count: [{ numeric: ['<', 7] }] } }, false],
    ['numeric equals', { detail: { count: [{ numeric: ['=', 7] }] } }, true],
    ['numeric on a string', { source: [{ numeric: ['>', 0] }] }, false],
    ['$or first branch', { $or: [{ source: ['aws.ssm'] }, { source: ['aws.ec2'] }] }, true],
    ['$or no branch', { $or: [{ source: ['aws.s3'] }, { detail: { status: ['Success'] } }] }, false],
    ['$or nested with AND', { detail: { $or: [{ status: ['Success'] }, { status: ['Failed'] }], 'document-name': ['x'] } }, false],
  ])('%s', (_name, pattern, expected) => {
    expect(matchesPattern(pattern as Record<string, unknown>, event)).toBe(expected);
  });
});

describe('matchesPattern: refuses what it cannot judge', () => {
  it.each([
    ['a scalar leaf', { source: 'aws.ssm' }, /must be a list or an object/],
    ['an empty leaf', { source: [] }, /at least one matcher/],
    ['cidr', { source: [{ cidr: '10.0.0.0/8' }] }, /not implemented/],
    ['unknown operator', { source: [{ bogus: 1 }] }, /not implemented/],
    ['a two-key matcher', { source: [{ prefix: 'a', suffix: 'b' }] }, /one-key object/],
    ['bad exists', { source: [{ exists: 'yes' }] }, /exists takes true or false/],
    ['bad numeric', { detail: { count: [{ numeric: ['>'] }] } }, /numeric takes/],
    ['bad numeric op', { detail: { count: [{ numeric: ['~', 1] }] } }, /numeric takes/],
    ['$or with one branch', { $or: [{ source: ['aws.ssm'] }] }, /\$or takes/],
    ['bad anything-but', { source: [{ 'anything-but': { contains: 'x' } }] }, /not supported/],
  ])('%s', (_name, pattern, message) => {
    expect(() => matchesPattern(pattern as Record<string, unknown>, event)).toThrow(message);
  });
});

describe('rulePattern', () => {
  const stack = {
    resource: {
      aws_cloudwatch_event_rule: {
        a: { name: 'a', event_pattern: JSON.stringify({ source: ['aws.ssm'], detail: { id: ['${aws_x.y.id}'] } }) },
        b: { name: 'b', event_pattern: JSON.stringify({ source: ['aws.ec2'] }) },
      },
    },
  } as unknown as StackJson;

  it('parses the pattern of the chosen rule, substituting references', () => {
    expect(rulePattern(stack, (r) => r.name === 'a', { '${aws_x.y.id}': 'abc' })).toEqual({ source: ['aws.ssm'], detail: { id: ['abc'] } });
    expect(rulePattern(stack, (r) => r.name === 'b')).toEqual({ source: ['aws.ec2'] });
  });

  it('refuses unresolved references and ambiguous picks', () => {
    expect(() => rulePattern(stack, (r) => r.name === 'a')).toThrow(/still holds the Terraform reference \$\{aws_x\.y\.id\}/);
    expect(() => rulePattern(stack)).toThrow(/found 2/);
  });
});
