import { z } from 'zod';
import { associationSchedule, complianceSeverity, maxConcurrency, maxErrors, shown, targets } from '../../platform/config/common';

/**
 * Statuses a State Manager instance association reports (`AssociationStatusName`);
 * the "EC2 State Manager Instance Association State Change" event carries one of them.
 */
export const ASSOCIATION_STATUSES = ['Success', 'Failed', 'Pending'] as const;

/**
 * How results are mailed: a mail per instance result (from the best-effort state-change
 * events), one digest per association run (reconciled from the SSM API), or both.
 */
export const NOTIFY_MODES = ['both', 'perInstance', 'digest'] as const;
export type NotifyMode = (typeof NOTIFY_MODES)[number];

/** SSM Agent versions are four dot-separated numbers, e.g. 3.3.2299.0. */
const agentVersion = z.string().regex(/^\d+\.\d+\.\d+\.\d+$/, {
  error: (iss) => `must be an SSM Agent version like 3.3.2299.0, got ${shown(iss.input)}`,
});

/** Retention of the association output objects (days); S3 needs at least 1. */
const retentionDays = z
  .number()
  .int()
  .min(1, { error: (iss) => `must be at least 1 day, got ${shown(iss.input)}` })
  .max(3650, { error: (iss) => `must be at most 3650 days (10 years), got ${shown(iss.input)}` });

/** SSM Agent auto-update. */
export const agentUpdateConfig = z
  .strictObject({
    enabled: z.boolean().default(true).describe('Deploy this capability. @default true'),
    targets: targets.prefault({}).describe('Instances the AWS-UpdateSSMAgent association targets. @default - all managed instances'),
    schedule: associationSchedule()
      .default('rate(14 days)')
      .describe("How often the association runs (rate(...) or cron(...)). @default rate(14 days), as the console's one-click setup"),
    version: agentVersion
      .optional()
      .describe("Install exactly this SSM Agent version (the document's `version` parameter). @default - the latest version"),
    allowDowngrade: z
      .boolean()
      .default(false)
      .describe('With version: let the update install an older agent than the one running. @default false'),
    maxConcurrency: maxConcurrency
      .default('10%')
      .describe('How many targets update at once (number from 1 or percentage from 1%), for a staggered rollout. @default 10%'),
    maxErrors: maxErrors
      .default('10%')
      .describe(
        'Stop sending the update to more targets after this many failures (number or percentage; 0 stops at the first failure). @default 10%',
      ),
    complianceSeverity: complianceSeverity
      .default('UNSPECIFIED')
      .describe("Severity of the association's compliance item when it fails. @default UNSPECIFIED"),
    applyOnlyAtCronInterval: z
      .boolean()
      .default(false)
      .describe('Run only at the cron times, not once right after creation or update (cron schedules only). @default false'),
    notify: z
      .enum(NOTIFY_MODES, { error: (iss) => `must be one of "both", "perInstance", "digest", got ${shown(iss.input)}` })
      .default('both')
      .describe(
        'How results are mailed: "perInstance" (a mail per instance result, from best-effort events), "digest" (one mail per run ' +
          'listing succeeded, failed and never-reported targets, read from the SSM API) or "both". @default both',
      ),
    notifyStatuses: z
      .array(z.enum(ASSOCIATION_STATUSES))
      .min(1, { error: 'must list at least one status (disable the capability to stop all mail)' })
      .default(['Success', 'Failed'])
      .describe('Instance results that send a per-instance e-mail (notify perInstance or both). @default ["Success", "Failed"]'),
    outputRetentionDays: retentionDays
      .default(400)
      .describe('Days the association output (stdout/stderr objects in S3) is kept. @default 400'),
    defaultHostManagement: z
      .boolean()
      .default(false)
      .describe(
        'Register the managed-instance role as the Default Host Management Configuration role of each account-region, ' +
          'so instances with IMDSv2 and SSM Agent >= 3.2.582.0 are managed without an instance profile. @default false',
      ),
  })
  .superRefine((cfg, ctx) => {
    if (cfg.applyOnlyAtCronInterval && !cfg.schedule.startsWith('cron(')) {
      ctx.addIssue({
        code: 'custom',
        path: ['applyOnlyAtCronInterval'],
        message: `needs a cron(...) schedule (State Manager does not support it with rate expressions), got schedule ${shown(cfg.schedule)}`,
      });
    }
    if (cfg.allowDowngrade && cfg.version === undefined) {
      ctx.addIssue({ code: 'custom', path: ['allowDowngrade'], message: 'needs version (the agent version to downgrade to)' });
    }
    const dup = cfg.notifyStatuses.find((s, i) => cfg.notifyStatuses.indexOf(s) !== i);
    if (dup) ctx.addIssue({ code: 'custom', path: ['notifyStatuses'], message: `lists ${shown(dup)} twice` });
  })
  .describe('SSM Agent auto-update');

export type AgentUpdateConfig = z.infer<typeof agentUpdateConfig>;
