import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import { ConfigError, configNotes, loadConfig, parseConfig } from '../../stacks/platform/config/load';
import { configJsonSchema } from '../../stacks/platform/config/json-schema';
import { BASELINE_TAG_KEYS, MAX_CONFIG_TAGS, shown } from '../../stacks/platform/config/common';
import { OPT_IN_REGIONS } from '../../stacks/platform/config/regions';
import { exampleInput, resourcesOf, synthStack, testConfig } from '../helpers/synth';

/**
 * Values AWS refuses only at apply (CreateBucket, TagResource, CreateAssociation,
 * CreateSchedule) fail at synth with the field named.
 */

const account = (over: Record<string, unknown> = {}) => ({ id: '111111111111', name: 'prod', regions: ['ap-northeast-1'], ...over });
const base = (over: Record<string, unknown> = {}) => ({ accounts: [account()], ...over });

function problems(input: unknown): string[] {
  try {
    parseConfig(input, 'test');
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('tags the baseline applies', () => {
  it.each([
    ['aws:createdBy', 'keys starting with "aws:" are reserved by AWS'],
    ['AWS:Team', 'keys starting with "aws:" are reserved by AWS'],
    ['Aws:team', 'keys starting with "aws:" are reserved by AWS'],
  ])('refuses the reserved key %s', (key, reason) => {
    expect(problems(base({ tags: { [key]: 'x' } }))).toEqual([`tags.${key}: ${reason}, got ${JSON.stringify(key)}`]);
  });

  it('refuses key characters outside AWS set', () => {
    expect(problems(base({ tags: { 'cost#center': 'x' } }))).toEqual([
      'tags.cost#center: must use only letters, digits, spaces and _ . : / = + - @ (AWS tag characters), got "cost#center"',
    ]);
  });

  it.each([
    ['a control character', 'line1\nline2'],
    ['a NUL', 'a\u0000b'],
    ['a character outside the set', 'team<ops>'],
    ['a zero-width space', 'ops\u200bteam'],
  ])('refuses a value with %s', (_what, value) => {
    expect(problems(base({ tags: { Team: value } }))).toEqual([
      `tags.Team: must use only letters, digits, spaces and _ . : / = + - @ (AWS tag characters), got ${JSON.stringify(value)}`,
    ]);
  });

  it('accepts letters of any script, spaces and the allowed punctuation', () => {
    expect(problems(base({ tags: { 'Kostenstelle/Ä': 'Ünïcode 東京 _.:/=+-@', 'team name': '' } }))).toEqual([]);
  });

  it('refuses a __proto__ key instead of dropping it', () => {
    const input = JSON.parse('{"accounts":[{"id":"111111111111","name":"prod","regions":["ap-northeast-1"]}],"tags":{"__proto__":"x"}}');
    expect(problems(input)).toEqual([
      'tags.__proto__: is a name JavaScript objects reserve, so the key would be lost: choose another key, got "__proto__"',
    ]);
  });

  it('keeps a constructor key literally', () => {
    const cfg = parseConfig(
      JSON.parse('{"accounts":[{"id":"111111111111","name":"prod","regions":["ap-northeast-1"]}],"tags":{"constructor":"x"}}'),
    );
    expect(Object.entries(cfg.tags)).toEqual([['constructor', 'x']]);
  });

  it('refuses keys the baseline sets itself, in any case', () => {
    expect(problems(base({ tags: { ManagedBy: 'me', ssmbaselinestack: 'x' } }))).toEqual([
      'tags.ManagedBy: is set by the baseline on every resource (ManagedBy, SsmBaselineStack): choose another key, got "ManagedBy"',
      'tags.ssmbaselinestack: is set by the baseline on every resource (ManagedBy, SsmBaselineStack): choose another key, got "ssmbaselinestack"',
    ]);
  });

  it('refuses two keys that differ only in case (IAM treats them as one)', () => {
    expect(problems(base({ tags: { Team: 'a', team: 'b' } }))).toEqual([
      'tags.team: differs from tags.Team only in case; IAM treats tag keys case-insensitively, got "team"',
    ]);
  });

  it(`allows ${50 - 3} tags: AWS allows 50 per resource and the baseline adds up to 3`, () => {
    expect(MAX_CONFIG_TAGS).toBe(50 - BASELINE_TAG_KEYS.length);
    const many = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, 'v']));
    expect(problems(base({ tags: many(MAX_CONFIG_TAGS) }))).toEqual([]);
    expect(problems(base({ tags: many(MAX_CONFIG_TAGS + 1) }))).toEqual([
      `tags: at most ${MAX_CONFIG_TAGS} tags (AWS allows 50 per resource and the baseline adds ${BASELINE_TAG_KEYS.join(', ')}), got ${MAX_CONFIG_TAGS + 1}`,
    ]);
  });

  it('counts every tag key the baseline adds (provider default tags and resource tags)', () => {
    const cfg = testConfig({
      tags: { Team: 'ops' },
      sessionManager: {
        bastion: {
          enabled: true,
          accountId: '111111111111',
          region: 'ap-northeast-1',
          vpcId: 'vpc-0123456789abcdef0',
          subnetId: 'subnet-0123456789abcdef0',
          vpcEndpoints: {
            enabled: true,
            subnetIds: ['subnet-0123456789abcdef0'],
            routeTableIds: ['rtb-0123456789abcdef0'],
          },
        },
      },
    });
    const stack = synthStack(cfg);
    const provider = (stack.provider as Record<string, Array<Record<string, any>>>).aws[0];
    const added = new Set(Object.keys(provider.default_tags[0].tags).filter((k) => k !== 'Team'));
    for (const resources of Object.values(stack.resource as Record<string, Record<string, Record<string, any>>>)) {
      for (const r of Object.values(resources)) {
        for (const k of Object.keys(r.tags ?? {})) added.add(k);
        for (const spec of r.tag_specifications ?? []) for (const k of Object.keys(spec.tags ?? {})) added.add(k);
      }
    }
    expect([...added].sort()).toEqual([...BASELINE_TAG_KEYS].sort());
    expect(resourcesOf(stack, 'aws_instance')).not.toEqual({});
  });
});

