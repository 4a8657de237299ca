import { z } from 'zod';
import {
  accountId,
  bucketName,
  bucketNameProblem,
  email,
  iamRoleArn,
  logRetentionDays,
  MAX_CONFIG_TAGS,
  resourceTags,
  S3_RESERVED_PREFIXES,
  shown,
} from './common';
import { AWS_REGIONS } from './regions';
import { agentUpdateConfig } from '../../capabilities/agent-update/config';
import { inventoryConfig } from '../../capabilities/inventory/config';
import { patchHistoryConfig } from '../../capabilities/patch-history/config';
import { amiAlertsConfig } from '../../capabilities/ami-alerts/config';
import { checkSessionManagerPlacement, sessionManagerConfig } from '../../capabilities/session-manager/config';
import { cloudTrailConfig } from '../../capabilities/cloudtrail/config';
import { checkHubPlacement, hubConfig } from '../../organization/config';

/**
 * Physical names are `<namePrefix>-<purpose>[-<region>]` and buckets
 * `<namePrefix>-<account id>-<region>-<purpose>`; capping the prefix at 10
 * characters keeps every name within AWS limits (IAM 64, S3 63) for every region.
 */
export const MAX_NAME_PREFIX_LENGTH = 10;

const region = z.enum(AWS_REGIONS, {
  error: (iss) => `must be an AWS region such as ap-northeast-1, got ${shown(iss.input)}`,
});

const NAME_PREFIX = /^[a-z][a-z0-9-]*[a-z0-9]$/;

/** `<namePrefix>-` must not begin with a prefix S3 reserves for bucket names. */
const NAME_PREFIX_NOT_RESERVED = new RegExp(
  `^(?!${S3_RESERVED_PREFIXES.map((p) => (p.endsWith('-') ? `${p.slice(0, -1)}(-|$)` : p)).join('|')})`,
);

export const accountConfig = z.strictObject({
  id: accountId.describe('12-digit AWS account id'),
  name: z
    .string()
    .regex(/^[a-z][a-z0-9-]{0,30}[a-z0-9]$/, {
      error: (iss) => `must be a slug of 2-32 lower-case letters, digits and hyphens, starting with a letter, got ${shown(iss.input)}`,
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
      error: (iss) => `must be an S3 key prefix without leading or trailing "/", got ${shown(iss.input)}`,
    })
    .default('ssm-baseline')
    .describe('State object key is <keyPrefix>/<account id>/<region>/terraform.tfstate. @default ssm-baseline'),
  kmsKeyId: z
    .string()
    .regex(/^arn:aws:kms:[a-z0-9-]+:\d{12}:(key|alias)\/.+$/, {
      error: (iss) => `must be a KMS key or alias ARN, got ${shown(iss.input)}`,
    })
    .optional()
    .describe('KMS key for state encryption. @default - SSE-S3'),
});

