import { DefaultTokenResolver, StringConcat, Testing, Tokenization } from 'cdktf';
import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { IamInstanceProfile } from '@cdktf/provider-aws/lib/iam-instance-profile';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamPolicy } from '@cdktf/provider-aws/lib/iam-policy';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { ManagedInstanceRole, type ManagedInstanceRoleProps, SSM_CORE_POLICY_ARN } from '../../stacks';

const LOG_GROUP_ARN = 'arn:aws:logs:ap-northeast-1:111111111111:log-group:/ssm-baseline/session-manager';

function synthRole(props: Partial<ManagedInstanceRoleProps> = {}, after?: (r: ManagedInstanceRole) => void) {
  let role!: ManagedInstanceRole;
  const synth = Testing.synthScope((scope) => {
    role = new ManagedInstanceRole(scope, 'instances', {
      roleName: 'ssm-baseline-managed-instance',
      instanceProfileName: 'ssm-baseline-managed-instance',
      policyName: 'ssm-baseline-managed-instance-ap-northeast-1',
      ...props,
    });
    after?.(role);
  });
  const ref = (token: string): string =>
    Tokenization.resolve(token, { scope: role, preparing: false, resolver: new DefaultTokenResolver(new StringConcat()) });
  return { synth, role, ref };
}

const trustOf = (services: string[]) => ({
  statement: [
    {
      sid: 'TrustManagedInstances',
      effect: 'Allow',
      actions: ['sts:AssumeRole'],
      principals: [{ type: 'Service', identifiers: services }],
    },
  ],
});

describe('ManagedInstanceRole: the defaults', () => {
  let synth: string;
  let role: ManagedInstanceRole;
  let ref: (token: string) => string;
  beforeAll(() => ({ synth, role, ref } = synthRole()));

  test('only EC2 may assume the role', () => {
    expect(synth).toHaveResourceWithProperties(IamRole, { name: 'ssm-baseline-managed-instance' });
    expect(synth).toHaveDataSourceWithProperties(DataAwsIamPolicyDocument, trustOf(['ec2.amazonaws.com']));
    expect(synth).not.toHaveDataSourceWithProperties(DataAwsIamPolicyDocument, trustOf(['ec2.amazonaws.com', 'ssm.amazonaws.com']));
  });

  test('carries AmazonSSMManagedInstanceCore and no instance policy until a capability adds one', () => {
    expect(synth).toHaveResourceWithProperties(IamRolePolicyAttachment, {
      role: ref(role.roleName),
      policy_arn: 'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore',
    });
    expect(SSM_CORE_POLICY_ARN).toBe('arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore');
    expect(synth).not.toHaveResource(IamRolePolicy);
    expect(synth).not.toHaveResource(IamPolicy);
    expect(role.instancePolicyArn).toBeUndefined();
  });

  test('the instance profile carries the role', () => {
    expect(synth).toHaveResourceWithProperties(IamInstanceProfile, { name: 'ssm-baseline-managed-instance', role: ref(role.roleName) });
  });

  test('publishes the role and profile under plain output names', () => {
    // There is no output matcher; outputs are read from the parsed JSON.
    expect(JSON.parse(synth).output).toEqual({
      managed_instance_role_name: { value: ref(role.roleName), description: 'Managed-instance role name' },
      managed_instance_role_arn: { value: ref(role.roleArn), description: 'Managed-instance role ARN' },
      managed_instance_profile_name: {
        value: ref(role.instanceProfileName),
        description: 'Instance profile to attach to managed EC2 instances',
      },
      managed_instance_profile_arn: { value: ref(role.instanceProfileArn), description: 'Instance profile ARN' },
    });
  });
});

describe('ManagedInstanceRole: extra trust and statements', () => {
  test('extraTrustedServices and trustService add services once, sorted', () => {
    const { synth } = synthRole({ extraTrustedServices: ['ssm.amazonaws.com'] }, (r) => r.trustService('ssm.amazonaws.com'));
    expect(synth).toHaveDataSourceWithProperties(DataAwsIamPolicyDocument, trustOf(['ec2.amazonaws.com', 'ssm.amazonaws.com']));
  });

  test('addStatements creates one customer-managed policy holding every statement, attached to the role, with its ARN as output', () => {
    let first: IamRolePolicyAttachment | undefined;
    let second: IamRolePolicyAttachment | undefined;
    const { synth, role, ref } = synthRole({}, (r) => {
      first = r.addStatements({
        sid: 'CreateSessionLogStreams',
        actions: ['logs:CreateLogStream', 'logs:DescribeLogStreams'],
        resources: [`${LOG_GROUP_ARN}:*`],
      });
      second = r.addStatements({ sid: 'WriteSessionLogs', actions: ['logs:PutLogEvents'], resources: [`${LOG_GROUP_ARN}:log-stream:*`] });
    });
    // Instances whose role the baseline did not create (other teams' roles, hybrid
    // nodes) attach the same policy: so no inline policy.
    expect(synth).not.toHaveResource(IamRolePolicy);
    expect(Object.keys(JSON.parse(synth).resource.aws_iam_policy)).toHaveLength(1);
    expect(synth).toHaveResourceWithProperties(IamPolicy, { name: 'ssm-baseline-managed-instance-ap-northeast-1' });
    expect(second).toBe(first);
    expect(synth).toHaveResourceWithProperties(IamRolePolicyAttachment, {
      role: ref(role.roleName),
      policy_arn: ref(role.instancePolicyArn!),
    });
    expect(synth).toHaveDataSourceWithProperties(DataAwsIamPolicyDocument, {
      statement: [
        {
          sid: 'CreateSessionLogStreams',
          effect: 'Allow',
          actions: ['logs:CreateLogStream', 'logs:DescribeLogStreams'],
          resources: [`${LOG_GROUP_ARN}:*`],
        },
        { sid: 'WriteSessionLogs', effect: 'Allow', actions: ['logs:PutLogEvents'], resources: [`${LOG_GROUP_ARN}:log-stream:*`] },
      ],
    });
    expect(JSON.parse(synth).output.managed_instance_policy_arn).toEqual({
      value: ref(role.instancePolicyArn!),
      description: expect.stringContaining('Attach to the roles of instances'),
    });
  });
});
