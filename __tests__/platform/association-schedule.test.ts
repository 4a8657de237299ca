import { ConfigError } from '../../stacks/platform/config/load';
import { ASSOCIATION_MAX_RATE_MINUTES, associationSchedule, associationScheduleProblem } from '../../stacks/platform/config/common';
import { testConfig } from '../helpers/synth';

/**
 * The one State Manager schedule rule set that agentUpdate.schedule,
 * inventory.schedule and patchHistory.scanSchedule share: rate() from 30 minutes up
 * to, not including, 31 days ("Reference: Cron and rate expressions for Systems
 * Manager"), cron() no more often than every 30 minutes, no at().
 */
const FIELDS: Array<[string, (schedule: string) => Record<string, unknown>]> = [
  ['agentUpdate.schedule', (schedule) => ({ agentUpdate: { schedule } })],
  ['inventory.schedule', (schedule) => ({ inventory: { schedule } })],
  ['patchHistory.scanSchedule', (schedule) => ({ patchHistory: { scanSchedule: schedule } })],
];

function problems(section: Record<string, unknown>): string[] {
  try {
    testConfig(section as never);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('State Manager association schedules: one rule set for every association', () => {
  const rejected: Array<[string, string]> = [
    [
      'rate(29 minutes)',
      'runs every 29 minutes; State Manager runs an association at most every 30 minutes (use rate(30 minutes) or slower), got "rate(29 minutes)"',
    ],
    ['rate(31 days)', 'must be less than 31 days apart (State Manager limit), got "rate(31 days)"'],
    ['rate(60 days)', 'must be less than 31 days apart (State Manager limit), got "rate(60 days)"'],
    ['rate(744 hours)', 'must be less than 31 days apart (State Manager limit), got "rate(744 hours)"'],
    ['rate(44640 minutes)', 'must be less than 31 days apart (State Manager limit), got "rate(44640 minutes)"'],
    ['rate(0 days)', 'must be a positive rate, got "rate(0 days)"'],
    ['rate(2 day)', 'must use a singular unit for 1 and a plural one otherwise (e.g. rate(1 hour), rate(2 hours)), got "rate(2 day)"'],
    [
      'cron(0/20 * * * ? *)',
      'runs every 20 minutes; State Manager runs an association at most every 30 minutes, got "cron(0/20 * * * ? *)"',
    ],
    [
      'cron(0 3 * * ?)',
      'must have 6 fields (minutes hours day-of-month month day-of-week year), optionally preceded by seconds = 0, got "cron(0 3 * * ?)"',
    ],
    ['cron(x 3 ? * SUN *)', 'the minutes field "x" is not a minutes value (0-59), got "cron(x 3 ? * SUN *)"'],
    ['cron(0 25 ? * SUN *)', 'the hours field "25" is out of range (0-23), got "cron(0 25 ? * SUN *)"'],
    ['cron(0 3 * * * *)', 'needs ? in day-of-month or day-of-week (AWS refuses a value or * in both), got "cron(0 3 * * * *)"'],
    ['at(2030-01-01T00:00:00)', 'State Manager associations take rate(...) or cron(...), not at(...), got "at(2030-01-01T00:00:00)"'],
    ['weekly', 'must be rate(N minutes|hours|days) or cron(...), got "weekly"'],
  ];

  describe.each(FIELDS)('%s', (field, section) => {
    it.each(rejected)('rejects %s with the reason', (schedule, reason) => {
      expect(problems(section(schedule))).toEqual([`${field}: ${reason}`]);
    });

    it.each([
      'rate(30 minutes)',
      'rate(1 hour)',
      'rate(30 days)',
      'rate(743 hours)',
      'rate(44639 minutes)',
      'cron(0 3 ? * SUN *)',
      'cron(0 0/12 * * ? *)',
    ])('accepts %s', (schedule) => {
      expect(problems(section(schedule))).toEqual([]);
    });
  });

  it('puts the upper bound at 31 days, exclusive', () => {
    expect(ASSOCIATION_MAX_RATE_MINUTES).toBe(31 * 24 * 60);
  });

  it('takes a stricter minimum interval, for rate() and cron() alike', () => {
    expect(associationScheduleProblem('rate(45 minutes)', 60)).toBe(
      'runs every 45 minutes; this association runs at most every 60 minutes (use rate(60 minutes) or slower), got "rate(45 minutes)"',
    );
    expect(associationScheduleProblem('cron(0/30 * * * ? *)', 60)).toBe(
      'runs every 30 minutes; this association runs at most every 60 minutes, got "cron(0/30 * * * ? *)"',
    );
    expect(associationScheduleProblem('rate(1 hour)', 60)).toBeUndefined();
    expect(associationScheduleProblem('cron(15 * * * ? *)', 60)).toBeUndefined();
    expect(associationScheduleProblem('rate(31 days)', 60)).toBe(
      'must be less than 31 days apart (State Manager limit), got "rate(31 days)"',
    );
    expect(associationSchedule(45).safeParse('rate(44 minutes)').success).toBe(false);
    expect(associationSchedule(45).safeParse('rate(45 minutes)').success).toBe(true);
  });

  it('refuses a minimum State Manager would not honour, or one a cron() check could not enforce', () => {
    expect(() => associationSchedule(10)).toThrow('minIntervalMinutes must be a whole number from 30 to 60, got 10');
    expect(() => associationSchedule(120)).toThrow('minIntervalMinutes must be a whole number from 30 to 60, got 120');
  });
});
