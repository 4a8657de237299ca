import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EventPattern, matchesPattern, rulePattern } from '../helpers/event-pattern';
import { synthStack, testConfig } from '../helpers/synth';

const fixture = (name: string) => JSON.parse(readFileSync(join(__dirname, 'fixtures', `${name}.json`), 'utf8'));
const loginRule = (failedAttempts: boolean): EventPattern =>
  rulePattern(synthStack(testConfig({ sessionManager: { loginAlerts: { failedAttempts } } })), (r) => r.name === 'ssmb-session-login');

describe('session manager: which CloudTrail events are logins', () => {
  let withFailures: EventPattern;
  let successesOnly: EventPattern;
  beforeAll(() => {
    withFailures = loginRule(true);
    successesOnly = loginRule(false);
  });

  it.each(['start-session', 'resume-session', 'start-session-failed', 'start-session-iam-user'])('%s is a login (default)', (name) => {
    expect(matchesPattern(withFailures, fixture(name))).toBe(true);
  });

  it.each(['terminate-session', 'describe-sessions'])('%s is not a login', (name) => {
    expect(matchesPattern(withFailures, fixture(name))).toBe(false);
    expect(matchesPattern(successesOnly, fixture(name))).toBe(false);
  });

  it('leaves failed attempts out with failedAttempts: false, and keeps the successful ones', () => {
    expect(matchesPattern(successesOnly, fixture('start-session-failed'))).toBe(false);
    expect(matchesPattern(successesOnly, fixture('start-session'))).toBe(true);
    expect(matchesPattern(successesOnly, fixture('resume-session'))).toBe(true);
  });

  it('ignores StartSession of other services and events that are not CloudTrail records', () => {
    const start = fixture('start-session');
    expect(
      matchesPattern(withFailures, { ...start, source: 'aws.ecs', detail: { ...start.detail, eventSource: 'ecs.amazonaws.com' } }),
    ).toBe(false);
    expect(matchesPattern(withFailures, { ...start, 'detail-type': 'Session Manager Session State Change' })).toBe(false);
  });
});
