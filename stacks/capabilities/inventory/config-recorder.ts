import { Construct } from 'constructs';
import { ConfigConfigurationRecorder } from '@cdktf/provider-aws/lib/config-configuration-recorder';
import { ConfigDeliveryChannel } from '@cdktf/provider-aws/lib/config-delivery-channel';
import { ConfigConfigurationRecorderStatus } from '@cdktf/provider-aws/lib/config-configuration-recorder-status';
import { IamServiceLinkedRole } from '@cdktf/provider-aws/lib/iam-service-linked-role';
import { SecureBucket } from '../../constructs/secure-bucket';
import { PolicyStatement } from '../../constructs/policy-document';

export const CONFIG_SERVICE = 'config.amazonaws.com';

/** ARN of AWSServiceRoleForConfig: fixed by AWS, one per account, shared by every region. */
export function configServiceLinkedRoleArn(partition: string, accountId: string): string {
  return `arn:${partition}:iam::${accountId}:role/aws-service-role/${CONFIG_SERVICE}/AWSServiceRoleForConfig`;
}

/**
 * The bucket-policy grants AWS Config's delivery needs. With the service-linked role
 * Config writes as its service principal (the role itself has no S3 permissions), so
 * the bucket must admit config.amazonaws.com, and only on behalf of this account.
 */
export function configDeliveryStatements(bucketArn: string, accountId: string): PolicyStatement[] {
  const principals = [{ type: 'Service' as const, identifiers: [CONFIG_SERVICE] }];
  const sourceAccount = { test: 'StringEquals', variable: 'aws:SourceAccount', values: [accountId] };
  return [
    {
      sid: 'AWSConfigBucketPermissionsCheck',
      actions: ['s3:GetBucketAcl'],
      resources: [bucketArn],
      principals,
      conditions: [sourceAccount],
    },
    { sid: 'AWSConfigBucketExistenceCheck', actions: ['s3:ListBucket'], resources: [bucketArn], principals, conditions: [sourceAccount] },
    {
      sid: 'AWSConfigBucketDelivery',
      actions: ['s3:PutObject'],
      resources: [`${bucketArn}/AWSLogs/${accountId}/Config/*`],
      principals,
      conditions: [{ test: 'StringEquals', variable: 's3:x-amz-acl', values: ['bucket-owner-full-control'] }, sourceAccount],
    },
  ];
}

export interface ConfigRecorderProps {
  readonly accountId: string;
  readonly partition: string;
  /** Physical recorder name (see Naming.regional). */
  readonly recorderName: string;
  /** Physical delivery channel name. */
  readonly deliveryChannelName: string;
  /** Physical name of the dedicated delivery bucket (see Naming.bucket). */
  readonly bucketName: string;
  /** Exactly the resource types to record; nothing else is recorded. */
  readonly resourceTypes: string[];
  /** @default CONTINUOUS */
  readonly recordingFrequency?: 'CONTINUOUS' | 'DAILY';
  /**
   * Create AWSServiceRoleForConfig in this stack. The role is account-global: exactly
   * one stack per account may create it, every other one only refers to its ARN.
   * @default false
   */
  readonly createServiceLinkedRole?: boolean;
  /** Snapshot delivery frequency. @default TwentyFour_Hours */
  readonly deliveryFrequency?: string;
  /** Delete delivered files after this many days. @default 365 */
  readonly bucketRetentionDays?: number;
}

/**
 * An AWS Config recorder that records only the given resource types (so the bill
 * stays proportional to the instances, not to everything in the account), through
 * the Config service-linked role, delivering to a dedicated SecureBucket, and
 * switched on once the delivery channel exists.
 */
export class ConfigRecorder extends Construct {
  readonly recorderName: string;
  readonly roleArn: string;
  readonly bucket: SecureBucket;
  readonly serviceLinkedRole?: IamServiceLinkedRole;

  constructor(scope: Construct, id: string, props: ConfigRecorderProps) {
    super(scope, id);
    if (props.resourceTypes.length === 0) throw new Error('ConfigRecorder: resourceTypes must not be empty');

    if (props.createServiceLinkedRole) {
      this.serviceLinkedRole = new IamServiceLinkedRole(this, 'service-linked-role', { awsServiceName: CONFIG_SERVICE });
    }
    // Referencing the resource's ARN orders the recorder after the role in the stack
    // that creates it; the others use the fixed ARN and rely on that stack (see docs).
    this.roleArn = this.serviceLinkedRole?.arn ?? configServiceLinkedRoleArn(props.partition, props.accountId);

    this.bucket = new SecureBucket(this, 'bucket', {
      bucketName: props.bucketName,
      expirationDays: props.bucketRetentionDays ?? 365,
    });
    this.bucket.addToPolicy(...configDeliveryStatements(this.bucket.bucketArn, props.accountId));

    const recorder = new ConfigConfigurationRecorder(this, 'recorder', {
      name: props.recorderName,
      roleArn: this.roleArn,
      recordingGroup: {
        allSupported: false,
        includeGlobalResourceTypes: false,
        resourceTypes: [...props.resourceTypes],
        recordingStrategy: [{ useOnly: 'INCLUSION_BY_RESOURCE_TYPES' }],
      },
      recordingMode: { recordingFrequency: props.recordingFrequency ?? 'CONTINUOUS' },
    });
    this.recorderName = recorder.name;

    // Config checks the bucket policy when the channel is created, and a channel
    // needs a recorder to exist first.
    const channel = new ConfigDeliveryChannel(this, 'delivery-channel', {
      name: props.deliveryChannelName,
      s3BucketName: this.bucket.bucketName,
      snapshotDeliveryProperties: { deliveryFrequency: props.deliveryFrequency ?? 'TwentyFour_Hours' },
      dependsOn: [recorder, this.bucket.bucketPolicy],
    });

    // Recording starts only once there is somewhere to deliver to.
    new ConfigConfigurationRecorderStatus(this, 'status', {
      name: recorder.name,
      isEnabled: true,
      dependsOn: [channel],
    });
  }
}
