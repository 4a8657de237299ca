import { dirname, join } from 'node:path';
import { OFFLINE_DIR, StackResult, handWrittenState, planAgainstState, terraformEnv } from '../../scripts/terraform-harness';
import { ROOT, optionsAwayFromDefaults, planStack } from '../helpers/synth';
import { FORMER_SERVICE_LINKED_ROLE_ID } from '../../stacks/capabilities/inventory/config-recorder';

// One stack with every inventory setting away from its default goes through terraform
// init + validate + an offline plan against the pinned provider (the example stacks
// are planned by platform-terraform.test.ts).
describe('inventory: terraform validate and offline plan', () => {
  let result: StackResult;
  let changes: Array<{ type: string; change: { actions: string[]; after: Record<string, any> } }>;
  beforeAll(async () => {
    ({ result, changes } = await planStack(optionsAwayFromDefaults()));
  }, 300_000);

  it('validates and plans', () => {
    if (!result.ok) throw new Error(`terraform ${result.step} failed:\n${result.output}`);
    expect(result.validated).toBe(true); // plan validates first
  });

  it('plans the recorder, its channel, status and the association as the provider sees them, and no service-linked role', () => {
    const after = (type: string) => {
      const hits = changes.filter((c) => c.type === type);
      expect(hits).toHaveLength(1);
      expect(hits[0].change.actions).toEqual(['create']);
      return hits[0].change.after;
    };
    expect(changes.filter((c) => c.type === 'aws_iam_service_linked_role')).toEqual([]);
    const recorder = after('aws_config_configuration_recorder');
    expect(recorder.role_arn).toBe('arn:aws:iam::111111111111:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig');
    expect(recorder.recording_group[0]).toMatchObject({
      all_supported: false,
      resource_types: expect.arrayContaining(['AWS::SSM::ManagedInstanceInventory', 'AWS::SSM::FileData', 'AWS::SSM::PatchCompliance']),
      recording_strategy: [{ use_only: 'INCLUSION_BY_RESOURCE_TYPES' }],
    });
    expect(recorder.recording_group[0].resource_types).toHaveLength(3);
    expect(recorder.recording_mode[0].recording_frequency).toBe('DAILY');
    expect(after('aws_config_delivery_channel').snapshot_delivery_properties[0].delivery_frequency).toBe('Twelve_Hours');
    expect(after('aws_config_configuration_recorder_status').is_enabled).toBe(true);
    const association = changes.find((c) => c.type === 'aws_ssm_association' && c.change.after.name === 'AWS-GatherSoftwareInventory')!
      .change.after;
    expect(association.schedule_expression).toBe('rate(1 hour)');
    expect(JSON.parse(association.parameters.files)).toEqual([{ Path: '/etc', Pattern: ['*.conf'], Recursive: true, DirScanLimit: 100 }]);
    expect(association.parameters.windowsRoles).toBe('Disabled');
    expect(association.parameters.billingInfo).toBe('Disabled');
  });

  // A stack an earlier version applied holds the role in its state. The plan must forget
  // it, not delete it: IAM refuses to delete it while recorders use it, and if it did,
  // every region's recorder would lose its role. -refresh=false because the role cannot
  // be read offline; refreshing does not change what a removed block plans.
  it('forgets, and never deletes, the role an earlier version created (plan against a state holding it)', async () => {
    if (!result.ok) throw new Error(`terraform ${result.step} failed:\n${result.output}`);
    const work = join(dirname(result.planJson!), OFFLINE_DIR);
    const arn = 'arn:aws:iam::111111111111:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig';
    const state = handWrittenState([
      {
        type: 'aws_iam_service_linked_role',
        name: FORMER_SERVICE_LINKED_ROLE_ID,
        attributes: {
          arn,
          aws_service_name: 'config.amazonaws.com',
          create_date: '2026-01-15T02:11:45Z',
          custom_suffix: '',
          description: '',
          id: arn,
          name: 'AWSServiceRoleForConfig',
          path: '/aws-service-role/config.amazonaws.com/',
          tags: {},
          tags_all: {},
          unique_id: 'AROAEXAMPLECONFIGSLR1',
        },
      },
    ]);
    const planned = await planAgainstState(work, await terraformEnv(join(ROOT, '.tmp')), state);
    if (!planned.ok) throw new Error(planned.output);
    const output = planned.output;
    const role = planned.plan!.resource_changes!.filter((c) => c.type === 'aws_iam_service_linked_role');
    expect(role).toHaveLength(1);
    expect(role[0].change.actions).toEqual(['forget']);
    expect(output).toMatch(/will no longer be managed by Terraform/);
    expect(output).toMatch(/Plan: \d+ to add, 0 to change, 0 to destroy/);
  }, 300_000);
});
