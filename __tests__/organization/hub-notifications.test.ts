import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig } from '../../stacks/platform/config/load';
import { ROOT, StackJson, policyStatements, readStacks, resourcesOf, synthToDir } from '../helpers/synth';
import { matchesPattern } from '../helpers/event-pattern';
import sample from './fixtures/alarm-state-change.json';

const BUS = 'arn:aws:events:eu-west-1:333333333333:event-bus/ssmb-hub';
const config = parseConfig(JSON.parse(readFileSync(join(ROOT, 'config', 'example-organization.json'), 'utf8')), 'example');

/** The recorded AWS sample, as CloudWatch sends it for one of the baseline's alarms. */
function alarmEvent(alarmName: string, account: string, region: string) {
  return {
    ...sample,
    account,
    region,
    resources: [`arn:aws:cloudwatch:${region}:${account}:alarm:${alarmName}`],
    detail: { ...sample.detail, alarmName },
  };
}

const topicOf = (ref: string) => /^\$\{aws_sns_topic\.([^.]+)\.arn\}$/.exec(ref)?.[1];
const subscribers = (s: StackJson, topicId: string) =>
  Object.values(resourcesOf(s, 'aws_sns_topic_subscription')).filter((x) => x.topic_arn === `\${aws_sns_topic.${topicId}.arn}`);
/** Each rule of a stack with its pattern and its targets. */
const rules = (s: StackJson) =>
  Object.entries(resourcesOf(s, 'aws_cloudwatch_event_rule')).map(([id, r]) => ({
    id,
    bus: r.event_bus_name as string | undefined,
    pattern: JSON.parse(r.event_pattern),
    targets: Object.values(resourcesOf(s, 'aws_cloudwatch_event_target')).filter(
      (t) => t.rule === `\${aws_cloudwatch_event_rule.${id}.name}`,
    ),
  }));

/** `<name>` placeholders of an input template filled from the event by the input paths (`$.a.b`). */
function render(transformer: { input_paths: Record<string, string>; input_template: string }, event: unknown): string {
  const at = (path: string) =>
    path
      .replace(/^\$\./, '')
      .split('.')
      .reduce<any>((o, k) => o?.[k], event);
  return transformer.input_template.replace(/<([A-Za-z]+)>/g, (_, name: string) => String(at(transformer.input_paths[name])));
}

