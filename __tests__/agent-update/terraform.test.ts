import { readFileSync } from 'node:fs';
import { StackResult } from '../../scripts/terraform-harness';
import { optionsAwayFromDefaults, planStack } from '../helpers/synth';

// The platform test validates and plans every example stack (default agent-update
// settings); this one covers the optional parts: tag targets, a pinned version, a
// cron schedule and the Default Host Management service setting.
describe('agent update: terraform validate + offline plan with every option on', () => {
  let result: StackResult;
  beforeAll(async () => {
    ({ result } = await planStack(optionsAwayFromDefaults()));
  }, 300_000);

  it('validates and plans', () => {
    if (!result.ok) throw new Error(`terraform ${result.step} failed:\n${result.output}`);
    expect(result.validated).toBe(true); // plan validates first
  });

  it('plans the association, its rule, the notifier and the DHMC setting with the configured values', () => {
    const plan = JSON.parse(readFileSync(result.planJson!, 'utf8'));
    const changes = plan.resource_changes as Array<{ type: string; change: { actions: string[]; after: Record<string, any> } }>;
    const after = (type: string, pred: (a: Record<string, any>) => boolean = () => true) => {
      const hits = changes.filter((c) => c.type === type && pred(c.change.after));
      expect(hits).toHaveLength(1);
      expect(hits[0].change.actions).toEqual(['create']);
      return hits[0].change.after;
    };
    expect(after('aws_ssm_association', (a) => a.name === 'AWS-UpdateSSMAgent')).toMatchObject({
      association_name: 'ssmb-agent-update',
      schedule_expression: 'cron(0 3 ? * SUN *)',
      apply_only_at_cron_interval: true,
      parameters: { version: '3.3.2299.0', allowDowngrade: 'false' },
      targets: [{ key: 'tag:Patch Group', values: ['web'] }],
      output_location: [{ s3_key_prefix: 'agent-update', s3_region: 'ap-northeast-1' }],
    });
    expect(after('aws_ssm_service_setting')).toMatchObject({
      setting_id: 'arn:aws:ssm:ap-northeast-1:111111111111:servicesetting/ssm/managed-instance/default-ec2-instance-management-role',
      setting_value: 'ssmb-managed-instance-ap-northeast-1',
    });
    expect(after('aws_cloudwatch_event_rule', (a) => a.name === 'ssmb-agent-update-result')).toBeDefined();
    expect(after('aws_lambda_function', (a) => a.function_name === 'ssmb-agent-update-notifier')).toMatchObject({
      runtime: expect.stringMatching(/^nodejs2\d\.x$/),
    });
  });
});
