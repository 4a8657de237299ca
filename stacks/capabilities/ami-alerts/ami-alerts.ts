import { Construct } from 'constructs';
import { SharedResources, eventRuleBase, notifierFunctionBase } from '../../platform/shared';
import { EventRule } from '../../constructs/event-rule';
import { NotifierFunction } from '../../constructs/notifier-function';
import { AmiAlertRuleKind, amiAlertPatterns } from './patterns';
import type { AmiAlertsConfig } from './config';
import { AMI_ALERTS_ENVIRONMENT, encodeWatchedTags } from './env';

/** Rule purposes (physical names `<prefix>-<purpose>`) and what each one catches. */
const RULES: Record<AmiAlertRuleKind, { purpose: string; description: string }> = {
  createImage: {
    purpose: 'ami-alerts-create-image',
    description:
      'CreateImage, CopyImage, RegisterImage (CloudTrail) with a watched tag on the image: pre-filter, the notifier checks the exact pair',
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
 * path (CreateImage), the tag-later path (CreateTags) and the image's state changes;
 * their patterns are pre-filters (EventBridge cannot tie a tag key to its value), and
 * one notifier Lambda decides on the exact pair and writes the message.
 *
 * The CloudTrail paths need a trail that logs management events (see `cloudTrail`).
 */
export interface AmiAlertsProps {
  /** The `amiAlerts` section of the configuration. */
  readonly config: AmiAlertsConfig;
  readonly shared: SharedResources;
}

export class AmiAlerts extends Construct {
  readonly notifier: NotifierFunction;
  readonly rules: Partial<Record<AmiAlertRuleKind, EventRule>> = {};

  constructor(scope: Construct, id: string, props: AmiAlertsProps) {
    super(scope, id);
    const { shared } = props;
    const { tags, watch } = props.config;

    this.notifier = new NotifierFunction(this, 'notifier', {
      ...notifierFunctionBase(shared, 'ami-notifier'),
      bundle: 'ami-alerts',
      description: 'Tagged-AMI alerts: checks the exact tag pair and mails a readable message',
      environment: AMI_ALERTS_ENVIRONMENT.write({
        topicArn: shared.topic.topicArn,
        accountName: shared.accountName,
        // The same list the patterns pre-filter on; the function checks the exact pairs.
        watchedTags: encodeWatchedTags(tags),
      }),
      statements: [
        // DescribeImages has no resource-level permissions: "*" is the only option.
        { sid: 'LookUpImages', actions: ['ec2:DescribeImages'], resources: ['*'] },
        ...shared.topic.publishGrant(),
      ],
    });

    for (const [kind, eventPattern] of Object.entries(amiAlertPatterns(tags, watch)) as [AmiAlertRuleKind, Record<string, unknown>][]) {
      this.rules[kind] = new EventRule(this, kind, {
        ...eventRuleBase(shared, RULES[kind].purpose),
        description: RULES[kind].description,
        eventPattern,
        target: { kind: 'lambda', fn: this.notifier },
      });
    }
  }
}