describe('State Manager cron fields', () => {
  const schedule = (s: string) => problems(base({ agentUpdate: { schedule: s } }));
  it.each([
    ['cron(0 25 ? * SUN *)', 'the hours field "25" is out of range (0-23)'],
    ['cron(61 2 ? * SUN *)', 'the minutes field "61" is out of range (0-59)'],
    ['cron(0 2 32 * ? *)', 'the day-of-month field "32" is out of range (1-31)'],
    ['cron(0 2 1 13 ? *)', 'the month field "13" is out of range (1-12 or JAN-DEC)'],
    ['cron(0 2 ? * 8 *)', 'the day-of-week field "8" is out of range (1-7 or SUN-SAT)'],
    ['cron(0 2 * * * *)', 'needs ? in day-of-month or day-of-week (AWS refuses a value or * in both)'],
    ['cron(0 2 1 * MON *)', 'needs ? in day-of-month or day-of-week (AWS refuses a value or * in both)'],
    ['cron(0 2 ? * ? *)', 'needs a value or * in day-of-month or day-of-week, not ? in both'],
    ['cron(0 2 ? * MON *)'.replace('MON', 'FUNDAY'), 'the day-of-week field "FUNDAY" is not a day-of-week value (1-7 or SUN-SAT)'],
    ['cron(0 2 ? * SUN 2300)', 'the year field "2300" is out of range (1970-2199)'],
    ['cron(0 2 ? * 2#6 *)', 'the day-of-week field "2#6" asks for occurrence 6 of a weekday (1-5)'],
  ])('refuses %s', (expr, reason) => {
    expect(schedule(expr)).toEqual([`agentUpdate.schedule: ${reason}, got ${JSON.stringify(expr)}`]);
  });

  it.each([
    'cron(0 2 ? * SUN *)',
    'cron(0 0 ? * THU#2 *)',
    'cron(30 23 ? * TUE#3 *)',
    'cron(0 2 L * ? *)',
    'cron(0 2 15W * ? *)',
    'cron(0 2 ? JAN-MAR,OCT 6L *)',
    'cron(0 0/4 ? * MON-FRI *)',
    'cron(0 0 2 ? * SUN *)',
    'cron(0 2 1,15 */2 ? 2030-2040)',
  ])('accepts %s', (expr) => {
    expect(schedule(expr)).toEqual([]);
  });
});

