import { App, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { StackJson, synthStack, testConfig } from '../helpers/synth';
import { BaselineConfigInput } from '../../stacks/platform/config/schema';
import { FORMER_SERVICE_LINKED_ROLE_ID } from '../../stacks/capabilities/inventory/config-recorder';
import { forgetResource } from '../../stacks/constructs/refactoring';

type Removed = Array<{ from: string; lifecycle: { destroy: boolean } }>;
const removedOf = (stack: StackJson) => ((stack as StackJson & { removed?: Removed }).removed ?? []) as Removed;

/** Every managed resource of a stack whose logical id starts with `prefix`, as Terraform addresses. */
const addresses = (stack: StackJson, prefix: string) =>
  Object.entries(stack.resource ?? {}).flatMap(([type, bodies]) =>
    Object.keys(bodies)
      .filter((id) => id.startsWith(prefix))
      .map((id) => `${type}.${id}`),
  );

// Disabling the capability must forget the session records (key, bucket, log group,
// preferences), never delete them: the addresses are the ones an enabled stack gives
// those resources, read here from a real synth of the enabled capability.
describe('session manager: disabling forgets the records', () => {
  // Every optional record resource present: Object Lock and CloudWatch Logs on.
  const enabled = synthStack(
    testConfig({
      sessionManager: { logBucket: { objectLock: { enabled: true } }, cloudWatch: { enabled: true } },
    } as Partial<BaselineConfigInput>),
  );
  const disabled = synthStack(testConfig({ sessionManager: { enabled: false } } as Partial<BaselineConfigInput>));
  const records = addresses(enabled, 'session-manager_preferences_');

  it('reads the record resources from the enabled stack', () => {
    const types = new Set(records.map((a) => a.split('.')[0]));
    expect([...types].sort()).toEqual(
      expect.arrayContaining([
        'aws_cloudwatch_log_group',
        'aws_kms_alias',
        'aws_kms_key',
        'aws_s3_bucket',
        'aws_s3_bucket_object_lock_configuration',
        'aws_s3_bucket_policy',
        'aws_s3_bucket_server_side_encryption_configuration',
        'aws_s3_bucket_versioning',
        'aws_ssm_document',
      ]),
    );
  });

  it('emits a removed block with destroy = false for each of them, at the exact address', () => {
    const removed = removedOf(disabled);
    for (const from of records) expect(removed).toContainEqual({ from, lifecycle: { destroy: false } });
    // Nothing else of the capability is forgotten: alerts, operator policy and bastion go.
    expect(
      removed
        .filter((r) => r.from.split('.')[1].startsWith('session-manager_'))
        .map((r) => r.from)
        .sort(),
    ).toEqual([...records].sort());
  });

  it('keeps the inventory block beside them (one list per stack, nothing clobbered)', () => {
    expect(removedOf(disabled)).toContainEqual({
      from: `aws_iam_service_linked_role.${FORMER_SERVICE_LINKED_ROLE_ID}`,
      lifecycle: { destroy: false },
    });
    expect(removedOf(enabled)).toEqual([
      { from: `aws_iam_service_linked_role.${FORMER_SERVICE_LINKED_ROLE_ID}`, lifecycle: { destroy: false } },
    ]);
  });

  it('declares none of the forgotten resources (a removed block and its resource cannot coexist)', () => {
    expect(addresses(disabled, 'session-manager_')).toEqual([]);
  });
});

describe('forgetResource', () => {
  it('appends per stack, in call order, once per address', () => {
    const app = new App();
    const a = new TerraformStack(app, 'a');
    const b = new TerraformStack(app, 'b');
    forgetResource(new Construct(a, 'x'), 'aws_kms_key.one');
    forgetResource(a, 'aws_s3_bucket.two');
    forgetResource(a, 'aws_kms_key.one');
    forgetResource(b, 'aws_kms_key.three');
    const json = (s: TerraformStack) => s.toTerraform() as { removed?: Removed };
    expect(json(a).removed).toEqual([
      { from: 'aws_kms_key.one', lifecycle: { destroy: false } },
      { from: 'aws_s3_bucket.two', lifecycle: { destroy: false } },
    ]);
    expect(json(b).removed).toEqual([{ from: 'aws_kms_key.three', lifecycle: { destroy: false } }]);
  });

  it('refuses something that is not a resource address', () => {
    const stack = new TerraformStack(new App(), 'c');
    expect(() => forgetResource(stack, 'module.x')).toThrow(/resource address/);
  });
});
