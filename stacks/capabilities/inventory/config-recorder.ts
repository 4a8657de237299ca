import { Construct } from 'constructs';
import { forgetResource } from '../../constructs/refactoring';
import { ConfigConfigurationRecorder } from '@cdktf/provider-aws/lib/config-configuration-recorder';
import { ConfigDeliveryChannel } from '@cdktf/provider-aws/lib/config-delivery-channel';
import { ConfigConfigurationRecorderStatus } from '@cdktf/provider-aws/lib/config-configuration-recorder-status';
import { SecureBucket } from '../../constructs/secure-bucket';
import { PolicyStatement } from '../../constructs/policy-document';

export const CONFIG_SERVICE = 'config.amazonaws.com';

/**
 * ARN of AWSServiceRoleForConfig: fixed by AWS, one per account, shared by every region.
 * No stack creates it: PutConfigurationRecorder does not create it either, so it must
 * exist before the first recorder (docs/inventory.md says how).
 */
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

/** The logical id under which earlier versions created AWSServiceRoleForConfig in the home region. */
export const FORMER_SERVICE_LINKED_ROLE_ID = 'inventory_config-recorder_service-linked-role_5E66F66A';

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
   * Declare that the service-linked role an earlier version created in this stack is no
   * longer managed here, without deleting it (Terraform `removed` block, destroy = false).
   * Set in one stack per account: the one that used to create it.
   * @default false
   */
  readonly forgetServiceLinkedRole?: boolean;
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

  constructor(scope: Construct, id: string, props: ConfigRecorderProps) {
    super(scope, id);
    if (props.resourceTypes.length === 0) throw new Error('ConfigRecorder: resourceTypes must not be empty');

    // The account-global role is never a resource of a regional stack: creating it fails
    // where Config ran before ("has been taken"), and the other regions would race the
    // stack that creates it. Every region uses the fixed ARN alike.
    this.roleArn = configServiceLinkedRoleArn(props.partition, props.accountId);
    if (props.forgetServiceLinkedRole) {
      // Deleting it would break every region's recorder (and IAM refuses while they use it).
      forgetResource(this, `aws_iam_service_linked_role.${FORMER_SERVICE_LINKED_ROLE_ID}`);
    }

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
