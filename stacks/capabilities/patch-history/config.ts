import { z } from 'zod';
import { associationSchedule, maxConcurrency, maxErrors, parseCron, shown, tagKey, tagValue, targets } from '../../platform/config/common';

/** The classifications the field report snapshotted (Windows and Linux names together). */
export const DEFAULT_CLASSIFICATIONS = ['Security', 'CriticalUpdates', 'SecurityUpdates'] as const;

/**
 * Nodes of one listing page (50) read at once, at most. More parallel reads mostly buy
 * SSM throttling (DescribeInstancePatches has no published rate; retries back off).
 */
export const MAX_MAP_CONCURRENCY = 40;

/**
 * Patch compliance states as DescribeInstancePatches filters and returns them (Systems
 * Manager User Guide, "Patch compliance state values"; API reference, DescribeInstancePatches).
 */
export const PATCH_STATES = [
  'Installed',
  'InstalledOther',
  'InstalledPendingReboot',
  'InstalledRejected',
  'Missing',
  'NotApplicable',
  'Failed',
  'AvailableSecurityUpdate',
] as const;

/**
 * Reserved sub-prefix (under `s3Prefix`) for the distributed Map's result files; the
 * leading underscore keeps it out of Hive-style readers such as Athena.
 */
export const RUNS_FOLDER = '_runs';

/**
 * EventBridge Scheduler recurring expressions: rate(N minutes|hours|days) or a
 * six-field cron(...). A one-time at(...) would take one snapshot and never another.
 */
const SNAPSHOT_SCHEDULE_SHAPE = /^(rate\([1-9]\d* (minute|minutes|hour|hours|day|days)\)|cron\(\S+( \S+){5}\))$/;
const snapshotSchedule = z
  .string()
  .regex(SNAPSHOT_SCHEDULE_SHAPE, {
    error: (iss) =>
      `must be a recurring EventBridge Scheduler expression, rate(N minutes|hours|days) or cron(min hour day month weekday year), got ${shown(iss.input)}`,
  })
  .refine((s) => !/^rate\(1 (minutes|hours|days)\)$/.test(s) && !/^rate\(([2-9]|\d{2,}) (minute|hour|day)\)$/.test(s), {
    error: (iss) => `uses the wrong plural: Scheduler wants rate(1 day) / rate(7 days), got ${shown(iss.input)}`,
  })
  .refine((s) => !/^rate\(\d+ minutes?\)$/.test(s) || Number(/\d+/.exec(s)![0]) >= 60, {
    error: (iss) =>
      `snapshots more often than hourly cost state transitions without adding history (a scan changes the data at most as often as its own schedule), got ${shown(iss.input)}`,
  })
  // The fields of a cron(): ranges, names, L/W/#, and ? in one day field (synth only).
  .superRefine((s, ctx) => {
    const cron = /^cron\((.*)\)$/.exec(s);
    if (!cron || !SNAPSHOT_SCHEDULE_SHAPE.test(s)) return;
    const parsed = parseCron(cron[1], 'scheduler');
    if ('problem' in parsed) ctx.addIssue({ code: 'custom', message: `${parsed.problem}, got ${shown(s)}` });
  });

/** An IANA time zone that the runtime (like Scheduler) knows, e.g. UTC or Asia/Tokyo. */
const timeZone = z.string().refine(
  (tz) => {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  },
  { error: (iss) => `must be an IANA time zone such as UTC or Asia/Tokyo, got ${shown(iss.input)}` },
);

/**
 * A patch classification as `DescribeInstancePatches` filters them: Windows
 * (CriticalUpdates, SecurityUpdates, ...) and Linux (Security, Bugfix, ...) names.
 * Letters only, so the value is also safe inside the state machine's strings.
 */
const classification = z.string().regex(/^[A-Za-z]{1,64}$/, {
  error: (iss) => `must be a patch classification such as Security or CriticalUpdates (letters only), got ${shown(iss.input)}`,
});

/**
 * The key prefix of the snapshots: S3 "safe characters" only, no leading or trailing
 * "/", no empty segment, and no segment starting with "_" (the runs folder, and a
 * Hive-hidden name Athena would skip).
 */
const s3Prefix = z
  .string()
  .max(200, { error: (iss) => `must be at most 200 characters, got ${String(iss.input).length}` })
  .regex(/^[A-Za-z0-9.-][A-Za-z0-9!_.*()-]*(\/[A-Za-z0-9.-][A-Za-z0-9!_.*()-]*)*$/, {
    error: (iss) =>
      `must be an S3 key prefix of letters, digits and !_.*()- separated by "/", without leading or trailing "/" and with no segment starting with "_", got ${shown(iss.input)}`,
  });

const days = (max: number) =>
  z
    .number()
    .int({ error: (iss) => `must be a whole number of days, got ${shown(iss.input)}` })
    .min(1, { error: (iss) => `must be at least 1 day, got ${shown(iss.input)}` })
    .max(max, { error: (iss) => `must be at most ${max} days, got ${shown(iss.input)}` });

