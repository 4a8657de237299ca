import { Construct } from 'constructs';
import { Annotations } from 'cdktf';
import { StackContext } from '../../platform/shared';
import { INVENTORY_RESOURCE_TYPES } from './config';
import { stackName } from '../../platform/naming';
import { namedOutput } from '../../constructs/named-output';
import { InventoryAssociation } from './association';
import { ConfigRecorder } from './config-recorder';

/** Exactly what the recorder records (or, in useExisting mode, must record) for this capability. */
export function requiredResourceTypes(ctx: StackContext): string[] {
  return [...INVENTORY_RESOURCE_TYPES, ...ctx.config.inventory.recorder.extraResourceTypes];
}

/**
 * Whether this stack creates AWSServiceRoleForConfig. The role is account-global, so
 * only the stack of the account's first region creates it (when the setting asks for
 * it in this account); the other regions refer to its fixed ARN.
 */
export function createsServiceLinkedRole(ctx: StackContext): boolean {
  const setting = ctx.config.inventory.recorder.createServiceLinkedRole;
  const wanted = Array.isArray(setting) ? setting.includes(ctx.accountId) : setting;
  return wanted && ctx.region === ctx.account.regions[0];
}

/** The command that prints one instance's inventory timeline. */
export function timelineCommand(region: string): string {
  return `aws configservice get-resource-config-history --region ${region} --resource-type AWS::SSM::ManagedInstanceInventory --resource-id <instance-id>`;
}

/** What the user must check when the stack relies on a recorder it does not manage. */
export function existingRecorderNote(ctx: StackContext): string {
  return (
    `${stackName(ctx.account, ctx.region)}: inventory.recorder.mode is "useExisting", so no Config recorder, delivery channel or bucket is created. ` +
    `The existing recorder in account ${ctx.accountId}, region ${ctx.region} must record: ${requiredResourceTypes(ctx).join(', ')} ` +
    `(or all supported resource types) and be recording. Check with: ` +
    `aws configservice describe-configuration-recorders --region ${ctx.region} && aws configservice describe-configuration-recorder-status --region ${ctx.region}`
  );
}

/**
 * Capability 2: software inventory timeline. An AWS-GatherSoftwareInventory
 * association collects inventory; an AWS Config recorder limited to the SSM inventory
 * types turns each collected change into a configuration item on the instance's
 * timeline. Either part can defer to what the account already has.
 */
export interface SoftwareInventoryProps {
  readonly ctx: StackContext;
}

export class SoftwareInventory extends Construct {
  readonly association?: InventoryAssociation;
  readonly recorder?: ConfigRecorder;

  constructor(scope: Construct, id: string, props: SoftwareInventoryProps) {
    super(scope, id);
    const { ctx } = props;
    const cfg = ctx.config.inventory;

    if (!cfg.skipAssociation) {
      this.association = new InventoryAssociation(this, 'association', {
        associationName: ctx.naming.regional('software-inventory', 'ssmAssociation'),
        scheduleExpression: cfg.schedule,
        targets: cfg.targets,
        collection: cfg.collect,
      });
      namedOutput(this, 'inventory_association_id', this.association.associationId, 'State Manager association running AWS-GatherSoftwareInventory');
    }

    if (cfg.recorder.mode === 'create') {
      this.recorder = new ConfigRecorder(this, 'config-recorder', {
        accountId: ctx.accountId,
        partition: ctx.partition,
        recorderName: ctx.naming.regional('inventory-recorder', 'configRecorder'),
        deliveryChannelName: ctx.naming.regional('inventory-delivery', 'configDeliveryChannel'),
        bucketName: ctx.naming.bucket('config'),
        resourceTypes: requiredResourceTypes(ctx),
        recordingFrequency: cfg.recorder.recordingFrequency,
        createServiceLinkedRole: createsServiceLinkedRole(ctx),
        deliveryFrequency: cfg.recorder.deliveryFrequency,
        bucketRetentionDays: cfg.recorder.bucketRetentionDays,
      });
      namedOutput(this, 'inventory_config_recorder_name', this.recorder.recorderName, 'AWS Config recorder of the inventory timeline');
      namedOutput(this, 'inventory_config_bucket', this.recorder.bucket.bucketName, 'Bucket receiving Config history and snapshot files');
    } else {
      const note = existingRecorderNote(ctx);
      // The annotation lands in the synth manifest; main.ts prints every warning as a NOTE line.
      Annotations.of(this).addWarning(note);
    }
    namedOutput(this, 'inventory_timeline_command', timelineCommand(ctx.region), 'Prints the configuration timeline of one instance\'s inventory');
  }
}
