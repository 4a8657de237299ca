/**
 * The optional bastion: an Amazon Linux 2023 instance reached only through Session
 * Manager. Nothing listens (no ingress rule, no key pair, no public address unless
 * asked), credentials stay on the instance (IMDSv2, hop limit 1), the disk is
 * encrypted, and the agent reaches AWS over HTTPS only: through the internet or NAT,
 * or through VPC endpoints this construct can create.
 */
import { Construct } from 'constructs';
import { Token } from 'cdktf';
import { Instance } from '@cdktf/provider-aws/lib/instance';
import { LaunchTemplate } from '@cdktf/provider-aws/lib/launch-template';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { VpcEndpoint } from '@cdktf/provider-aws/lib/vpc-endpoint';
import { VpcSecurityGroupEgressRule } from '@cdktf/provider-aws/lib/vpc-security-group-egress-rule';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import { SharedResources } from '../../platform/shared';
import { BastionConfig, architectureOf } from './config';
import { suppress } from '../../../policies/suppress';
import { PolicyDocument, PolicyStatement } from '../../constructs/policy-document';

/** Interface endpoints the agent and session logging use (ec2messages for older agents). */
export const INTERFACE_ENDPOINT_SERVICES = ['ssm', 'ssmmessages', 'ec2messages', 'logs', 'kms'] as const;

const HTTPS = 443;

/** Root device of the Amazon Linux 2023 images (x86_64 and arm64). */
export const ROOT_DEVICE_NAME = '/dev/xvda';

/**
 * EC2 resolves the image from AWS's public parameter at launch (`resolve:ssm:`), so
 * no data source asks AWS for an AMI id at plan time. Only a launch template may carry
 * it: on `aws_instance.ami` together with `root_block_device` the provider calls
 * DescribeImages on the literal string and the apply fails with InvalidAMIID.Malformed
 * (terraform-provider-aws#43488).
 */
export function amiParameter(instanceType: string): string {
  const arch = architectureOf(instanceType);
  // The config schema refuses families missing from the table.
  if (!arch) throw new Error(`sessionManager.bastion.instanceType: no architecture known for ${instanceType}`);
  return `resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-${arch}`;
}

/**
 * S3 buckets owned by AWS that instances behind the gateway endpoint read: the SSM
 * Agent's (AWS Systems Manager User Guide, "SSM Agent communications with AWS managed S3
 * buckets"; the patching buckets carry a per-Region suffix, "Reference: Amazon S3 buckets
 * for patching operations", so they are matched by prefix) and the Amazon Linux 2023
 * package repositories (Amazon Linux 2023 User Guide, S3 gateway endpoint policy:
 * `al2023-repos-<region>-de612dc2`). Objects only: the endpoint lets nothing else reach them.
 */
export function awsOwnedBucketObjects(partition: string, region: string): string[] {
  return [
    `aws-ssm-${region}`,
    `aws-windows-downloads-${region}`,
    `amazon-ssm-${region}`,
    `amazon-ssm-packages-${region}`,
    `${region}-birdwatcher-prod`,
    `aws-ssm-distributor-file-${region}`,
    `aws-ssm-document-attachments-${region}`,
    `patch-baseline-snapshot-${region}`,
    `patch-baseline-snapshot-${region}-*`,
    `aws-patch-manager-${region}-*`,
    `aws-patchmanager-macos-${region}-*`,
    `al2023-repos-${region}-de612dc2`,
  ].map((bucket) => `arn:${partition}:s3:::${bucket}/*`);
}

const ANYONE = [{ type: '*' as const, identifiers: ['*'] }];

/**
 * AWS's default endpoint policy, written out: `policy` is Optional+Computed in the
 * provider, so leaving it unset would keep a restrictive policy applied earlier.
 */
const FULL_ACCESS: PolicyStatement[] = [{ sid: 'FullAccess', principals: ANYONE, actions: ['*'], resources: ['*'] }];

/**
 * Endpoint policies of the bastion's endpoints. Private DNS sends every call in the VPC
 * to ssm, ssmmessages, ec2messages, logs and kms through the interface endpoints, and the
 * gateway endpoint carries all S3 traffic of its route tables: a policy naming only the
 * session bucket, key and log group would cut off every other workload there (the
 * CloudWatch agent, Parameter Store readers, other KMS users). So the policies draw the
 * account's perimeter instead (AWS data perimeter pattern, "Control access to VPC
 * endpoints using endpoint policies", AWS PrivateLink Guide): only this account's
 * principals pass, so credentials of another account cannot use the endpoints to move
 * data out; on S3, only this account's buckets, plus read-only access to the AWS-owned
 * buckets above (dnf reads the repositories unsigned, so that statement has no principal
 * condition). What an instance may do inside the account stays with IAM: the instance
 * policy grants writes to the transcript prefix and nothing else of the bucket.
 */