describe('EventBridge Scheduler cron of patchHistory.schedule', () => {
  const schedule = (s: string) => problems(base({ patchHistory: { schedule: s } }));
  it.each([
    ['cron(a b c d e f)', 'the minutes field "a" is not a minutes value (0-59)'],
    ['cron(0 24 ? * MON *)', 'the hours field "24" is out of range (0-23)'],
    ['cron(0 8 * * * *)', 'needs ? in day-of-month or day-of-week (AWS refuses a value or * in both)'],
    ['cron(0 8 ? * MON/2 *)', 'the day-of-week field "MON/2" takes no step (/) in EventBridge Scheduler'],
    ['cron(0 8 ? * 2#1,6#3 *)', 'the day-of-week field "2#1,6#3" takes one expression with # (AWS reads a list as two)'],
    [
      'cron(0 0 8 ? * MON *)',
      'must be a recurring EventBridge Scheduler expression, rate(N minutes|hours|days) or cron(min hour day month weekday year)',
    ],
  ])('refuses %s', (expr, reason) => {
    expect(schedule(expr)).toEqual([`patchHistory.schedule: ${reason}, got ${JSON.stringify(expr)}`]);
  });

  it.each([
    'cron(0 8 ? * MON *)',
    'cron(0 8 1 * ? *)',
    'cron(15 10 LW * ? *)',
    'cron(0 8 ? * 2#1 *)',
    'cron(0 8 ? JAN,JUL MON-FRI 2026/2)',
  ])('accepts %s', (expr) => {
    expect(schedule(expr)).toEqual([]);
  });
});

describe('bucket names S3 refuses', () => {
  it.each([
    ['xn--bucket', 'must not start with "xn--" (S3 reserves it)'],
    ['sthree-state', 'must not start with "sthree-" (S3 reserves it)'],
    ['amzn-s3-demo-state', 'must not start with "amzn-s3-demo-" (S3 reserves it)'],
    ['state-s3alias', 'must not end with "-s3alias" (S3 reserves it)'],
    ['state--ol-s3', 'must not end with "--ol-s3" (S3 reserves it)'],
    ['state.mrap', 'must not end with ".mrap" (S3 reserves it)'],
    ['state--x-s3', 'must not end with "--x-s3" (S3 reserves it)'],
    ['state--table-s3', 'must not end with "--table-s3" (S3 reserves it)'],
    ['192.168.5.4', 'must not be formatted as an IP address'],
    ['my..state', 'must not contain two adjacent periods'],
  ])('refuses stateBucket %s', (name, reason) => {
    expect(problems(base({ accounts: [account({ stateBucket: name })] }))).toEqual([
      `accounts[0].stateBucket: ${reason}, got ${JSON.stringify(name)}`,
    ]);
  });

  it.each([
    ['xn--ab', 'xn--ab-tfstate-111111111111', 'xn--'],
    ['sthree', 'sthree-tfstate-111111111111', 'sthree-'],
  ])('refuses namePrefix %s through the bucket names it makes', (prefix, bucket, reserved) => {
    expect(problems(base({ namePrefix: prefix }))).toEqual([
      `namePrefix: makes bucket names S3 refuses: ${bucket} must not start with ${JSON.stringify(reserved)} (S3 reserves it), got ${JSON.stringify(prefix)}`,
    ]);
  });

  it('accepts a prefix that only resembles a reserved one', () => {
    expect(problems(base({ namePrefix: 'xn-a' }))).toEqual([]);
    expect(problems(base({ namePrefix: 'sthreex' }))).toEqual([]);
  });
});

