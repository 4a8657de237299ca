import { Construct } from 'constructs';
import { Annotations } from 'cdktf';
import { SharedResources, StackPlacement } from '../../platform/shared';
import { INVENTORY_RESOURCE_TYPES, InventoryConfig, RecorderConfig } from './config';
import { namedOutput } from '../../constructs/named-output';
import { InventoryAssociation } from './association';
import { ConfigRecorder } from './config-recorder';

/** Exactly what the recorder records (or, in useExisting mode, must record) for this capability. */
export function requiredResourceTypes(recorder: Pick<RecorderConfig, 'extraResourceTypes'>): string[] {
  return [...INVENTORY_RESOURCE_TYPES, ...recorder.extraResourceTypes];
}

/** The command that prints one instance's inventory timeline. */
export function timelineCommand(region: string): string {
  return `aws configservice get-resource-config-history --region ${region} --resource-type AWS::SSM::ManagedInstanceInventory --resource-id <instance-id>`;
}

/** What the user must check when the stack relies on a recorder it does not manage. */
export function existingRecorderNote(
  recorder: Pick<RecorderConfig, 'extraResourceTypes'>,
  place: Pick<StackPlacement, 'stackName' | 'accountId' | 'region'>,
): string {
  return (
    `${place.stackName}: inventory.recorder.mode is "useExisting", so no Config recorder, delivery channel or bucket is created. ` +
    `The existing recorder in account ${place.accountId}, region ${place.region} must record: ${requiredResourceTypes(recorder).join(', ')} ` +
    `(or all supported resource types) and be recording. Check with: ` +
    `aws configservice describe-configuration-recorders --region ${place.region} && aws configservice describe-configuration-recorder-status --region ${place.region}`
  );
}

/**
 * Software inventory timeline. An AWS-GatherSoftwareInventory
 * association collects inventory; an AWS Config recorder limited to the SSM inventory
 * types turns each collected change into a configuration item on the instance's
 * timeline. Either part can defer to what the account already has.
 */
export interface SoftwareInventoryProps {
  /** The `inventory` section of the configuration. */
  readonly config: InventoryConfig;
  readonly shared: SharedResources;
}

export class SoftwareInventory extends Construct {
  readonly association?: InventoryAssociation;
  readonly recorder?: ConfigRecorder;

  constructor(scope: Construct, id: string, props: SoftwareInventoryProps) {
    super(scope, id);
    const { config: cfg, shared } = props;

    if (!cfg.skipAssociation) {
      this.association = new InventoryAssociation(this, 'association', {
        associationName: shared.naming.regional('software-inventory', 'ssmAssociation'),
        scheduleExpression: cfg.schedule,
        targets: cfg.targets,
        collection: cfg.collect,
      });
      namedOutput(
        this,
        'inventory_association_id',
        this.association.associationId,
        'State Manager association running AWS-GatherSoftwareInventory',
      );
    }

    if (cfg.recorder.mode === 'create') {
      this.recorder = new ConfigRecorder(this, 'config-recorder', {
        accountId: shared.accountId,
        partition: shared.partition,
        recorderName: shared.naming.regional('inventory-recorder', 'configRecorder'),
        deliveryChannelName: shared.naming.regional('inventory-delivery', 'configDeliveryChannel'),
        bucketName: shared.naming.bucket('config'),
        resourceTypes: requiredResourceTypes(cfg.recorder),
        recordingFrequency: cfg.recorder.recordingFrequency,
        forgetServiceLinkedRole: shared.isHomeRegion,
        deliveryFrequency: cfg.recorder.deliveryFrequency,
        bucketRetentionDays: cfg.recorder.bucketRetentionDays,
      });
      namedOutput(this, 'inventory_config_recorder_name', this.recorder.recorderName, 'AWS Config recorder of the inventory timeline');
      namedOutput(this, 'inventory_config_bucket', this.recorder.bucket.bucketName, 'Bucket receiving Config history and snapshot files');
    } else {
      const note = existingRecorderNote(cfg.recorder, shared);
      // The annotation lands in the synth manifest; main.ts prints every warning as a NOTE line.
      Annotations.of(this).addWarning(note);
    }
    namedOutput(
      this,
      'inventory_timeline_command',
      timelineCommand(shared.region),
      "Prints the configuration timeline of one instance's inventory",
    );
  }
}
