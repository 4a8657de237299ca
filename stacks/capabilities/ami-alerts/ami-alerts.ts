import { Construct } from 'constructs';
import { DynamodbTable } from '@cdktf/provider-aws/lib/dynamodb-table';
import { NotifierPlacement, SharedResources, eventRuleBase, notifierFunctionBase } from '../../platform/shared';
import { EventRule } from '../../constructs/event-rule';
import { NotifierFunction } from '../../constructs/notifier-function';
import type { SpokeRead } from '../../platform/shared';
import { AmiAlertRuleKind, TAG_AT_CREATION_CALLS, amiAlertPatterns } from './patterns';
import type { AmiAlertsConfig } from './config';
import { AMI_ALERTS_ENVIRONMENT, encodeWatchedTags } from './env';

/** Rule purposes (physical names `<prefix>-<purpose>`) and what each one catches. */
const RULES: Record<AmiAlertRuleKind, { purpose: string; description: string }> = {
  createImage: {
    purpose: 'ami-alerts-create-image',
    description:
      'CreateImage, CopyImage, RegisterImage, CreateRestoreImageTask (CloudTrail) with a watched tag on the image: pre-filter, the notifier checks the exact pair',
  },
  importImage: {
    purpose: 'ami-alerts-import-image',
    description: 'ImportImage (CloudTrail) with a watched tag on the import task: pre-filter, the notifier checks the exact pair',
  },
  createTags: {
    purpose: 'ami-alerts-create-tags',
    description: 'CreateTags (CloudTrail) on ami- resources with a watched tag: pre-filter, the notifier checks the exact pair',
  },
  stateChange: {
    purpose: 'ami-alerts-state-change',
    description: 'EC2 AMI State Change (available/failed): the notifier looks the tags up and alerts for watched AMIs only',
  },
};

/**
 * Tagged-AMI alerts. Rules on the default bus catch the tag-at-creation
 * path (CreateImage and its kin), the tagged import task (ImportImage), the tag-later
 * path (CreateTags) and the image's state changes;
 * their patterns are pre-filters (EventBridge cannot tie a tag key to its value), and
 * one notifier Lambda decides on the exact pair and writes the message.
 *
 * When a CloudTrail path and a state are both watched, a DynamoDB table remembers the
 * AMIs matched on the CloudTrail paths, so their available / failed mail does not depend
 * on DescribeImages answering (a failed image may no longer be described).
 *
 * The CloudTrail paths need a trail that logs management events (see `cloudTrail`).
 */
export interface AmiAlertsProps {
  /** The `amiAlerts` section of the configuration. */
  readonly config: AmiAlertsConfig;
  readonly shared: SharedResources;
}

export class AmiAlerts extends Construct {
  /** @default - none with a hub: the hub's notifier decides on the forwarded events */
  readonly notifier?: NotifierFunction;
  readonly rules: Partial<Record<AmiAlertRuleKind, EventRule>> = {};
  /** The image memory; absent unless a CloudTrail path and a state are both watched. */
  readonly imageMemory?: DynamodbTable;

  constructor(scope: Construct, id: string, props: AmiAlertsProps) {
    super(scope, id);
    const { shared } = props;
    const { tags, watch } = props.config;

    // With a hub, the rules forward the events there and the hub's notifier decides.
    const notifying = shared.hub ? undefined : amiAlertsNotifier(this, props.config, shared);
    this.notifier = notifying?.notifier;
    this.imageMemory = notifying?.imageMemory;

    for (const [kind, eventPattern] of Object.entries(amiAlertPatterns(tags, watch)) as [AmiAlertRuleKind, Record<string, unknown>][]) {
      this.rules[kind] = new EventRule(this, kind, {
        ...eventRuleBase(shared, RULES[kind].purpose),
        description: RULES[kind].description,
        eventPattern,
        target: notifying ? { kind: 'lambda', fn: notifying.notifier } : shared.hub!.forwardTarget,
      });
    }
  }
}

/**
 * The notifier and its image memory: in each account-region, or once in the hub (`shared`
 * is then the hub's; the memory is keyed by AMI id, unique across accounts and regions).
 */
export function amiAlertsNotifier(
  scope: Construct,
  config: AmiAlertsConfig,
  shared: NotifierPlacement,
  /** In the hub: the spokes' read role and the grant to assume it. @default - none: reads its own account */
  spokeRead?: SpokeRead,
): { notifier: NotifierFunction; imageMemory?: DynamodbTable } {
  const { tags, watch } = config;
  // The CloudTrail paths that name an AMI id to remember (ImportImage names only its task).
  const cloudTrailPaths = [...Object.keys(TAG_AT_CREATION_CALLS), 'createTags'];
  let imageMemory: DynamodbTable | undefined;
  if (watch.some((p) => cloudTrailPaths.includes(p)) && watch.some((p) => p === 'available' || p === 'failed')) {
    imageMemory = new DynamodbTable(scope, 'image-memory', {
      name: shared.naming.regional('ami-alerts-images', 'dynamodbTable'),
      // A few writes per AMI created: on-demand costs cents and needs no capacity plan.
      billingMode: 'PAY_PER_REQUEST',
      hashKey: 'imageId',
      attribute: [{ name: 'imageId', type: 'S' }],
      // The handler writes the expiry (7 days after the call, lambda/ami-alerts/memory.ts).
      ttl: { attributeName: 'expiresAt', enabled: true },
      // No server_side_encryption block: the AWS owned key. The items are AMI ids and tag
      // pairs anyone with ec2:DescribeImages in the account reads anyway; a customer key
      // would add a key policy, KMS calls and a failure mode to a best-effort cache.
      // No point-in-time recovery and no deletion protection: losing the items only
      // sends the state-change path back to DescribeImages, and disabling the
      // capability must be able to delete the table.
      deletionProtectionEnabled: false,
    });
  }

  const notifier = new NotifierFunction(scope, 'notifier', {
    ...notifierFunctionBase(shared, 'ami-notifier'),
    bundle: 'ami-alerts',
    description: 'Tagged-AMI alerts: checks the exact tag pair and mails a readable message',
    environment: AMI_ALERTS_ENVIRONMENT.write({
      topicArn: shared.topic.topicArn,
      accountName: shared.accountName,
      // The same list the patterns pre-filter on; the function checks the exact pairs.
      watchedTags: encodeWatchedTags(tags),
      imageMemoryTable: imageMemory?.name,
      readRoleName: spokeRead?.roleName,
    }),
    statements: [
      // DescribeImages has no resource-level permissions: "*" is the only option.
      { sid: 'LookUpImages', actions: ['ec2:DescribeImages'], resources: ['*'] },
      // One handler serves both paths: the CloudTrail path writes, the state-change path reads.
      ...(imageMemory ? [{ sid: 'RememberImages', actions: ['dynamodb:GetItem', 'dynamodb:PutItem'], resources: [imageMemory.arn] }] : []),
      ...shared.topic.publishGrant(),
      ...(spokeRead ? [spokeRead.statement] : []),
    ],
  });
  return { notifier, imageMemory };
}
