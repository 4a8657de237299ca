import { z } from 'zod';
import { accountId, email, iamRoleArn, logRetentionDays, tagKey, tagValue } from './common';
import { AWS_REGIONS } from './regions';
import { agentUpdateConfig } from '../../capabilities/agent-update/config';
import { inventoryConfig } from '../../capabilities/inventory/config';
import { patchHistoryConfig } from '../../capabilities/patch-history/config';
import { amiAlertsConfig } from '../../capabilities/ami-alerts/config';
import { checkSessionManagerPlacement, sessionManagerConfig } from '../../capabilities/session-manager/config';
import { cloudTrailConfig } from '../../capabilities/cloudtrail/config';

/**
 * Physical names are `<namePrefix>-<purpose>[-<region>]` and buckets
 * `<namePrefix>-<account id>-<region>-<purpose>`; capping the prefix at 10
 * characters keeps every name within AWS limits (IAM 64, S3 63) for every region.
 */
export const MAX_NAME_PREFIX_LENGTH = 10;

const region = z.enum(AWS_REGIONS, {
  error: (iss) => `must be an AWS region such as ap-northeast-1, got ${JSON.stringify(iss.input)}`,
});

const bucketName = z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, {
  error: (iss) => `must be a valid S3 bucket name (3-63 lower-case letters, digits, dots, hyphens), got ${JSON.stringify(iss.input)}`,
});

export const accountConfig = z.strictObject({
  id: accountId.describe('12-digit AWS account id'),
  name: z
    .string()
    .regex(/^[a-z][a-z0-9-]{0,30}[a-z0-9]$/, {
      error: (iss) =>
        `must be a slug of 2-32 lower-case letters, digits and hyphens, starting with a letter, got ${JSON.stringify(iss.input)}`,
    })
    .describe('Short name used in stack names (<name>-<region>) and e-mail subjects'),
  regions: z.array(region).min(1, { error: 'must list at least one region' }).describe('Regions to deploy the baseline to'),
  deployRoleArn: iamRoleArn
    .optional()
    .describe('Role the AWS provider assumes to deploy into this account. @default - the caller credentials'),
  stateBucket: bucketName.optional().describe("S3 bucket holding this account's Terraform state. @default <namePrefix>-tfstate-<id>"),
  stateRoleArn: iamRoleArn.optional().describe('Role the S3 backend assumes to reach the state bucket. @default - deployRoleArn'),
  planRoleArn: iamRoleArn
    .optional()
    .describe(
      'Read-only role pull-request plans run as in this account (provider and state backend); never the deploy role (docs/policy-as-code.md). @default - the GitHub OIDC role of the plan workflow',
    ),
});

export const stateConfig = z.strictObject({
  region: region.optional().describe("Region of the state buckets. @default - each account's first region"),
  keyPrefix: z
    .string()
    .regex(/^[A-Za-z0-9!_.*'()-]+(\/[A-Za-z0-9!_.*'()-]+)*$/, {
      error: (iss) => `must be an S3 key prefix without leading or trailing "/", got ${JSON.stringify(iss.input)}`,
    })
    .default('ssm-baseline')
    .describe('State object key is <keyPrefix>/<account id>/<region>/terraform.tfstate. @default ssm-baseline'),
  kmsKeyId: z
    .string()
    .regex(/^arn:aws:kms:[a-z0-9-]+:\d{12}:(key|alias)\/.+$/, {
      error: (iss) => `must be a KMS key or alias ARN, got ${JSON.stringify(iss.input)}`,
    })
    .optional()
    .describe('KMS key for state encryption. @default - SSE-S3'),
});