export function endpointPolicyStatements(
  service: (typeof INTERFACE_ENDPOINT_SERVICES)[number] | 's3',
  accountId: string,
  partition: string,
  region: string,
): PolicyStatement[] {
  const principalAccount = { test: 'StringEquals', variable: 'aws:PrincipalAccount', values: [accountId] };
  if (service === 's3') {
    return [
      {
        sid: 'ThisAccountPrincipalsToThisAccountBuckets',
        principals: ANYONE,
        actions: ['*'],
        resources: ['*'],
        conditions: [principalAccount, { test: 'StringEquals', variable: 'aws:ResourceAccount', values: [accountId] }],
      },
      {
        sid: 'ReadAwsOwnedAgentAndRepositoryBuckets',
        principals: ANYONE,
        actions: ['s3:GetObject'],
        resources: awsOwnedBucketObjects(partition, region),
      },
    ];
  }
  return [
    {
      sid: 'ThisAccountPrincipals',
      principals: ANYONE,
      actions: ['*'],
      resources: ['*'],
      // The session client opens its data channel with the token StartSession returned,
      // not a signed request, so the key may be absent there; signed calls (the agent's
      // CreateControlChannel, CreateDataChannel) must come from this account.
      conditions: [service === 'ssmmessages' ? { ...principalAccount, test: 'StringEqualsIfExists' } : principalAccount],
    },
  ];
}

export interface SessionBastionProps {
  /** The validated bastion settings (enabled, and placed in this stack). */
  readonly config: BastionConfig;
  readonly shared: SharedResources;
}

export class SessionBastion extends Construct {
  readonly instance: Instance;
  readonly launchTemplate: LaunchTemplate;
  readonly instanceId: string;
  readonly instanceArn: string;
  readonly securityGroup: SecurityGroup;
  readonly endpointSecurityGroup?: SecurityGroup;
  readonly endpoints: VpcEndpoint[] = [];

