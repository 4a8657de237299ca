import { Construct } from 'constructs';
import { TerraformOutput } from 'cdktf';
import { AppStack } from './app-stack';
import { AccountConfig, BaselineConfig } from './config/schema';
import { Naming, stackName } from './naming';
import { awsProvider, s3Backend } from './provider';
import { SharedResources } from './shared';
import { NotificationTopic } from '../constructs/notification-topic';
import { DeadLetterQueue } from '../constructs/dead-letter-queue';
import { ManagedInstanceRole } from '../constructs/managed-instance-role';
import { addCapabilities } from '../capabilities';
import { HubForwarding } from '../organization/forwarding';
import { hubNamesOf } from '../organization/names';
import { hubNotifierReads } from '../organization/reads';
import { SpokeReadRole } from '../organization/spoke-read-role';
import { SpokeAggregateAuthorization } from '../organization/aggregator';
import { archiveKeyAliasArn } from '../organization/archive-names';
import { SpokeInventorySync } from '../organization/inventory-sync';

export interface BaselineStackProps {
  readonly config: BaselineConfig;
  readonly account: AccountConfig;
  readonly region: string;
}

/** Everything the baseline deploys into one account-region, with its own remote state. */
export class BaselineStack extends AppStack {
  /** What the capabilities of this stack share (placement, names, topic, queue, instance role). */
  readonly shared: SharedResources;

  constructor(scope: Construct, props: BaselineStackProps) {
    const name = stackName(props.account, props.region);
    super(scope, name);
    const { config, account, region } = props;
    awsProvider(this, config, account, region, name);
    s3Backend(this, config, account, region);

    const naming = new Naming(config.namePrefix, account, region);
    const shared = new Construct(this, 'shared');
    const topic = new NotificationTopic(shared, 'notifications', {
      topicName: naming.regional('notifications', 'sns'),
      keyAlias: naming.regional('notifications', 'kmsAlias'),
      accountId: account.id,
      // With a hub, the hub's one topic mails; the alarms here reach it as forwarded state changes.
      emails: config.hub ? [] : config.notifications.emails,
    });
    const dlq = new DeadLetterQueue(shared, 'dead-letters', {
      queueName: naming.regional('dead-letters', 'sqs'),
      accountId: account.id,
      alarmTopic: topic,
      alarmName: naming.regional('dead-letters-not-empty', 'cloudwatchAlarm'),
    });
    const instanceRole = new ManagedInstanceRole(shared, 'managed-instance', {
      roleName: naming.iam('managed-instance'),
      instanceProfileName: naming.iam('managed-instance', 'instanceProfile'),
      policyName: naming.iam('managed-instance', 'iamPolicy'),
    });
    const hubNames = hubNamesOf(config);
    const forwarding = hubNames
      ? new HubForwarding(shared, 'hub-forwarding', {
          names: hubNames,
          accountId: account.id,
          region,
          rulePrefix: config.namePrefix,
          alarms: { naming, deadLetterQueue: dlq },
        })
      : undefined;
    const reads = hubNames ? hubNotifierReads(config) : [];
    // IAM is account-global: the account's first region holds its one read role.
    if (hubNames && reads.length && region === account.regions[0])
      new SpokeReadRole(shared, 'hub-read', { names: hubNames, reads, account });
    if (hubNames) {
      // Inventory goes to the hub archive (every account-region, the hub account's too), under
      // the archive key named by its alias: the key id is known only once the hub is applied.
      const hubPlace = { namePrefix: config.namePrefix, hubAccountId: hubNames.accountId, hubRegion: hubNames.region };
      new SpokeInventorySync(shared, 'hub-inventory-sync', { ...hubPlace, spokeRegion: region, kmsKeyArn: archiveKeyAliasArn(hubPlace) });
      // An account-based aggregator reads each source account-region only once it authorizes the hub there.
      if (!config.hub?.organizationId) new SpokeAggregateAuthorization(shared, 'hub-config-authorization', hubPlace);
    }
    new TerraformOutput(this, 'notification_topic_arn', { value: topic.topicArn, description: 'SNS topic of all baseline notifications' });
    new TerraformOutput(this, 'dead_letter_queue_url', { value: dlq.queueUrl, description: 'Undeliverable notifications land here' });

    this.shared = {
      accountId: account.id,
      accountName: account.name,
      region,
      partition: 'aws',
      stackName: name,
      isHomeRegion: region === account.regions[0],
      deployRoleArn: account.deployRoleArn,
      naming,
      topic,
      deadLetterQueue: dlq,
      instanceRole,
      logRetentionDays: config.logRetentionDays,
      ...(forwarding && hubNames
        ? {
            hub: {
              forwardTarget: forwarding.target,
              archive: { namePrefix: config.namePrefix, hubAccountId: hubNames.accountId, hubRegion: hubNames.region },
            },
          }
        : {}),
    };
    addCapabilities(this, config, this.shared);
  }
}
