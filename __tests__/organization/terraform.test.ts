import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig } from '../../stacks/platform/config/load';
import { StackResult, checkStack, listStacks, terraformEnv } from '../../scripts/terraform-harness';
import { ROOT, synthToDir } from '../helpers/synth';

// The example organization, synthesized once: the hub and two spokes (each its account's
// first region, so each holds its account's read role) validated and planned offline.
const STACKS = ['security-hub', 'prod-eu-west-1', 'staging-eu-west-1'];

describe('organization: terraform validate + offline plan of the hub and two spokes', () => {
  const results: Record<string, StackResult> = {};
  beforeAll(async () => {
    const config = parseConfig(JSON.parse(readFileSync(join(ROOT, 'config', 'example-organization.json'), 'utf8')), 'example');
    const stacks = listStacks(synthToDir(config));
    const env = await terraformEnv(join(ROOT, '.tmp'));
    for (const name of STACKS)
      results[name] = await checkStack(
        stacks.find((s) => s.name === name)!,
        env,
        { plan: true },
      );
  }, 600_000);

  const after = (name: string, type: string) => {
    const plan = JSON.parse(readFileSync(results[name].planJson!, 'utf8'));
    return (plan.resource_changes as Array<{ type: string; change: { actions: string[]; after: Record<string, any> } }>)
      .filter((c) => c.type === type)
      .map((c) => c.change.after);
  };

  it.each(STACKS)('%s validates and plans', (name) => {
    const r = results[name];
    if (!r.ok) throw new Error(`terraform ${r.step} failed:\n${r.output}`);
  });

  it('plans the hub bus with its policy, and the notifier rules on that bus', () => {
    expect(after('security-hub', 'aws_cloudwatch_event_bus').map((b) => b.name)).toEqual(['ssmb-hub']);
    const policy = JSON.parse(after('security-hub', 'aws_cloudwatch_event_bus_policy')[0].policy);
    expect(policy.Statement[0].Condition).toEqual({ StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } });
    const rules = after('security-hub', 'aws_cloudwatch_event_rule');
    expect(rules.map((r) => r.name).sort()).toEqual([
      'ssmb-hub-agent-update-result',
      'ssmb-hub-alarms',
      'ssmb-hub-ami-alerts-createImage',
      'ssmb-hub-ami-alerts-createTags',
      'ssmb-hub-ami-alerts-importImage',
      'ssmb-hub-ami-alerts-stateChange',
      'ssmb-hub-session-login',
    ]);
    for (const r of rules) expect(r.event_bus_name).toBe('ssmb-hub');
  });

  it('plans the spokes forwarding to the hub bus, and the read role in the first region only', () => {
    for (const name of ['prod-eu-west-1', 'staging-eu-west-1']) {
      const targets = after(name, 'aws_cloudwatch_event_target');
      expect(targets.length).toBeGreaterThan(3);
      for (const t of targets) expect(t.arn).toBe('arn:aws:events:eu-west-1:333333333333:event-bus/ssmb-hub');
      expect(after(name, 'aws_iam_role').map((r) => r.name)).toContain('ssmb-hub-read');
      expect(after(name, 'aws_sns_topic_subscription')).toEqual([]);
    }
  });

  it('plans the archive, its queries and the aggregator in the hub, and each spoke syncing inventory to it', () => {
    expect(after('security-hub', 'aws_s3_bucket').map((b) => b.bucket)).toEqual(
      expect.arrayContaining(['ssmb-333333333333-eu-west-1-archive', 'ssmb-333333333333-eu-west-1-archive-queries']),
    );
    expect(after('security-hub', 'aws_glue_catalog_database').map((d) => d.name)).toEqual(['ssmb_fleet_archive']);
    expect(after('security-hub', 'aws_athena_workgroup').map((w) => w.name)).toEqual(['ssmb-fleet-archive']);
    expect(after('security-hub', 'aws_config_configuration_aggregator').map((a) => a.name)).toEqual(['ssmb-fleet']);
    for (const name of ['prod-eu-west-1', 'staging-eu-west-1']) {
      const [sync] = after(name, 'aws_ssm_resource_data_sync');
      expect(sync.s3_destination).toEqual([
        expect.objectContaining({
          bucket_name: 'ssmb-333333333333-eu-west-1-archive',
          region: 'eu-west-1',
          kms_key_arn: 'arn:aws:kms:eu-west-1:333333333333:alias/ssmb-archive',
        }),
      ]);
    }
  });
});
