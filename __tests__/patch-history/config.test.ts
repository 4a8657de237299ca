import { ConfigError } from '../../stacks/platform/config/load';
import { DEFAULT_CLASSIFICATIONS, effectiveScanTargets } from '../../stacks/capabilities/patch-history/config';
import { testConfig } from '../helpers/synth';

/** The `field.path: reason` lines a patchHistory section produces. */
function problems(patchHistory: unknown): string[] {
  try {
    testConfig({ patchHistory } as never);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('patchHistory config', () => {
  test('defaults', () => {
    const cfg = testConfig().patchHistory;
    expect(cfg).toEqual({
      enabled: true,
      skipScanAssociation: false,
      scanSchedule: 'rate(1 day)',
      scanMaxConcurrency: '10%',
      scanMaxErrors: '10%',
      tagKey: 'CheckPatch',
      classifications: [...DEFAULT_CLASSIFICATIONS],
      schedule: 'rate(7 days)',
      scheduleTimezone: 'UTC',
      flexibleWindowMinutes: 0,
      maxConcurrency: 2,
      s3Prefix: 'patch-history',
      retentionDays: 730,
      queryResultRetentionDays: 30,
      logLevel: 'ERROR',
    });
    expect(effectiveScanTargets(cfg)).toEqual({ tagKey: 'CheckPatch' });
  });

  test('scan targets default to the snapshot tag (and value), or are what is configured', () => {
    expect(effectiveScanTargets(testConfig({ patchHistory: { tagKey: 'Patch', tagValue: 'yes' } }).patchHistory)).toEqual({
      tagKey: 'Patch',
      tagValues: ['yes'],
    });
    expect(effectiveScanTargets(testConfig({ patchHistory: { scanTargets: {} } }).patchHistory)).toEqual({});
  });

  test.each([
    ['schedule', { schedule: 'at(2025-01-01T00:00:00)' }, 'patchHistory.schedule: must be a recurring EventBridge Scheduler expression'],
    ['schedule', { schedule: 'rate(7 day)' }, 'patchHistory.schedule: uses the wrong plural'],
    ['schedule', { schedule: 'rate(1 days)' }, 'patchHistory.schedule: uses the wrong plural'],
    ['schedule', { schedule: 'rate(5 minutes)' }, 'patchHistory.schedule: snapshots more often than hourly'],
    ['schedule', { schedule: 'cron(0 3 * * ?)' }, 'patchHistory.schedule: must be a recurring'],
    [
      'scanSchedule',
      { scanSchedule: 'rate(10 minutes)' },
      'patchHistory.scanSchedule: runs every 10 minutes; State Manager runs an association at most every 30 minutes',
    ],
    [
      'scanSchedule',
      { scanSchedule: 'rate(60 days)' },
      'patchHistory.scanSchedule: must be less than 31 days apart (State Manager limit), got "rate(60 days)"',
    ],
    [
      'scanSchedule',
      { scanSchedule: 'at(2025-01-01T00:00:00)' },
      'patchHistory.scanSchedule: State Manager associations take rate(...) or cron(...)',
    ],
    ['scheduleTimezone', { scheduleTimezone: 'Mars/Olympus' }, 'patchHistory.scheduleTimezone: must be an IANA time zone'],
    ['flexibleWindowMinutes', { flexibleWindowMinutes: 1441 }, 'patchHistory.flexibleWindowMinutes: must be 0 (off) to 1440 minutes'],
    ['maxConcurrency', { maxConcurrency: 0 }, 'patchHistory.maxConcurrency: must be 1 to 40'],
    ['maxConcurrency', { maxConcurrency: 41 }, 'patchHistory.maxConcurrency: must be 1 to 40 (nodes of one listing page read at once)'],
    ['patchStates', { patchStates: ['MISSING'] }, 'patchHistory.patchStates[0]: must be a patch state (Installed, InstalledOther,'],
    ['patchStates', { patchStates: [] }, 'patchHistory.patchStates: must list at least one patch state'],
    [
      'patchStates',
      { patchStates: ['Missing', 'Failed', 'Missing'] },
      'patchHistory.patchStates[2]: duplicate patch state "Missing" (also at patchStates[0])',
    ],
    ['maxConcurrency', { maxConcurrency: 1.5 }, 'patchHistory.maxConcurrency: must be a whole number'],
    ['classifications', { classifications: [] }, 'patchHistory.classifications: must list at least one classification'],
    ['classifications', { classifications: ["Security'"] }, 'patchHistory.classifications[0]: must be a patch classification'],
    [
      'classifications',
      { classifications: ['Security', 'Security'] },
      'patchHistory.classifications[1]: duplicate classification "Security" (also at classifications[0])',
    ],
    ['tagValue', { tagValue: '' }, 'patchHistory.tagValue: must not be empty'],
    ['tagKey', { tagKey: '' }, 'patchHistory.tagKey:'],
    ['s3Prefix', { s3Prefix: '/patch-history' }, 'patchHistory.s3Prefix: must be an S3 key prefix'],
    ['s3Prefix', { s3Prefix: 'patch-history/' }, 'patchHistory.s3Prefix: must be an S3 key prefix'],
    ['s3Prefix', { s3Prefix: 'a//b' }, 'patchHistory.s3Prefix: must be an S3 key prefix'],
    ['s3Prefix', { s3Prefix: 'data/_runs' }, 'patchHistory.s3Prefix: must be an S3 key prefix'],
    ['s3Prefix', { s3Prefix: "it's" }, 'patchHistory.s3Prefix: must be an S3 key prefix'],
    ['retentionDays', { retentionDays: 0 }, 'patchHistory.retentionDays: must be at least 1 day'],
    ['queryResultRetentionDays', { queryResultRetentionDays: 4000 }, 'patchHistory.queryResultRetentionDays: must be at most 3650 days'],
    ['logLevel', { logLevel: 'OFF' }, 'patchHistory.logLevel:'],
    [
      'scanTargets',
      { skipScanAssociation: true, scanTargets: { tagKey: 'x' } },
      'patchHistory.scanTargets: has no effect with skipScanAssociation: true',
    ],
    ['scanTargets', { scanTargets: { tagValues: ['a'] } }, 'patchHistory.scanTargets.tagValues: tagValues needs tagKey'],
    ['unknown field', { tagkey: 'x' }, 'patchHistory.tagkey: unknown field'],
  ])('%s: bad input fails with field path and reason', (_field, section, message) => {
    expect(problems(section)).toEqual([expect.stringContaining(message)]);
  });

  test('every problem is reported at once', () => {
    expect(problems({ maxConcurrency: 0, s3Prefix: '/x', schedule: 'daily' })).toHaveLength(3);
  });

  test.each([['rate(1 day)'], ['rate(12 hours)'], ['rate(1 hour)'], ['cron(0 3 ? * SUN *)'], ['rate(90 minutes)']])(
    'schedule %s is accepted',
    (schedule) => {
      expect(testConfig({ patchHistory: { schedule } }).patchHistory.schedule).toBe(schedule);
    },
  );
});
