import { Testing } from 'cdktf';
import { Construct } from 'constructs';
import { namedOutput } from '../../stacks';

// There is no output matcher (toHaveResource* cover resource, data and provider only),
// so these tests read `output` from the parsed synthesized JSON.
describe('namedOutput', () => {
  test('publishes the value under exactly the given name, with its description', () => {
    const synth = Testing.synthScope((scope) => {
      // Deep in the tree on purpose: the construct path must not leak into the name.
      const capability = new Construct(new Construct(scope, 'cloudtrail'), 'trail');
      namedOutput(
        capability,
        'cloudtrail_trail_arn',
        'arn:aws:cloudtrail:ap-northeast-1:111111111111:trail/ssm-baseline',
        'Multi-region management-event trail',
      );
    });
    expect(JSON.parse(synth).output).toEqual({
      cloudtrail_trail_arn: {
        value: 'arn:aws:cloudtrail:ap-northeast-1:111111111111:trail/ssm-baseline',
        description: 'Multi-region management-event trail',
      },
    });
  });

  test('returns the TerraformOutput, whose logical id is the plain name', () => {
    let id = '';
    Testing.synthScope((scope) => {
      id = namedOutput(
        new Construct(scope, 'inventory'),
        'inventory_association_id',
        'assoc-0123',
        'State Manager association',
      ).friendlyUniqueId;
    });
    expect(id).toBe('inventory_association_id');
  });

  test('refuses a second output of the same name in one stack (it would replace the first)', () => {
    expect(() =>
      Testing.synthScope((scope) => {
        namedOutput(new Construct(scope, 'a'), 'managed_instance_role_arn', 'arn:aws:iam::111111111111:role/a', 'first');
        namedOutput(new Construct(scope, 'b'), 'managed_instance_role_arn', 'arn:aws:iam::111111111111:role/b', 'second');
      }),
    ).toThrow('already has an output named managed_instance_role_arn');
  });
});