describe('hub: nothing a spoke sends is lost', () => {
  let stacks: Record<string, StackJson>;
  beforeAll(() => {
    stacks = readStacks(synthToDir(config));
  });
  const spokes = () => config.accounts.flatMap((a) => a.regions.map((region) => ({ name: `${a.name}-${region}`, account: a.id, region })));

  it("brings every spoke alarm to the hub's subscribers: its topic has some, or its state change is forwarded and mailed by the hub", () => {
    const hub = stacks['security-hub'];
    const unreached: string[] = [];
    let checked = 0;
    for (const spoke of spokes()) {
      const s = stacks[spoke.name];
      for (const alarm of Object.values(resourcesOf(s, 'aws_cloudwatch_metric_alarm'))) {
        checked++;
        const subscribed = (alarm.alarm_actions as string[]).some((a) => {
          const topic = topicOf(a);
          return topic !== undefined && subscribers(s, topic).length > 0;
        });
        if (subscribed) continue;
        const event = alarmEvent(alarm.alarm_name, spoke.account, spoke.region);
        const forwarded = rules(s).some(
          (r) => r.bus === undefined && matchesPattern(r.pattern, event) && r.targets.some((t) => t.arn === BUS),
        );
        // EventBridge puts the event on the hub bus unchanged.
        const mailed = rules(hub).some(
          (r) =>
            r.bus !== undefined &&
            matchesPattern(r.pattern, event) &&
            r.targets.some((t) => {
              const topic = topicOf(t.arn);
              return topic !== undefined && subscribers(hub, topic).length > 0;
            }),
        );
        if (!forwarded || !mailed) unreached.push(`${spoke.name} ${alarm.alarm_name} (forwarded ${forwarded}, mailed ${mailed})`);
      }
    }
    expect(checked).toBeGreaterThanOrEqual(spokes().length);
    expect(unreached).toEqual([]);
  });

  it("mails each of the hub's own alarms once: its action mails it, no spoke rule forwards it back", () => {
    const hub = stacks['security-hub'];
    const hubAccount = config.hub!.account;
    const hubRegion = config.hub!.region;
    const counts: Record<string, number> = {};
    for (const alarm of Object.values(resourcesOf(hub, 'aws_cloudwatch_metric_alarm'))) {
      // CloudWatch sends the state change to the default bus of the alarm's account-region,
      // where the hub account's own baseline stack (security-eu-west-1 here) has its rules.
      const event = alarmEvent(alarm.alarm_name, hubAccount, hubRegion);
      const byAction = (alarm.alarm_actions as string[]).filter((a) => {
        const topic = topicOf(a);
        return topic !== undefined && subscribers(hub, topic).length > 0;
      }).length;
      const local = spokes().find((s) => s.account === hubAccount && s.region === hubRegion);
      const forwarded = local
        ? rules(stacks[local.name]).filter(
            (r) => r.bus === undefined && matchesPattern(r.pattern, event) && r.targets.some((t) => t.arn === BUS),
          ).length
        : 0;
      const mailedFromBus = rules(hub).filter((r) => r.bus !== undefined && matchesPattern(r.pattern, event)).length;
      counts[alarm.alarm_name] = byAction + (forwarded > 0 ? mailedFromBus : 0);
    }
    expect(Object.keys(counts).length).toBeGreaterThan(0);
    expect(counts).toEqual(Object.fromEntries(Object.keys(counts).map((name) => [name, 1])));
  });

  it('mails a forwarded alarm as readable text naming the alarm, its account-region and what to do', () => {
    const hub = stacks['security-hub'];
    const event = alarmEvent('ssmb-dead-letters-not-empty', '111111111111', 'us-east-1');
    event.detail = {
      ...event.detail,
      configuration: {
        ...event.detail.configuration,
        description: 'Undeliverable notifications are waiting in ssmb-dead-letters; inspect and redrive them.',
      },
    };
    const rule = rules(hub).find((r) => r.bus !== undefined && matchesPattern(r.pattern, event))!;
    const text = JSON.parse(render(rule.targets[0].input_transformer, event)) as string;
    expect(text).toContain('ssmb-dead-letters-not-empty');
    expect(text).toContain('account 111111111111, region us-east-1');
    expect(text).toContain('inspect and redrive them');
    expect(text).toContain('Threshold Crossed');
    // An alarm returning to OK is not mailed, as alarm actions never mailed it.
    const ok = { ...event, detail: { ...event.detail, state: { ...event.detail.state, value: 'OK' } } };
    expect(rules(hub).filter((r) => matchesPattern(r.pattern, ok))).toEqual([]);
  });

  it('leaves no spoke Lambda publishing to a topic without subscribers', () => {
    const silent: string[] = [];
    for (const spoke of spokes()) {
      const s = stacks[spoke.name];
      const roles = new Set(
        Object.values(resourcesOf(s, 'aws_lambda_function')).map((f) => /^\$\{aws_iam_role\.([^.]+)\.arn\}$/.exec(f.role)![1]),
      );
      for (const policy of Object.values(resourcesOf(s, 'aws_iam_role_policy'))) {
        const role = /^\$\{aws_iam_role\.([^.]+)\.id\}$/.exec(policy.role)?.[1];
        if (!role || !roles.has(role)) continue;
        for (const st of policyStatements(s, policy.policy)) {
          if (!(st.actions as string[]).includes('sns:Publish')) continue;
          for (const r of st.resources as string[]) {
            const topic = topicOf(r);
            if (!topic || subscribers(s, topic).length === 0) silent.push(`${spoke.name} ${role} -> ${r}`);
          }
        }
      }
    }
    expect(silent).toEqual([]);
  });
});
