import { StackResult } from '../../scripts/terraform-harness';
import { planStack, testConfig } from '../helpers/synth';
import { BaselineConfigInput } from '../../stacks/platform/config/schema';

// One stack with every inventory setting away from its default goes through terraform
// init + validate + an offline plan against the pinned provider (the example stacks
// are planned by platform-terraform.test.ts).
describe('inventory: terraform validate and offline plan', () => {
  let result: StackResult;
  let changes: Array<{ type: string; change: { actions: string[]; after: Record<string, any> } }>;
  beforeAll(async () => {
    const config = testConfig({
      inventory: {
        schedule: 'rate(1 hour)',
        targets: { tagKey: 'Inventory', tagValues: ['on'] },
        collect: {
          windowsRoles: false,
          billingInfo: false,
          files: [{ path: '/etc', pattern: ['*.conf'], recursive: true, dirScanLimit: 100 }],
          windowsRegistry: [{ path: 'HKEY_LOCAL_MACHINE\\SOFTWARE\\Amazon\\MachineImage', valueNames: ['AMIName'] }],
        },
        recorder: { extraResourceTypes: ['AWS::SSM::PatchCompliance'], recordingFrequency: 'DAILY', deliveryFrequency: 'Twelve_Hours' },
      },
    } as Partial<BaselineConfigInput>);
    ({ result, changes } = await planStack(config));
  }, 300_000);

  it('validates and plans', () => {
    if (!result.ok) throw new Error(`terraform ${result.step} failed:\n${result.output}`);
    expect(result.validated).toBe(true); // plan validates first
  });

  it('plans the recorder, its channel, status, service-linked role and the association as the provider sees them', () => {
    const after = (type: string) => {
      const hits = changes.filter((c) => c.type === type);
      expect(hits).toHaveLength(1);
      expect(hits[0].change.actions).toEqual(['create']);
      return hits[0].change.after;
    };
    expect(after('aws_iam_service_linked_role').aws_service_name).toBe('config.amazonaws.com');
    const recorder = after('aws_config_configuration_recorder');
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
});
