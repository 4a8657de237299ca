import { z } from 'zod';
import { associationSchedule, shown, targets } from '../../platform/config/common';

// ---------------------------------------------------------------------------------
// What the association collects (parameters of AWS-GatherSoftwareInventory)
// ---------------------------------------------------------------------------------

/**
 * An absolute path: `/var/app` on Linux, `C:\Program Files` or an environment
 * variable that maps to one directory (`%PROGRAMFILES%`) on Windows.
 */
const absolutePath = z
  .string()
  .min(1)
  .max(1024)
  .regex(/^(\/|[A-Za-z]:\\|%[A-Za-z_][A-Za-z0-9_()]*%)/, {
    error: (iss) => `must be an absolute path (/var/app, C:\\Program Files or %PROGRAMFILES%), got ${shown(iss.input)}`,
  });

export const fileInventory = z
  .strictObject({
    path: absolutePath.describe('Directory to search (AWS "Path")'),
    pattern: z
      .array(
        z
          .string()
          .min(1)
          .regex(/^[^/\\]+$/, {
            error: (iss) => `must be a file-name pattern such as *.sh, without directories, got ${shown(iss.input)}`,
          }),
      )
      .min(1, { error: 'must list at least one file-name pattern, e.g. ["*.conf"]' })
      .describe('File-name patterns, e.g. ["*.sh"] (AWS "Pattern")'),
    recursive: z.boolean().default(false).describe('Search subdirectories too (AWS "Recursive"). @default false'),
    dirScanLimit: z
      .number()
      .int()
      .positive()
      .optional()
      .describe('At most this many directories are scanned (AWS "DirScanLimit"). @default - 5000 (the agent default)'),
  })
  .describe('One file search of the files inventory type (AWS::SSM::FileData in Config)');
export type FileInventory = z.infer<typeof fileInventory>;

const REGISTRY_HIVES = ['HKEY_LOCAL_MACHINE', 'HKEY_CURRENT_USER', 'HKEY_USERS', 'HKEY_CLASSES_ROOT', 'HKEY_CURRENT_CONFIG'];

export const registryInventory = z
  .strictObject({
    path: z
      .string()
      .regex(new RegExp(`^(${REGISTRY_HIVES.join('|')})(\\\\[^\\\\]+)*$`), {
        error: (iss) =>
          `must be a registry key path starting with a hive, e.g. HKEY_LOCAL_MACHINE\\SOFTWARE\\Amazon, got ${shown(iss.input)}`,
      })
      .describe('Registry key path (AWS "Path")'),
    recursive: z.boolean().default(false).describe('Include subkeys (AWS "Recursive"). @default false'),
    valueNames: z
      .array(z.string().min(1))
      .min(1)
      .optional()
      .describe('Only these value names (AWS "ValueNames"). @default - all values of the key'),
  })
  .describe('One Windows registry key of the windowsRegistry inventory type');
export type RegistryInventory = z.infer<typeof registryInventory>;

const collectFlag = (what: string) => z.boolean().default(true).describe(`Collect ${what}. @default true`);

export const inventoryCollection = z
  .strictObject({
    applications: collectFlag('installed applications (recorded by Config as AWS::SSM::ManagedInstanceInventory)'),
    awsComponents: collectFlag('AWS components such as amazon-ssm-agent (recorded by Config)'),
    networkConfig: collectFlag('network configuration (recorded by Config)'),
    instanceDetailedInformation: collectFlag('CPU model, speed and cores (recorded by Config)'),
    windowsUpdates: collectFlag('installed Windows updates (recorded by Config)'),
    services: collectFlag('services (not recorded by Config)'),
    windowsRoles: collectFlag('Windows roles and features (not recorded by Config)'),
    customInventory: collectFlag('custom inventory written by your own scripts (not recorded by Config)'),
    billingInfo: collectFlag(
      'the billing product ids of license-included and AWS Marketplace instances (AWS:BillingInfo; not recorded by Config)',
    ),
    files: z
      .array(fileInventory)
      .max(20)
      .default([])
      .describe(
        'File searches (metadata only, at most 500 files in total per instance; recorded by Config as AWS::SSM::FileData). @default - none',
      ),
    windowsRegistry: z
      .array(registryInventory)
      .max(20)
      .default([])
      .describe('Registry keys (at most 250 values per instance; not recorded by Config). @default - none'),
  })
  .describe('What AWS-GatherSoftwareInventory collects');
export type InventoryCollection = z.infer<typeof inventoryCollection>;

// ---------------------------------------------------------------------------------
// AWS Config recorder
// ---------------------------------------------------------------------------------

