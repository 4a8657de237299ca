import { Construct } from 'constructs';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamPolicy } from '@cdktf/provider-aws/lib/iam-policy';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { IamInstanceProfile } from '@cdktf/provider-aws/lib/iam-instance-profile';
import { PolicyDocument, PolicyStatement } from './policy-document';
import { namedOutput } from './named-output';

/** The one AWS-managed policy the instance role carries: agent registration and messaging. */
export const SSM_CORE_POLICY_ARN = 'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore';

export interface ManagedInstanceRoleProps {
  readonly roleName: string;
  readonly instanceProfileName: string;
  /** Name of the customer-managed instance policy (IAM names are account-wide: include the region). */
  readonly policyName: string;
  /** Extra trusted services, e.g. ssm.amazonaws.com for Default Host Management. @default - ec2 only */
  readonly extraTrustedServices?: string[];
}

/**
 * The role and instance profile users attach to their managed EC2 instances:
 * AmazonSSMManagedInstanceCore plus the instance policy, one customer-managed policy
 * holding exactly the statements the enabled capabilities add through `addStatements`
 * (created on first use). A managed policy rather than an inline one, so instances
 * whose role the baseline did not create (other teams' roles, hybrid activations)
 * attach the same grants: output `managed_instance_policy_arn`.
 */
export class ManagedInstanceRole extends Construct {
  readonly role: IamRole;
  readonly roleName: string;
  readonly roleArn: string;
  readonly instanceProfile: IamInstanceProfile;
  readonly instanceProfileName: string;
  readonly instanceProfileArn: string;
  private readonly policyName: string;
  private readonly trusted: string[];
  private trust: PolicyDocument;
  private policy?: PolicyDocument;
  private attachment?: IamRolePolicyAttachment;
  /** ARN of the instance policy; undefined until a capability adds a statement. */
  instancePolicyArn?: string;

  constructor(scope: Construct, id: string, props: ManagedInstanceRoleProps) {
    super(scope, id);
    this.policyName = props.policyName;
    this.trusted = ['ec2.amazonaws.com', ...(props.extraTrustedServices ?? [])];
    this.trust = new PolicyDocument(this, 'trust');
    this.trust.addStatementProducer(() => [
      {
        sid: 'TrustManagedInstances',
        actions: ['sts:AssumeRole'],
        principals: [{ type: 'Service', identifiers: [...new Set(this.trusted)].sort() }],
      },
    ]);
    this.role = new IamRole(this, 'role', {
      name: props.roleName,
      description: "Managed EC2 instances: SSM Agent core plus the baseline's log writing",
      assumeRolePolicy: this.trust.json,
    });
    this.roleName = this.role.name;
    this.roleArn = this.role.arn;
    new IamRolePolicyAttachment(this, 'ssm-core', { role: this.role.name, policyArn: SSM_CORE_POLICY_ARN });
    this.instanceProfile = new IamInstanceProfile(this, 'profile', { name: props.instanceProfileName, role: this.role.name });
    this.instanceProfileName = this.instanceProfile.name;
    this.instanceProfileArn = this.instanceProfile.arn;

    namedOutput(this, 'managed_instance_role_name', this.roleName, 'Managed-instance role name');
    namedOutput(this, 'managed_instance_role_arn', this.roleArn, 'Managed-instance role ARN');
    namedOutput(this, 'managed_instance_profile_name', this.instanceProfileName, 'Instance profile to attach to managed EC2 instances');
    namedOutput(this, 'managed_instance_profile_arn', this.instanceProfileArn, 'Instance profile ARN');
  }

  /** Let another service assume the role (e.g. ssm.amazonaws.com for Default Host Management). */
  trustService(service: string): void {
    this.trusted.push(service);
  }

  /**
   * Add statements to the instance policy. Returns the policy's attachment to this role,
   * for a `dependsOn` of whatever makes instances use the grant right away.
   */
  addStatements(...statements: PolicyStatement[]): IamRolePolicyAttachment {
    if (!this.policy || !this.attachment) {
      this.policy = new PolicyDocument(this, 'instance-policy-document');
      const policy = new IamPolicy(this, 'instance-policy', {
        name: this.policyName,
        description: "What managed instances need for the baseline's capabilities; attach to every managed-instance role",
        policy: this.policy.json,
      });
      this.instancePolicyArn = policy.arn;
      this.attachment = new IamRolePolicyAttachment(this, 'instance-policy-attachment', { role: this.role.name, policyArn: policy.arn });
      namedOutput(
        this,
        'managed_instance_policy_arn',
        policy.arn,
        "Attach to the roles of instances the baseline's role is not on (other roles, hybrid activations)",
      );
    }
    this.policy.addStatements(...statements);
    return this.attachment;
  }
}
