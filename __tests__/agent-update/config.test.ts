import { ConfigError } from '../../stacks/platform/config/load';
import { BaselineConfigInput } from '../../stacks/platform/config/schema';
import { testConfig } from '../helpers/synth';

const agentUpdate = (section: Record<string, unknown>) => ({ agentUpdate: section }) as Partial<BaselineConfigInput>;

/** The `path: reason` lines of the ConfigError the section raises. */
function problems(section: Record<string, unknown>): string[] {
  try {
    testConfig(agentUpdate(section));
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error(`expected ${JSON.stringify(section)} to be rejected`);
}

describe('agentUpdate config: defaults', () => {
  it('match the console one-click setup, staggered, mailing Success and Failed per instance and a digest per run', () => {
    expect(testConfig().agentUpdate).toEqual({
      enabled: true,
      targets: {},
      schedule: 'rate(14 days)',
      allowDowngrade: false,
      maxConcurrency: '10%',
      maxErrors: '10%',
      complianceSeverity: 'UNSPECIFIED',
      applyOnlyAtCronInterval: false,
      notify: 'both',
      notifyStatuses: ['Success', 'Failed'],
      outputRetentionDays: 400,
      defaultHostManagement: false,
    });
  });

  it.each(['perInstance', 'digest', 'both'])('notify %s is accepted', (notify) => {
    expect(testConfig(agentUpdate({ notify })).agentUpdate.notify).toBe(notify);
  });

  it('accepts a full custom section', () => {
    const cfg = testConfig(
      agentUpdate({
        targets: { tagKey: 'Patch Group', tagValues: ['web', 'db'] },
        schedule: 'cron(0 3 ? * SUN *)',
        applyOnlyAtCronInterval: true,
        version: '3.3.2299.0',
        allowDowngrade: true,
        maxConcurrency: '5',
        maxErrors: '1',
        complianceSeverity: 'HIGH',
        notifyStatuses: ['Failed'],
        outputRetentionDays: 30,
        defaultHostManagement: true,
      }),
    ).agentUpdate;
    expect(cfg).toMatchObject({
      schedule: 'cron(0 3 ? * SUN *)',
      version: '3.3.2299.0',
      notifyStatuses: ['Failed'],
      defaultHostManagement: true,
    });
  });
});

describe('agentUpdate config: bad input fails with path: reason', () => {
  it.each<[string, Record<string, unknown>, RegExp]>([
    [
      'at() schedule',
      { schedule: 'at(2025-01-01T00:00:00)' },
      /^agentUpdate\.schedule: State Manager associations take rate\(\.\.\.\) or cron\(\.\.\.\), not at/,
    ],
    [
      'too frequent',
      { schedule: 'rate(5 minutes)' },
      /^agentUpdate\.schedule: runs every 5 minutes; State Manager runs an association at most every 30 minutes \(use rate\(30 minutes\) or slower\), got "rate\(5 minutes\)"$/,
    ],
    [
      'too rare',
      { schedule: 'rate(60 days)' },
      /^agentUpdate\.schedule: must be less than 31 days apart \(State Manager limit\), got "rate\(60 days\)"$/,
    ],
    [
      'not a schedule',
      { schedule: 'every 2 weeks' },
      /^agentUpdate\.schedule: must be rate\(N minutes\|hours\|days\) or cron\(\.\.\.\), got "every 2 weeks"$/,
    ],
    [
      'cron-only option with rate',
      { applyOnlyAtCronInterval: true },
      /^agentUpdate\.applyOnlyAtCronInterval: needs a cron\(\.\.\.\) schedule .* got schedule "rate\(14 days\)"/,
    ],
    ['bad version', { version: 'latest' }, /^agentUpdate\.version: must be an SSM Agent version like 3\.3\.2299\.0, got "latest"/],
    ['downgrade without version', { allowDowngrade: true }, /^agentUpdate\.allowDowngrade: needs version/],
    ['bad concurrency', { maxConcurrency: '150%' }, /^agentUpdate\.maxConcurrency: must be .* got "150%"/],
    ['bad severity', { complianceSeverity: 'SEVERE' }, /^agentUpdate\.complianceSeverity: /],
    ['no statuses', { notifyStatuses: [] }, /^agentUpdate\.notifyStatuses: must list at least one status/],
    ['unknown status', { notifyStatuses: ['Succeeded'] }, /^agentUpdate\.notifyStatuses\[0\]: /],
    ['unknown notify mode', { notify: 'daily' }, /^agentUpdate\.notify: must be one of "both", "perInstance", "digest", got "daily"$/],
    ['duplicate status', { notifyStatuses: ['Failed', 'Failed'] }, /^agentUpdate\.notifyStatuses: lists "Failed" twice/],
    ['zero retention', { outputRetentionDays: 0 }, /^agentUpdate\.outputRetentionDays: must be at least 1 day, got 0/],
    ['fractional retention', { outputRetentionDays: 1.5 }, /^agentUpdate\.outputRetentionDays: /],
    ['tag values without key', { targets: { tagValues: ['web'] } }, /^agentUpdate\.targets\.tagValues: tagValues needs tagKey/],
    ['unknown field', { maxConcurency: '10%' }, /^agentUpdate\.maxConcurency: unknown field/],
  ])('%s', (_name, section, message) => {
    expect(problems(section)).toEqual(expect.arrayContaining([expect.stringMatching(message)]));
  });

  it('reports every problem at once', () => {
    expect(problems({ schedule: 'rate(1 minute)', version: 'x', outputRetentionDays: 0 })).toHaveLength(3);
  });
});

// The provider's validation (terraform-provider-aws internal/service/ssm/association.go) and
// SSM's API reference (CreateAssociation: MaxConcurrency / MaxErrors, length 1-7):
//   MaxConcurrency ^([1-9][0-9]*|[1-9][0-9]%|[1-9]%|100%)$
//   MaxErrors      ^([1-9][0-9]*|[0]|[1-9][0-9]%|[0-9]%|100%)$
describe('rate controls accept exactly what the provider and SSM accept', () => {
  const accepted = (section: Record<string, unknown>) => testConfig(agentUpdate(section)).agentUpdate;
  const rejected = (field: string, value: string) =>
    expect(problems({ [field]: value })).toEqual([
      expect.stringMatching(new RegExp(`^agentUpdate\\.${field}: .*got ${JSON.stringify(value)}`)),
    ]);

  it.each(['1', '10', '9999999', '1%', '9%', '10%', '99%', '100%'])('maxConcurrency %s', (v) => {
    expect(accepted({ maxConcurrency: v }).maxConcurrency).toBe(v);
  });
  it.each(['0', '0%', '00', '01', '05%', '101%', '150%', '10000000', '', '-1', '1.5', ' 1', '10 %'])(
    'maxConcurrency %j is refused',
    (v) => {
      rejected('maxConcurrency', v);
    },
  );
  it.each(['0', '0%', '1', '9999999', '1%', '9%', '10%', '99%', '100%'])('maxErrors %s', (v) => {
    expect(accepted({ maxErrors: v }).maxErrors).toBe(v);
  });
  it.each(['00', '01', '00%', '05%', '101%', '10000000', '', '-1', '1.5'])('maxErrors %j is refused', (v) => {
    rejected('maxErrors', v);
  });

  it('patch-history scan rate controls use the same rules, by field', () => {
    const ph = (section: Record<string, unknown>) => {
      try {
        return testConfig({ patchHistory: section } as Partial<BaselineConfigInput>).patchHistory;
      } catch (err) {
        if (err instanceof ConfigError) return err.problems;
        throw err;
      }
    };
    expect(ph({ scanMaxErrors: '0%', scanMaxConcurrency: '1' })).toMatchObject({ scanMaxErrors: '0%', scanMaxConcurrency: '1' });
    expect(ph({ scanMaxConcurrency: '0' })).toEqual([expect.stringMatching(/^patchHistory\.scanMaxConcurrency: .*got "0"$/)]);
    expect(ph({ scanMaxErrors: '101%' })).toEqual([expect.stringMatching(/^patchHistory\.scanMaxErrors: .*got "101%"$/)]);
  });
});
