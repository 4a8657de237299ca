import { Construct } from 'constructs';
import { SsmAssociation } from '@cdktf/provider-aws/lib/ssm-association';
import { Targets } from '../../platform/config/common';
import { InventoryCollection } from './config';
import { associationTargets } from '../../constructs/association-targets';

/** The AWS-owned document that runs the inventory plugin. */
export const INVENTORY_DOCUMENT = 'AWS-GatherSoftwareInventory';

const flag = (on: boolean) => (on ? 'Enabled' : 'Disabled');

/**
 * The document's parameters, all of them: AWS stores every parameter with its
 * default, so leaving one out would show as a change on every plan. `files` and
 * `windowsRegistry` are JSON arrays in a string, "" when nothing is searched.
 */
export function inventoryParameters(c: InventoryCollection): Record<string, string> {
  const files = c.files.map((f) => ({
    Path: f.path,
    Pattern: [...f.pattern],
    Recursive: f.recursive,
    ...(f.dirScanLimit !== undefined ? { DirScanLimit: f.dirScanLimit } : {}),
  }));
  const registry = c.windowsRegistry.map((r) => ({
    Path: r.path,
    Recursive: r.recursive,
    ...(r.valueNames !== undefined ? { ValueNames: [...r.valueNames] } : {}),
  }));
  return {
    applications: flag(c.applications),
    awsComponents: flag(c.awsComponents),
    billingInfo: flag(c.billingInfo),
    customInventory: flag(c.customInventory),
    files: files.length ? JSON.stringify(files) : '',
    instanceDetailedInformation: flag(c.instanceDetailedInformation),
    networkConfig: flag(c.networkConfig),
    services: flag(c.services),
    windowsRegistry: registry.length ? JSON.stringify(registry) : '',
    windowsRoles: flag(c.windowsRoles),
    windowsUpdates: flag(c.windowsUpdates),
  };
}

export interface InventoryAssociationProps {
  /** Physical association name (see Naming.regional). */
  readonly associationName: string;
  /** rate(...) or cron(...), already validated by the config schema. */
  readonly scheduleExpression: string;
  /** Which instances are inventoried. @default - all managed instances */
  readonly targets?: Targets;
  /** What is collected. */
  readonly collection: InventoryCollection;
}

/**
 * The State Manager association that runs AWS-GatherSoftwareInventory on a schedule.
 * It applies once right after creation (and to instances that register later), then
 * on the schedule; instances that are stopped at that time are simply skipped.
 */
export class InventoryAssociation extends Construct {
  readonly association: SsmAssociation;
  readonly associationId: string;

  constructor(scope: Construct, id: string, props: InventoryAssociationProps) {
    super(scope, id);
    this.association = new SsmAssociation(this, 'association', {
      name: INVENTORY_DOCUMENT,
      associationName: props.associationName,
      scheduleExpression: props.scheduleExpression,
      targets: associationTargets(props.targets),
      parameters: inventoryParameters(props.collection),
    });
    this.associationId = this.association.associationId;
  }
}
