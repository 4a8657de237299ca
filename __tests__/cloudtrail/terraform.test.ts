import { planSummaryLine } from '../../scripts/terraform-harness';
import { optionsAwayFromDefaults, planStack } from '../helpers/synth';

describe('terraform: a stack with AMI alerts and the trail validates and plans offline', () => {
  it('init + validate + plan', async () => {
    const { result, changes } = await planStack(optionsAwayFromDefaults());
    if (!result.ok) throw new Error(`terraform ${result.step} failed:\n${result.output}`);
    expect(result.validated).toBe(true); // plan validates first
    expect(planSummaryLine(result.output)).toMatch(/^Plan: \d+ to add, 0 to change, 0 to destroy\.$/);
    const created = (type: string) =>
      changes.filter((r) => r.type === type && r.change.actions.includes('create')).map((r) => r.change.after);
    expect(created('aws_cloudtrail')).toEqual([
      expect.objectContaining({ name: 'ssmb-management-events', is_multi_region_trail: true, enable_log_file_validation: true }),
    ]);
    expect(created('aws_cloudwatch_event_rule').map((r) => r.name)).toEqual(
      expect.arrayContaining(['ssmb-ami-alerts-create-image', 'ssmb-ami-alerts-create-tags', 'ssmb-ami-alerts-state-change']),
    );
    expect(created('aws_lambda_function').map((f) => f.function_name)).toContain('ssmb-ami-notifier');
  }, 600_000);
});
