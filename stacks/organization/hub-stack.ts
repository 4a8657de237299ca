import { Construct } from 'constructs';
import { TerraformOutput } from 'cdktf';
import { AppStack } from '../platform/app-stack';
import { CloudwatchEventBus } from '@cdktf/provider-aws/lib/cloudwatch-event-bus';
import { CloudwatchEventBusPolicy } from '@cdktf/provider-aws/lib/cloudwatch-event-bus-policy';
import type { BaselineConfig } from '../platform/config/schema';
import { Naming } from '../platform/naming';
import { awsProvider, s3Backend } from '../platform/provider';
import { NotificationTopic } from '../constructs/notification-topic';
import { DeadLetterQueue } from '../constructs/dead-letter-queue';
import { namedOutput } from '../constructs/named-output';
import { ConfigAggregator } from './aggregator';
import { HubArchive } from './archive';
import { FleetArchiveQuery } from './archive-query';
import { busPolicyJson } from './bus-policy';
import { HubNames, hubNamesOf } from './names';
import { HubNotifiers } from './notifiers';
import type { HubResources } from './resources';
import { HubTranscriptArchive, hubTranscriptArchiveProps } from './transcript-archive';

export type { HubResources } from './resources';

export interface HubStackProps {
  readonly config: BaselineConfig;
}

/** Object key of the hub stack's state, beside (never on) the hub account's region stacks'. */
export function hubStateKey(config: BaselineConfig, names: HubNames): string {
  return `${config.state.keyPrefix}/${names.accountId}/hub/${names.region}/terraform.tfstate`;
}

/**
 * The hub account-region: the event bus every account-region forwards the baseline's
 * events to (its policy admits the configured accounts or the organization), the one
 * topic with the one set of subscriptions, and the notifiers, whose rules listen on the
 * hub bus. Its state lives in the hub account's bucket like any stack of that account.
 */
export class HubStack extends AppStack {
  readonly hub: HubResources;

  constructor(scope: Construct, props: HubStackProps) {
    const { config } = props;
    const names = hubNamesOf(config);
    if (!names) throw new Error('HubStack needs a configuration with a hub section');
    super(scope, names.stackName);
    const account = config.accounts.find((a) => a.id === names.accountId)!;
    const region = names.region;
    awsProvider(this, config, account, region, names.stackName);
    s3Backend(this, config, account, region);
    this.addOverride('terraform.backend.s3.key', hubStateKey(config, names));

    // `<prefix>-hub-<purpose>`: never the names of the hub account's own region stacks.
    const naming = new Naming(names.namePrefix, account, region);
    const shared = new Construct(this, 'shared');
    const topic = new NotificationTopic(shared, 'notifications', {
      topicName: names.topicName,
      keyAlias: naming.regional('notifications', 'kmsAlias'),
      accountId: account.id,
      emails: config.notifications.emails,
    });
    const deadLetterQueue = new DeadLetterQueue(shared, 'dead-letters', {
      queueName: naming.regional('dead-letters', 'sqs'),
      accountId: account.id,
      alarmTopic: topic,
      alarmName: naming.regional('dead-letters-not-empty', 'cloudwatchAlarm'),
    });

    const bus = new CloudwatchEventBus(this, 'bus', { name: names.busName });
    new CloudwatchEventBusPolicy(this, 'bus-policy', {
      eventBusName: bus.name,
      policy: busPolicyJson({
        busArn: names.busArn,
        accountIds: config.accounts.map((a) => a.id),
        organizationId: config.hub?.organizationId,
      }),
    });

    this.hub = {
      names,
      account,
      region,
      bus,
      naming,
      topic,
      deadLetterQueue,
      // Mails name the account an event came from; the hub's own name heads them otherwise.
      accountName: account.name,
      logRetentionDays: config.logRetentionDays,
    };
    new HubNotifiers(this, 'notifiers', { config, hub: this.hub });

    // The fleet archive every spoke writes to, its query layer and the Config aggregator.
    // Members are the configured accounts (the hub's own included: its region stacks are
    // spokes too); the regions are every configured region of any account.
    const archiveScope = {
      namePrefix: config.namePrefix,
      hubAccountId: account.id,
      hubRegion: region,
      memberAccountIds: config.accounts.map((a) => a.id),
    };
    const organizationId = config.hub?.organizationId;
    const spokeRegions = [...new Set(config.accounts.flatMap((a) => a.regions))].sort();
    const archive = new HubArchive(this, 'archive', { ...archiveScope, ...(organizationId ? { organizationId } : {}) });
    const archiveQuery = new FleetArchiveQuery(this, 'archive-query', { ...archiveScope, regions: spokeRegions });
    const aggregator = new ConfigAggregator(this, 'config-aggregator', {
      ...archiveScope,
      ...(organizationId ? { organizationId } : {}),
      regions: spokeRegions,
    });
    namedOutput(
      this,
      'archive_bucket_name',
      archive.bucketName,
      'Fleet archive: patch snapshots, session transcripts and inventory of every spoke',
    );
    namedOutput(this, 'archive_key_arn', archive.keyArn, 'KMS key of the fleet archive (Athena users need kms:Decrypt on it)');
    namedOutput(this, 'archive_glue_database', archiveQuery.databaseName, 'Glue database of the fleet archive tables');
    namedOutput(
      this,
      'archive_athena_workgroup',
      archiveQuery.workgroup.name,
      'Athena workgroup of the fleet queries (named queries included)',
    );
    namedOutput(this, 'config_aggregator_name', aggregator.aggregatorName, 'AWS Config aggregator over every spoke account-region');

    new TerraformOutput(this, 'hub_event_bus_arn', { value: bus.arn, description: 'Event bus every account-region forwards to' });
    new TerraformOutput(this, 'notification_topic_arn', { value: topic.topicArn, description: 'SNS topic of all baseline notifications' });
    new TerraformOutput(this, 'dead_letter_queue_url', {
      value: deadLetterQueue.queueUrl,
      description: 'Undeliverable notifications land here',
    });

    // The spokes replicate their locked Session Manager transcripts into this bucket.
    if (config.sessionManager.enabled) new HubTranscriptArchive(this, 'transcript-archive', hubTranscriptArchiveProps(config));
  }
}