  constructor(scope: Construct, id: string, props: SessionBastionProps) {
    super(scope, id);
    const { shared, config: cfg } = props;
    const vpcId = required(cfg.vpcId, 'vpcId');
    const subnetId = required(cfg.subnetId, 'subnetId');
    // Security group and Name tag limits (255/256) are covered by NAME_LIMITS.securityGroup.
    const name = shared.naming.regional('session-bastion', 'securityGroup');

    // Terraform removes AWS's default allow-all egress from groups it creates: only
    // the HTTPS rules below exist, and no ingress rule at all.
    this.securityGroup = new SecurityGroup(this, 'security-group', {
      name,
      description: 'Session Manager bastion: no inbound, HTTPS out to AWS endpoints only',
      vpcId,
      tags: { Name: name },
    });

    const endpointsCfg = cfg.vpcEndpoints;
    if (endpointsCfg.enabled) {
      const endpointName = shared.naming.regional('session-endpoints', 'securityGroup');
      this.endpointSecurityGroup = new SecurityGroup(this, 'endpoint-security-group', {
        name: endpointName,
        description: 'Interface endpoints for Session Manager: HTTPS from the bastion and the configured networks',
        vpcId,
        tags: { Name: endpointName },
      });
      // The only inbound rules of the capability, and on the endpoints, not the
      // bastion: an interface endpoint is reached on 443 by the agents that use it.
      const endpointIngress = (rule: VpcSecurityGroupIngressRule) =>
        suppress(rule, 'SSMB-EC2-005', 'HTTPS into the VPC interface endpoints for the SSM Agent; the bastion itself has no ingress rule');
      endpointIngress(
        new VpcSecurityGroupIngressRule(this, 'endpoint-from-bastion', {
          securityGroupId: this.endpointSecurityGroup.id,
          description: 'HTTPS from the bastion',
          ipProtocol: 'tcp',
          fromPort: HTTPS,
          toPort: HTTPS,
          referencedSecurityGroupId: this.securityGroup.id,
        }),
      );
      endpointsCfg.clientCidrs.forEach((cidr, i) => {
        endpointIngress(
          new VpcSecurityGroupIngressRule(this, `endpoint-from-cidr-${i}`, {
            securityGroupId: this.endpointSecurityGroup!.id,
            description: `HTTPS from ${cidr}`,
            ipProtocol: 'tcp',
            fromPort: HTTPS,
            toPort: HTTPS,
            cidrIpv4: cidr,
          }),
        );
      });
      const policy = (service: (typeof INTERFACE_ENDPOINT_SERVICES)[number] | 's3') =>
        new PolicyDocument(
          this,
          `endpoint-${service}-policy`,
          endpointsCfg.policy === 'fullAccess'
            ? FULL_ACCESS
            : endpointPolicyStatements(service, shared.accountId, shared.partition, shared.region),
        ).json;
      for (const service of INTERFACE_ENDPOINT_SERVICES) {
        this.endpoints.push(
          new VpcEndpoint(this, `endpoint-${service}`, {
            vpcId,
            serviceName: `com.amazonaws.${shared.region}.${service}`,
            vpcEndpointType: 'Interface',
            subnetIds: [...endpointsCfg.subnetIds],
            securityGroupIds: [this.endpointSecurityGroup.id],
            // The agent calls the public names (ssm.<region>.amazonaws.com...); private
            // DNS makes them resolve to these endpoints.
            privateDnsEnabled: true,
            policy: policy(service),
            tags: { Name: `${endpointName}-${service}` },
          }),
        );
      }
      const s3 = new VpcEndpoint(this, 'endpoint-s3', {
        vpcId,
        serviceName: `com.amazonaws.${shared.region}.s3`,
        vpcEndpointType: 'Gateway',
        routeTableIds: [...endpointsCfg.routeTableIds],
        policy: policy('s3'),
        tags: { Name: `${endpointName}-s3` },
      });
      this.endpoints.push(s3);
      // Without internet egress, HTTPS goes to the endpoints and to S3 (transcripts,
      // Amazon Linux repositories) through the gateway's prefix list.
      new VpcSecurityGroupEgressRule(this, 'egress-endpoints', {
        securityGroupId: this.securityGroup.id,
        description: 'HTTPS to the Session Manager interface endpoints',
        ipProtocol: 'tcp',
        fromPort: HTTPS,
        toPort: HTTPS,
        referencedSecurityGroupId: this.endpointSecurityGroup.id,
      });
      new VpcSecurityGroupEgressRule(this, 'egress-s3', {
        securityGroupId: this.securityGroup.id,
        description: 'HTTPS to S3 through the gateway endpoint',
        ipProtocol: 'tcp',
        fromPort: HTTPS,
        toPort: HTTPS,
        prefixListId: s3.prefixListId,
      });
    } else {
      new VpcSecurityGroupEgressRule(this, 'egress-https', {
        securityGroupId: this.securityGroup.id,
        description: 'HTTPS to the Systems Manager, KMS, CloudWatch Logs and S3 endpoints',
        ipProtocol: 'tcp',
        fromPort: HTTPS,
        toPort: HTTPS,
        cidrIpv4: '0.0.0.0/0',
      });
    }

    // What the instance is made of: image, disk, metadata service. The root volume is
    // mapped to the image's root device by name, so the provider never has to look the
    // image up (it would, for aws_instance.root_block_device).
    this.launchTemplate = new LaunchTemplate(this, 'launch-template', {
      // Launch template names allow 128 characters, the instance profile budget.
      name: shared.naming.regional('session-bastion', 'instanceProfile'),
      description: 'Session Manager bastion: Amazon Linux 2023, IMDSv2 only, encrypted root volume, no key pair',
      imageId: amiParameter(cfg.instanceType),
      // No key_name: there is no SSH, the only way in is a logged session.
      metadataOptions: { httpEndpoint: 'enabled', httpTokens: 'required', httpPutResponseHopLimit: 1 },
      blockDeviceMappings: [
        {
          deviceName: ROOT_DEVICE_NAME,
          ebs: {
            encrypted: 'true',
            volumeType: 'gp3',
            deleteOnTermination: 'true',
            ...(cfg.rootVolumeSizeGiB !== undefined ? { volumeSize: cfg.rootVolumeSizeGiB } : {}),
          },
        },
      ],
      tagSpecifications: [{ resourceType: 'volume', tags: { Name: name } }],
      tags: { Name: name },
    });

    // Where it runs and as whom stay on the instance: the provider builds the network
    // interface from subnet, security groups and public-IP setting, and can change the
    // instance profile in place.
    this.instance = new Instance(this, 'instance', {
      // The template's current version: changing the template (a bigger disk) replaces
      // the bastion, visibly in the plan, instead of leaving it on the old settings.
      launchTemplate: { id: this.launchTemplate.id, version: Token.asString(this.launchTemplate.latestVersion) },
      instanceType: cfg.instanceType,
      subnetId,
      vpcSecurityGroupIds: [this.securityGroup.id],
      iamInstanceProfile: shared.instanceRole.instanceProfileName,
      associatePublicIpAddress: cfg.associatePublicIp,
      tags: { Name: name },
      // No lifecycle.ignore_changes any more: `ami` is not configured on the instance
      // (EC2 fills it in), and the template keeps the resolve:ssm: string as written
      // (DescribeLaunchTemplateVersions resolves it only when asked), so neither drifts
      // when AWS publishes a newer image. A newer image arrives with a replacement
      // (`terraform apply -replace`); Patch Manager patches meanwhile.
      // The agent must reach the endpoints from its first boot.
      dependsOn: this.endpoints.length ? [...this.endpoints] : undefined,
    });
    this.instanceId = this.instance.id;
    this.instanceArn = this.instance.arn;
  }
}

function required<T>(value: T | undefined, field: string): T {
  // The config schema already refuses an enabled bastion without these.
  if (value === undefined) throw new Error(`sessionManager.bastion.${field} is required when the bastion is enabled`);
  return value;
}