/** What Config must record for the SSM inventory timeline. */
export const INVENTORY_RESOURCE_TYPES = ['AWS::SSM::ManagedInstanceInventory', 'AWS::SSM::FileData'] as const;

/** Extra types a user may add; every other type stays out so the bill stays small. */
export const EXTRA_RESOURCE_TYPES = ['AWS::SSM::PatchCompliance', 'AWS::SSM::AssociationCompliance', 'AWS::EC2::Instance'] as const;

export const DELIVERY_FREQUENCIES = ['One_Hour', 'Three_Hours', 'Six_Hours', 'Twelve_Hours', 'TwentyFour_Hours'] as const;

export const recorderConfig = z
  .strictObject({
    mode: z
      .enum(['create', 'useExisting'], {
        error: (iss) => `must be "create" or "useExisting", got ${shown(iss.input)}`,
      })
      .default('create')
      .describe(
        'create: a recorder limited to the inventory types, its delivery channel and bucket. ' +
          'useExisting: an account-region already has a recorder (Control Tower, Security Hub); create nothing and print what it must record. @default create',
      ),
    extraResourceTypes: z
      .array(
        z.enum(EXTRA_RESOURCE_TYPES, {
          error: (iss) => `must be one of ${EXTRA_RESOURCE_TYPES.join(', ')}, got ${shown(iss.input)}`,
        }),
      )
      .default([])
      .describe(`Also record these types (each adds cost). @default - none`),
    recordingFrequency: z
      .enum(['CONTINUOUS', 'DAILY'], {
        error: (iss) => `must be "CONTINUOUS" or "DAILY", got ${shown(iss.input)}`,
      })
      .default('CONTINUOUS')
      .describe('CONTINUOUS records every change; DAILY at most one item per resource and day (each costs more). @default CONTINUOUS'),
    createServiceLinkedRole: z
      .literal(false, {
        error: () =>
          'no longer a setting: the baseline never creates the account-global AWSServiceRoleForConfig (a region stack creating it ' +
          'fails where Config ran before and races the other regions). Remove the setting and create the role once per account ' +
          'where it does not exist yet: aws iam create-service-linked-role --aws-service-name config.amazonaws.com (see docs/inventory.md)',
      })
      .optional()
      .describe(
        'Only false is accepted, which is what the baseline does: it never creates AWSServiceRoleForConfig; the role must exist ' +
          'in the account (see docs/inventory.md, "The service-linked role"). @default false',
      ),
    deliveryFrequency: z
      .enum(DELIVERY_FREQUENCIES, {
        error: (iss) => `must be one of ${DELIVERY_FREQUENCIES.join(', ')}, got ${shown(iss.input)}`,
      })
      .default('TwentyFour_Hours')
      .describe('How often Config delivers configuration snapshots to the bucket. @default TwentyFour_Hours'),
    bucketRetentionDays: z
      .number()
      .int()
      .min(1, { error: (iss) => `must be at least 1 day, got ${shown(iss.input)}` })
      .default(365)
      .describe('Delete delivered history and snapshot files after this many days. @default 365'),
  })
  .superRefine((r, ctx) => {
    r.extraResourceTypes.forEach((t, i) => {
      const first = r.extraResourceTypes.indexOf(t);
      if (first !== i)
        ctx.addIssue({
          code: 'custom',
          path: ['extraResourceTypes', i],
          message: `duplicate type ${shown(t)} (also at extraResourceTypes[${first}])`,
        });
    });
  })
  .describe('AWS Config recorder that turns inventory into a per-instance timeline');
export type RecorderConfig = z.infer<typeof recorderConfig>;

/** Software inventory timeline. */
export const inventoryConfig = z
  .strictObject({
    enabled: z.boolean().default(true).describe('Deploy this capability. @default true'),
    skipAssociation: z
      .boolean()
      .default(false)
      .describe(
        'Do not create the AWS-GatherSoftwareInventory association, because Quick Setup, Inspector or another tool already ' +
          'runs one (a second one overlaps). The Config recorder is still managed. @default false',
      ),
    schedule: associationSchedule()
      .default('rate(30 minutes)')
      .describe('How often inventory is collected: rate(...) of 30 minutes or more, or cron(...). @default rate(30 minutes)'),
    targets: targets.prefault({}).describe('Which managed instances are inventoried. @default - all managed instances'),
    collect: inventoryCollection.prefault({}),
    recorder: recorderConfig.prefault({}),
  })
  .describe('Software inventory timeline');

export type InventoryConfig = z.infer<typeof inventoryConfig>;
