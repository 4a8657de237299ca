import { DefaultTokenResolver, StringConcat, Testing, Tokenization } from 'cdktf';
import { Construct } from 'constructs';
import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { KmsAlias } from '@cdktf/provider-aws/lib/kms-alias';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { CustomerKey, type CustomerKeyProps, type PolicyStatement } from '../../stacks';

const ACCOUNT = '111111111111';
const ROOT_DELEGATION = {
  sid: 'EnableIamPolicies',
  effect: 'Allow',
  actions: ['kms:*'],
  resources: ['*'],
  principals: [{ type: 'AWS', identifiers: [`arn:aws:iam::${ACCOUNT}:root`] }],
};
const CLOUDTRAIL_ENCRYPT: PolicyStatement = {
  sid: 'AllowCloudTrailEncrypt',
  actions: ['kms:GenerateDataKey*'],
  resources: ['*'],
  principals: [{ type: 'Service', identifiers: ['cloudtrail.amazonaws.com'] }],
  conditions: [{ test: 'StringEquals', variable: 'aws:SourceAccount', values: [ACCOUNT] }],
};

function synthKey(props: Partial<CustomerKeyProps> = {}, after?: (k: CustomerKey) => void) {
  let key!: CustomerKey;
  const synth = Testing.synthScope((scope: Construct) => {
    key = new CustomerKey(scope, 'trail-key', {
      accountId: ACCOUNT,
      alias: 'ssm-baseline/cloudtrail',
      description: 'Encrypts the management-event trail',
      ...props,
    });
    after?.(key);
  });
  const ref = (token: string): string =>
    Tokenization.resolve(token, { scope: key, preparing: false, resolver: new DefaultTokenResolver(new StringConcat()) });
  return { synth, key, ref };
}

// The key policy is `${data.aws_iam_policy_document.X.json}`, rendered by Terraform later;
// the matchers cannot follow that reference, so read the document from the parsed JSON.
function keyPolicyStatements(synth: string): Array<Record<string, any>> {
  const json = JSON.parse(synth);
  const [key] = Object.values(json.resource.aws_kms_key) as Array<{ policy: string }>;
  const name = /^\$\{data\.aws_iam_policy_document\.([^.]+)\.json\}$/.exec(key.policy)![1];
  return json.data.aws_iam_policy_document[name].statement;
}

describe('CustomerKey: the defaults', () => {
  let synth: string;
  let key: CustomerKey;
  let ref: (token: string) => string;
  beforeAll(() => ({ synth, key, ref } = synthKey()));

  test('rotates yearly and waits the longest window (30 days) before a deletion', () => {
    expect(synth).toHaveResourceWithProperties(KmsKey, {
      description: 'Encrypts the management-event trail',
      enable_key_rotation: true,
      deletion_window_in_days: 30,
    });
  });

  test('gets an alias/ name pointing at the key', () => {
    expect(synth).toHaveResourceWithProperties(KmsAlias, { name: 'alias/ssm-baseline/cloudtrail', target_key_id: ref(key.key.keyId) });
  });

  test('the key policy holds the account root delegation and nothing else', () => {
    // `statement` is compared whole: no other principal is granted anything.
    expect(synth).toHaveDataSourceWithProperties(DataAwsIamPolicyDocument, { statement: [ROOT_DELEGATION] });
    expect(keyPolicyStatements(synth)).toEqual([ROOT_DELEGATION]);
  });

  test('no principal but the root gets kms:*', () => {
    const wide = keyPolicyStatements(synth).filter((s) => s.actions?.includes('kms:*'));
    expect(wide.flatMap((s) => s.principals.flatMap((p: { identifiers: string[] }) => p.identifiers))).toEqual([
      `arn:aws:iam::${ACCOUNT}:root`,
    ]);
  });
});

describe('CustomerKey: overrides and grants', () => {
  test('deletionWindowInDays shortens the deletion window', () => {
    const { synth } = synthKey({ deletionWindowInDays: 7 });
    expect(synth).toHaveResourceWithProperties(KmsKey, { deletion_window_in_days: 7, enable_key_rotation: true });
    expect(synth).not.toHaveResourceWithProperties(KmsKey, { deletion_window_in_days: 30 });
  });

  test('service grants from the props, addToPolicy and producers follow the root delegation', () => {
    const { synth } = synthKey({ statements: [CLOUDTRAIL_ENCRYPT] }, (k) => {
      k.addToPolicy({
        sid: 'AllowCloudTrailDescribe',
        actions: ['kms:DescribeKey'],
        resources: ['*'],
        principals: [{ type: 'Service', identifiers: ['cloudtrail.amazonaws.com'] }],
      });
      // A producer runs at synth, so it sees what was registered after it.
      const services: string[] = [];
      k.addStatementProducer(() =>
        services.length
          ? [
              {
                sid: 'AllowLogsEncrypt',
                actions: ['kms:Encrypt*', 'kms:Decrypt*'],
                resources: ['*'],
                principals: [{ type: 'Service', identifiers: [...services] }],
              },
            ]
          : [],
      );
      services.push('logs.ap-northeast-1.amazonaws.com');
    });
    expect(keyPolicyStatements(synth).map((s) => s.sid)).toEqual([
      'EnableIamPolicies',
      'AllowCloudTrailEncrypt',
      'AllowCloudTrailDescribe',
      'AllowLogsEncrypt',
    ]);
    expect(synth).toHaveDataSourceWithProperties(DataAwsIamPolicyDocument, {
      statement: expect.arrayContaining([
        {
          sid: 'AllowCloudTrailEncrypt',
          effect: 'Allow',
          actions: ['kms:GenerateDataKey*'],
          resources: ['*'],
          principals: [{ type: 'Service', identifiers: ['cloudtrail.amazonaws.com'] }],
          condition: [{ test: 'StringEquals', variable: 'aws:SourceAccount', values: [ACCOUNT] }],
        },
        expect.objectContaining({
          sid: 'AllowLogsEncrypt',
          principals: [{ type: 'Service', identifiers: ['logs.ap-northeast-1.amazonaws.com'] }],
        }),
      ]),
    });
  });
});
