import { Construct } from 'constructs';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { IamInstanceProfile } from '@cdktf/provider-aws/lib/iam-instance-profile';
import { PolicyDocument, PolicyStatement } from './policy-document';
import { namedOutput } from './named-output';

/** The one AWS-managed policy the instance role carries: agent registration and messaging. */
export const SSM_CORE_POLICY_ARN = 'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore';

export interface ManagedInstanceRoleProps {
  readonly roleName: string;
  readonly instanceProfileName: string;
  readonly policyName: string;
  /** Extra trusted services, e.g. ssm.amazonaws.com for Default Host Management. @default - ec2 only */
  readonly extraTrustedServices?: string[];
}

/**
 * The role and instance profile users attach to their managed EC2 instances:
 * AmazonSSMManagedInstanceCore plus exactly the log-writing statements the enabled
 * capabilities add through `addStatements` (one inline policy, created on first use).
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
  private rolePolicy?: IamRolePolicy;

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
   * Add statements to the role's inline policy. Returns that policy resource, for a
   * `dependsOn` of whatever makes instances use the grant right away.
   */
  addStatements(...statements: PolicyStatement[]): IamRolePolicy {
    if (!this.policy || !this.rolePolicy) {
      this.policy = new PolicyDocument(this, 'policy-document');
      this.rolePolicy = new IamRolePolicy(this, 'policy', { name: this.policyName, role: this.role.id, policy: this.policy.json });
    }
    this.policy.addStatements(...statements);
    return this.rolePolicy;
  }
}