export const baselineConfig = z
  .strictObject({
    $schema: z.string().optional().describe('Path of this JSON Schema, for editors'),
    namePrefix: z
      .string()
      .regex(NAME_PREFIX, {
        error: (iss) => `must start with a letter and contain only lower-case letters, digits and hyphens, got ${shown(iss.input)}`,
      })
      .max(MAX_NAME_PREFIX_LENGTH, {
        error: (iss) =>
          `would make AWS resource names too long: at most ${MAX_NAME_PREFIX_LENGTH} characters, got ${shown(iss.input)} (${String(iss.input).length})`,
      })
      // Bucket names start with `<namePrefix>-`: the generated names are checked in
      // full below; this pattern only carries the reserved prefixes to the JSON schema.
      .meta({ pattern: NAME_PREFIX_NOT_RESERVED.source })
      .default('ssmb')
      .describe('Prefix of every physical resource name. @default ssmb'),
    accounts: z.array(accountConfig).min(1, { error: 'must list at least one account' }),
    state: stateConfig.prefault({}).describe('Remote state (S3 backend) settings'),
    notifications: z
      .strictObject({
        emails: z.array(email).max(50).default([]).describe('E-mail addresses subscribed to the notification topic'),
      })
      .prefault({}),
    tags: resourceTags
      .default({})
      .describe(
        `Tags applied to every resource (provider default_tags); keys not starting with aws:, at most ${MAX_CONFIG_TAGS} (the baseline adds its own up to AWS's 50)`,
      ),
    logRetentionDays: logRetentionDays.default(365).describe('Retention of the log groups the baseline creates. @default 365'),
    cloudTrail: cloudTrailConfig.prefault({}),
    agentUpdate: agentUpdateConfig.prefault({}),
    inventory: inventoryConfig.prefault({}),
    patchHistory: patchHistoryConfig.prefault({}),
    amiAlerts: amiAlertsConfig.prefault({}),
    sessionManager: sessionManagerConfig.prefault({}),
    hub: hubConfig
      .optional()
      .describe(
        "One account-region that receives every account-region's events, runs the notifiers and holds the one topic (docs/organization.md). @default - none: every account-region notifies on its own",
      ),
  })
  .superRefine((cfg, ctx) => {
    const seen = (values: string[], field: string, what: string, path: (i: number) => (string | number)[]) => {
      const first = new Map<string, number>();
      values.forEach((v, i) => {
        const prev = first.get(v);
        if (prev === undefined) first.set(v, i);
        else ctx.addIssue({ code: 'custom', path: path(i), message: `duplicate ${what} ${shown(v)} (also at ${field}[${prev}])` });
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
            message: `duplicate region ${shown(r)} (also at accounts[${ai}].regions[${prev}])`,
          });
      });
      for (const field of ['deployRoleArn', 'stateRoleArn', 'planRoleArn'] as const) {
        const arn = a[field];
        // Malformed ARNs already have their own message.
        if (arn && iamRoleArn.safeParse(arn).success && arn.split(':')[4] !== a.id) {
          ctx.addIssue({
            code: 'custom',
            path: ['accounts', ai, field],
            message: `must be a role in account ${a.id} (the provider refuses any other account), got ${shown(arn)}`,
          });
        }
      }
      // A plan running as a role that can deploy (or write state) hands every pull request write access.
      for (const field of ['deployRoleArn', 'stateRoleArn'] as const) {
        if (a.planRoleArn && a.planRoleArn === a[field]) {
          ctx.addIssue({
            code: 'custom',
            path: ['accounts', ai, 'planRoleArn'],
            message: `must be a read-only role, not the ${field} (pull-request plans would run with write access), got ${shown(a.planRoleArn)}`,
          });
        }
      }
    });
    // Every generated bucket name (Naming.bucket and the default state bucket) starts
    // with `<namePrefix>-<account id>` or `<namePrefix>-tfstate-`: check what S3 sees.
    const generated = cfg.accounts.flatMap((a) => [
      `${cfg.namePrefix}-tfstate-${a.id}`,
      ...a.regions.map((r) => `${cfg.namePrefix}-${a.id}-${r}-x`),
    ]);
    // A malformed or overlong prefix already has its own message.
    const prefixOk = NAME_PREFIX.test(cfg.namePrefix) && cfg.namePrefix.length <= MAX_NAME_PREFIX_LENGTH;
    for (const name of prefixOk ? generated : []) {
      const problem = bucketNameProblem(name);
      if (problem) {
        ctx.addIssue({
          code: 'custom',
          path: ['namePrefix'],
          message: `makes bucket names S3 refuses: ${name} ${problem}, got ${shown(cfg.namePrefix)}`,
        });
        break;
      }
    }
    seen(
      cfg.accounts.map((a) => a.stateBucket ?? `${cfg.namePrefix}-tfstate-${a.id}`),
      'accounts',
      'state bucket',
      (i) => ['accounts', i, 'stateBucket'],
    );
    checkSessionManagerPlacement(cfg, (path, message) => ctx.addIssue({ code: 'custom', path, message }));
    checkHubPlacement(cfg, (path, message) => ctx.addIssue({ code: 'custom', path, message }));
  });

export type BaselineConfigInput = z.input<typeof baselineConfig>;
export type BaselineConfig = z.output<typeof baselineConfig>;
export type AccountConfig = BaselineConfig['accounts'][number];