describe('opt-in regions', () => {
  it('accepts them and notes that the account must enable them', () => {
    const cfg = parseConfig(base({ accounts: [account({ regions: ['ap-northeast-1', 'me-central-1', 'af-south-1'] })] }));
    expect(configNotes(cfg)).toEqual([
      'accounts[0].regions[1]: me-central-1 is an opt-in region: enable it in account 111111111111 (prod) before deploying, or plan and apply fail',
      'accounts[0].regions[2]: af-south-1 is an opt-in region: enable it in account 111111111111 (prod) before deploying, or plan and apply fail',
    ]);
  });

  it('says nothing for regions enabled by default', () => {
    expect(configNotes(parseConfig(base()))).toEqual([]);
  });

  it('lists the opt-in regions AWS lists', () => {
    expect([...OPT_IN_REGIONS].sort()).toEqual(
      [
        'af-south-1',
        'ap-east-1',
        'ap-east-2',
        'ap-south-2',
        'ap-southeast-3',
        'ap-southeast-4',
        'ap-southeast-5',
        'ap-southeast-7',
        'ca-west-1',
        'eu-central-2',
        'eu-south-1',
        'eu-south-2',
        'il-central-1',
        'me-central-1',
        'me-south-1',
        'mx-central-1',
      ].sort(),
    );
  });
});

describe('echoed values are cut to a readable length', () => {
  it('shows at most 80 characters, an ellipsis and the length', () => {
    expect(shown('short')).toBe('"short"');
    const long = 'x'.repeat(1000);
    expect(shown(long)).toBe(`"${'x'.repeat(78)}… (1002 characters)`);
  });

  it('a huge bad value never reaches the message whole', () => {
    const huge = 'A'.repeat(5_000_000);
    const lines = problems(base({ namePrefix: huge, accounts: [account({ name: huge, stateBucket: huge })], tags: { Team: `${huge}\n` } }));
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line.length).toBeLessThan(400);
  });
});

describe('the config file', () => {
  it('may start with a UTF-8 byte order mark', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ssmb-bom-'));
    const file = join(dir, 'config.json');
    writeFileSync(file, `\uFEFF${JSON.stringify(exampleInput())}`, 'utf8');
    expect(loadConfig(file).accounts).toHaveLength(2);
  });
});

describe('the JSON Schema refuses what the validator refuses, where a JSON Schema can', () => {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  const validate = ajv.compile(configJsonSchema());
  const cases: Array<[string, Record<string, unknown>]> = [
    ['aws: tag key', base({ tags: { 'aws:team': 'x' } })],
    ['AWS: tag key', base({ tags: { 'AWS:team': 'x' } })],
    ['tag value with a newline', base({ tags: { Team: 'a\nb' } })],
    ['tag key with #', base({ tags: { 'a#b': 'x' } })],
    [
      '__proto__ tag key',
      JSON.parse('{"accounts":[{"id":"111111111111","name":"prod","regions":["ap-northeast-1"]}],"tags":{"__proto__":"x"}}'),
    ],
    ['48 tags', base({ tags: Object.fromEntries(Array.from({ length: 48 }, (_, i) => [`k${i}`, 'v'])) })],
    ['stateBucket xn--', base({ accounts: [account({ stateBucket: 'xn--state' })] })],
    ['stateBucket -s3alias', base({ accounts: [account({ stateBucket: 'state-s3alias' })] })],
    ['stateBucket IP', base({ accounts: [account({ stateBucket: '10.0.0.1' })] })],
    ['stateBucket ..', base({ accounts: [account({ stateBucket: 'a..b' })] })],
    ['namePrefix sthree', base({ namePrefix: 'sthree' })],
    ['namePrefix xn--', base({ namePrefix: 'xn--a' })],
    ['association at()', base({ agentUpdate: { schedule: 'at(2030-01-01T00:00:00)' } })],
    ['association word', base({ inventory: { schedule: 'weekly' } })],
    ['scheduler cron with 5 fields', base({ patchHistory: { schedule: 'cron(0 8 * * ?)' } })],
    ['unknown region', base({ accounts: [account({ regions: ['ap-northeast-9'] })] })],
    ['retention not allowed', base({ logRetentionDays: 2 })],
    ['maxConcurrency 0', base({ agentUpdate: { maxConcurrency: '0' } })],
  ];

  it.each(cases)('%s: both refuse', (_name, input) => {
    expect(problems(input)).not.toEqual([]);
    expect(validate(input)).toBe(false);
  });

  it('both accept the example', () => {
    expect(problems(exampleInput())).toEqual([]);
    expect(validate(exampleInput())).toBe(true);
  });
});
