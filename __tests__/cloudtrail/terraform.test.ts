import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stackName } from '../../stacks/platform/naming';
import { checkStack, listStacks, planSummaryLine, terraformEnv } from '../../scripts/terraform-harness';
import { ROOT, synthToDir, testConfig } from '../helpers/synth';

const PROD = '111111111111';
const STAGING = '222222222222';

const accounts = [
  { id: PROD, name: 'prod', regions: ['ap-northeast-1', 'us-east-1'], deployRoleArn: `arn:aws:iam::${PROD}:role/deploy` },
  { id: STAGING, name: 'staging', regions: ['eu-west-1'], deployRoleArn: `arn:aws:iam::${STAGING}:role/deploy` },
];

describe('terraform: a stack with AMI alerts and the trail validates and plans offline', () => {
  it('init + validate + plan', async () => {
    const config = testConfig({ accounts: [accounts[0]], cloudTrail: { create: true } } as never);
    const outdir = synthToDir(config);
    const name = stackName(config.accounts[0], 'ap-northeast-1');
    const stack = listStacks(outdir).find((s) => s.name === name)!;
    const result = await checkStack(stack, await terraformEnv(join(ROOT, '.tmp')), { plan: true });
    if (!result.ok) throw new Error(`terraform ${result.step} failed:\n${result.output}`);
    expect(result.validated).toBe(true); // plan validates first
    expect(planSummaryLine(result.output)).toMatch(/^Plan: \d+ to add, 0 to change, 0 to destroy\.$/);
    const plan = JSON.parse(readFileSync(result.planJson!, 'utf8'));
    const created = (type: string) =>
      plan.resource_changes
        .filter((r: { type: string; change: { actions: string[] } }) => r.type === type && r.change.actions.includes('create'))
        .map((r: { change: { after: Record<string, unknown> } }) => r.change.after);
    expect(created('aws_cloudtrail')).toEqual([
      expect.objectContaining({ name: 'ssmb-management-events', is_multi_region_trail: true, enable_log_file_validation: true }),
    ]);
    expect(created('aws_cloudwatch_event_rule').map((r: { name: string }) => r.name)).toEqual(
      expect.arrayContaining(['ssmb-ami-alerts-create-image', 'ssmb-ami-alerts-create-tags', 'ssmb-ami-alerts-state-change']),
    );
    expect(created('aws_lambda_function').map((f: { function_name: string }) => f.function_name)).toContain('ssmb-ami-notifier');
  }, 600_000);
});