/** Patch-compliance history. */
export const patchHistoryConfig = z
  .strictObject({
    enabled: z.boolean().default(true).describe('Deploy this capability. @default true'),

    // The scan that produces the data.
    skipScanAssociation: z
      .boolean()
      .default(false)
      .describe(
        'Do not create the AWS-RunPatchBaseline Scan association, because Quick Setup, a patch policy or a maintenance window already scans these instances. ' +
          'Without any scan DescribeInstancePatches returns nothing. @default false',
      ),
    scanTargets: targets
      .optional()
      .describe('Instances the Scan association targets. @default - the instances the snapshot reads (tagKey, and tagValue when set)'),
    scanSchedule: associationSchedule()
      .default('rate(1 day)')
      .describe('How often the Scan association runs (rate(...) or cron(...)). @default rate(1 day)'),
    scanMaxConcurrency: maxConcurrency.default('10%').describe('How many targets scan at once (number or percentage). @default 10%'),
    scanMaxErrors: maxErrors
      .default('10%')
      .describe('Stop scanning more targets after this many failures (number or percentage). @default 10%'),

    // Which instances and patches a snapshot reads.
    tagKey: tagKey.default('CheckPatch').describe('Snapshot managed nodes (EC2 and hybrid) that carry this tag key. @default CheckPatch'),
    tagValue: tagValue
      .min(1, { error: 'must not be empty (leave tagValue out to match any value)' })
      .optional()
      .describe('With tagKey: only nodes whose tag has this value. @default - any value'),
    classifications: z
      .array(classification)
      .min(1, { error: 'must list at least one classification' })
      .max(20, { error: (iss) => `must list at most 20 classifications, got ${(iss.input as unknown[]).length}` })
      .default([...DEFAULT_CLASSIFICATIONS])
      .describe(
        'Patch classifications a snapshot keeps (DescribeInstancePatches Classification filter). @default ["Security", "CriticalUpdates", "SecurityUpdates"]',
      ),
    patchStates: z
      .array(
        z.enum(PATCH_STATES, {
          error: (iss) => `must be a patch state (${PATCH_STATES.join(', ')}), got ${shown(iss.input)}`,
        }),
      )
      .min(1, { error: 'must list at least one patch state (leave patchStates out to keep every state)' })
      .optional()
      .describe(
        'Patch states a snapshot keeps (DescribeInstancePatches State filter), e.g. ["Missing", "Failed", "InstalledPendingReboot"]. @default - every state',
      ),

    // When and how fast snapshots run.
    schedule: snapshotSchedule.default('rate(7 days)').describe('EventBridge Scheduler expression of the snapshots. @default rate(7 days)'),
    scheduleTimezone: timeZone.default('UTC').describe('Time zone of a cron(...) schedule. @default UTC'),
    flexibleWindowMinutes: z
      .number()
      .int()
      .min(0, { error: (iss) => `must be 0 (off) to 1440 minutes, got ${shown(iss.input)}` })
      .max(1440, { error: (iss) => `must be 0 (off) to 1440 minutes, got ${shown(iss.input)}` })
      .default(0)
      .describe('Let Scheduler start up to this many minutes late to spread load; 0 starts on time. @default 0'),
    maxConcurrency: z
      .number()
      .int({ error: (iss) => `must be a whole number, got ${shown(iss.input)}` })
      .min(1, { error: (iss) => `must be 1 to ${MAX_MAP_CONCURRENCY}, got ${shown(iss.input)}` })
      .max(MAX_MAP_CONCURRENCY, {
        error: (iss) => `must be 1 to ${MAX_MAP_CONCURRENCY} (nodes of one listing page read at once), got ${shown(iss.input)}`,
      })
      .default(2)
      .describe(
        'Managed nodes read at once, each in its own child execution (keeps DescribeInstancePatches under its API rate; higher shortens a large run). @default 2',
      ),

    // Where snapshots go and how long they stay.
    s3Prefix: s3Prefix.default('patch-history').describe('Key prefix of the snapshots in the history bucket. @default patch-history'),
    retentionDays: days(3650).default(730).describe('Days a snapshot object is kept. @default 730'),
    queryResultRetentionDays: days(3650).default(30).describe('Days Athena query results are kept. @default 30'),
    logLevel: z
      .enum(['ALL', 'ERROR'])
      .default('ERROR')
      .describe('Step Functions execution log level (ERROR logs failed states only; ALL logs every state). @default ERROR'),
  })
  .superRefine((cfg, ctx) => {
    const first = new Map<string, number>();
    cfg.classifications.forEach((c, i) => {
      const prev = first.get(c);
      if (prev === undefined) first.set(c, i);
      else
        ctx.addIssue({
          code: 'custom',
          path: ['classifications', i],
          message: `duplicate classification ${shown(c)} (also at classifications[${prev}])`,
        });
    });
    const firstState = new Map<string, number>();
    (cfg.patchStates ?? []).forEach((st, i) => {
      const prev = firstState.get(st);
      if (prev === undefined) firstState.set(st, i);
      else
        ctx.addIssue({
          code: 'custom',
          path: ['patchStates', i],
          message: `duplicate patch state ${shown(st)} (also at patchStates[${prev}])`,
        });
    });
    if (cfg.skipScanAssociation && cfg.scanTargets !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['scanTargets'],
        message: 'has no effect with skipScanAssociation: true (remove one of them)',
      });
    }
  })
  .describe('Patch-compliance history');

export type PatchHistoryConfig = z.infer<typeof patchHistoryConfig>;

/** The scan targets in effect: the configured ones, or the instances the snapshot reads. */
export function effectiveScanTargets(cfg: PatchHistoryConfig): z.infer<typeof targets> {
  if (cfg.scanTargets !== undefined) return cfg.scanTargets;
  return cfg.tagValue === undefined ? { tagKey: cfg.tagKey } : { tagKey: cfg.tagKey, tagValues: [cfg.tagValue] };
}
