import { Testing } from 'cdktf';
import { SsmAssociation } from '@cdktf/provider-aws/lib/ssm-association';
import { associationTargets } from '../../stacks';

/** An agent-update association aimed by `targets`, synthesized alone. */
function synthAssociation(targets: Parameters<typeof associationTargets>[0]): string {
  return Testing.synthScope((scope) => {
    new SsmAssociation(scope, 'agent-update', {
      name: 'AWS-UpdateSSMAgent',
      associationName: 'ssm-baseline-agent-update',
      scheduleExpression: 'rate(14 days)',
      targets: associationTargets(targets),
    });
  });
}

describe('associationTargets', () => {
  test('without a tag key, every managed instance is a target', () => {
    expect(synthAssociation(undefined)).toHaveResourceWithProperties(SsmAssociation, {
      name: 'AWS-UpdateSSMAgent',
      targets: [{ key: 'InstanceIds', values: ['*'] }],
    });
  });

  test('a tag key alone targets instances carrying that key, not every instance', () => {
    const synth = synthAssociation({ tagKey: 'ssm-baseline:agent-update' });
    expect(synth).toHaveResourceWithProperties(SsmAssociation, { targets: [{ key: 'tag-key', values: ['ssm-baseline:agent-update'] }] });
    expect(synth).not.toHaveResourceWithProperties(SsmAssociation, { targets: [{ key: 'InstanceIds', values: ['*'] }] });
  });

  test('tag values target instances whose tag has one of those values', () => {
    expect(synthAssociation({ tagKey: 'Environment', tagValues: ['staging', 'production'] })).toHaveResourceWithProperties(SsmAssociation, {
      targets: [{ key: 'tag:Environment', values: ['staging', 'production'] }],
    });
  });

  test('the values are copied: changing the input later does not change the targets', () => {
    const values = ['staging'];
    const targets = associationTargets({ tagKey: 'Environment', tagValues: values });
    values.push('production');
    expect(targets).toEqual([{ key: 'tag:Environment', values: ['staging'] }]);
  });
});