export const baselineConfig = z
  .strictObject({
    $schema: z.string().optional().describe('Path of this JSON Schema, for editors'),
    namePrefix: z
      .string()
      .regex(/^[a-z][a-z0-9-]*[a-z0-9]$/, {
        error: (iss) =>
          `must start with a letter and contain only lower-case letters, digits and hyphens, got ${JSON.stringify(iss.input)}`,
      })
      .max(MAX_NAME_PREFIX_LENGTH, {
        error: (iss) =>
          `would make AWS resource names too long: at most ${MAX_NAME_PREFIX_LENGTH} characters, got ${JSON.stringify(iss.input)} (${String(iss.input).length})`,
      })
      .default('ssmb')
      .describe('Prefix of every physical resource name. @default ssmb'),
    accounts: z.array(accountConfig).min(1, { error: 'must list at least one account' }),
    state: stateConfig.prefault({}).describe('Remote state (S3 backend) settings'),
    notifications: z
      .strictObject({
        emails: z.array(email).max(50).default([]).describe('E-mail addresses subscribed to the notification topic'),
      })
      .prefault({}),
    tags: z.record(tagKey, tagValue).default({}).describe('Tags applied to every resource (provider default_tags)'),
    logRetentionDays: logRetentionDays.default(365).describe('Retention of the log groups the baseline creates. @default 365'),
    cloudTrail: cloudTrailConfig.prefault({}),
    agentUpdate: agentUpdateConfig.prefault({}),
    inventory: inventoryConfig.prefault({}),
    patchHistory: patchHistoryConfig.prefault({}),
    amiAlerts: amiAlertsConfig.prefault({}),
    sessionManager: sessionManagerConfig.prefault({}),
  })
  .superRefine((cfg, ctx) => {
    const seen = (values: string[], field: string, what: string, path: (i: number) => (string | number)[]) => {
      const first = new Map<string, number>();
      values.forEach((v, i) => {
        const prev = first.get(v);
        if (prev === undefined) first.set(v, i);
        else ctx.addIssue({ code: 'custom', path: path(i), message: `duplicate ${what} ${JSON.stringify(v)} (also at ${field}[${prev}])` });
      });
    };
    seen(
      cfg.accounts.map((a) => a.id),
      'accounts',
      'account id',
      (i) => ['accounts', i, 'id'],
    );
    seen(
      cfg.accounts.map((a) => a.name),
      'accounts',
      'account name',
      (i) => ['accounts', i, 'name'],
    );
    cfg.accounts.forEach((a, ai) => {
      const firstRegion = new Map<string, number>();
      a.regions.forEach((r, ri) => {
        const prev = firstRegion.get(r);
        if (prev === undefined) firstRegion.set(r, ri);
        else
          ctx.addIssue({
            code: 'custom',
            path: ['accounts', ai, 'regions', ri],
            message: `duplicate region ${JSON.stringify(r)} (also at accounts[${ai}].regions[${prev}])`,
          });
      });
      for (const field of ['deployRoleArn', 'stateRoleArn', 'planRoleArn'] as const) {
        const arn = a[field];
        // Malformed ARNs already have their own message.
        if (arn && iamRoleArn.safeParse(arn).success && arn.split(':')[4] !== a.id) {
          ctx.addIssue({
            code: 'custom',
            path: ['accounts', ai, field],
            message: `must be a role in account ${a.id} (the provider refuses any other account), got ${JSON.stringify(arn)}`,
          });
        }
      }
      // A plan running as a role that can deploy (or write state) hands every pull request write access.
      for (const field of ['deployRoleArn', 'stateRoleArn'] as const) {
        if (a.planRoleArn && a.planRoleArn === a[field]) {
          ctx.addIssue({
            code: 'custom',
            path: ['accounts', ai, 'planRoleArn'],
            message: `must be a read-only role, not the ${field} (pull-request plans would run with write access), got ${JSON.stringify(a.planRoleArn)}`,
          });
        }
      }
    });
    seen(
      cfg.accounts.map((a) => a.stateBucket ?? `${cfg.namePrefix}-tfstate-${a.id}`),
      'accounts',
      'state bucket',
      (i) => ['accounts', i, 'stateBucket'],
    );
    checkSessionManagerPlacement(cfg, (path, message) => ctx.addIssue({ code: 'custom', path, message }));
  });

export type BaselineConfigInput = z.input<typeof baselineConfig>;
export type BaselineConfig = z.output<typeof baselineConfig>;
export type AccountConfig = BaselineConfig['accounts'][number];
