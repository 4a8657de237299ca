import { z } from 'zod';

/** CloudWatch Logs accepts only these retention periods (PutRetentionPolicy). */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

export const logRetentionDays = z
  .number()
  .int()
  .refine((v) => (LOG_RETENTION_DAYS as readonly number[]).includes(v), {
    error: (iss) => `must be one of ${LOG_RETENTION_DAYS.join(', ')} (CloudWatch Logs retention values), got ${JSON.stringify(iss.input)}`,
  });

export const accountId = z.string().regex(/^\d{12}$/, { error: (iss) => `must be 12 digits, got ${JSON.stringify(iss.input)}` });

export const iamRoleArn = z.string().regex(/^arn:aws:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/, {
  error: (iss) => `must be an IAM role ARN like arn:aws:iam::123456789012:role/name, got ${JSON.stringify(iss.input)}`,
});

export const email = z.string().regex(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, {
  error: (iss) => `must be an e-mail address, got ${JSON.stringify(iss.input)}`,
});

// ---------------------------------------------------------------------------------
// State Manager association schedules
// ---------------------------------------------------------------------------------

/**
 * State Manager runs an association at most every 30 minutes, and its rate()
 * intervals must be less than 31 days ("Reference: Cron and rate expressions for
 * Systems Manager": "intervals of 30 minutes or greater and less than 31 days").
 */
export const ASSOCIATION_MIN_INTERVAL_MINUTES = 30;
/** Exclusive upper bound of an association rate() interval, in minutes (31 days). */
export const ASSOCIATION_MAX_RATE_MINUTES = 31 * 24 * 60;

const RATE = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/;
const CRON = /^cron\(([^)]+)\)$/;

/** Expands a cron minute field (`0`, `0/30`, `*\/30`, `5,35`, `0-59/20`, `*`) to its minutes, or undefined when unreadable. */
export function cronMinutes(field: string): number[] | undefined {
  const minutes = new Set<number>();
  for (const part of field.split(',')) {
    const m = /^(\*|\d{1,2})(?:-(\d{1,2}))?(?:\/(\d{1,2}))?$/.exec(part);
    if (!m) return undefined;
    const start = m[1] === '*' ? 0 : Number(m[1]);
    // `a/step` runs from a to the end of the hour; `a` alone is one minute.
    const end = m[2] !== undefined ? Number(m[2]) : m[1] === '*' || m[3] !== undefined ? 59 : start;
    const step = m[3] !== undefined ? Number(m[3]) : 1;
    if (start > 59 || end > 59 || start > end || step < 1) return undefined;
    for (let v = start; v <= end; v += step) minutes.add(v);
  }
  return [...minutes].sort((a, b) => a - b);
}

const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;

/** Shortest gap, in minutes, between two runs within (and across) an hour. */
function shortestGap(minutes: number[]): number {
  if (minutes.length < 2) return 60;
  let gap = 60 - minutes[minutes.length - 1] + minutes[0];
  for (let i = 1; i < minutes.length; i++) gap = Math.min(gap, minutes[i] - minutes[i - 1]);
  return gap;
}

/**
 * Why `expr` is not an acceptable State Manager association schedule, or undefined.
 * rate() must run from `minIntervalMinutes` (at least State Manager's 30) up to, not
 * including, 31 days; cron() must have State Manager's 6 fields (optionally preceded
 * by seconds = 0) and its minutes field may not run more often than
 * `minIntervalMinutes`. The finer cron rules (which forms State Manager accepts) are
 * left to AWS. at() is refused: a one-time run is not a recurring association.
 */
export function associationScheduleProblem(
  expr: string,
  minIntervalMinutes: number = ASSOCIATION_MIN_INTERVAL_MINUTES,
): string | undefined {
  // Only the minutes field of a cron expression is read, so a minimum above an hour
  // could not be enforced for cron().
  if (!Number.isInteger(minIntervalMinutes) || minIntervalMinutes < ASSOCIATION_MIN_INTERVAL_MINUTES || minIntervalMinutes > 60) {
    throw new Error(
      `associationScheduleProblem: minIntervalMinutes must be a whole number from ${ASSOCIATION_MIN_INTERVAL_MINUTES} to 60, got ${minIntervalMinutes}`,
    );
  }
  const limit =
    minIntervalMinutes === ASSOCIATION_MIN_INTERVAL_MINUTES
      ? `State Manager runs an association at most every ${ASSOCIATION_MIN_INTERVAL_MINUTES} minutes`
      : `this association runs at most every ${plural(minIntervalMinutes, 'minute')}`;
  const got = `got ${JSON.stringify(expr)}`;
  const rate = RATE.exec(expr);
  if (rate) {
    const value = Number(rate[1]);
    const unit = rate[2];
    if (value < 1) return `must be a positive rate, ${got}`;
    if ((value === 1) !== !unit.endsWith('s')) {
      return `must use a singular unit for 1 and a plural one otherwise (e.g. rate(1 hour), rate(2 hours)), ${got}`;
    }
    const minutes = value * (unit.startsWith('minute') ? 1 : unit.startsWith('hour') ? 60 : 1440);
    if (minutes < minIntervalMinutes) {
      return `runs every ${plural(minutes, 'minute')}; ${limit} (use rate(${minIntervalMinutes} minutes) or slower), ${got}`;
    }
    if (minutes >= ASSOCIATION_MAX_RATE_MINUTES) return `must be less than 31 days apart (State Manager limit), ${got}`;
    return undefined;
  }
  const cron = CRON.exec(expr);
  if (cron) {
    const fields = cron[1].trim().split(/\s+/);
    if (fields.length !== 6 && fields.length !== 7) {
      return `must have 6 fields (minutes hours day-of-month month day-of-week year), optionally preceded by seconds = 0, ${got}`;
    }
    if (fields.length === 7 && fields[0] !== '0') return `the seconds field of an association cron expression can only be 0, ${got}`;
    const minuteField = fields[fields.length - 6];
    const minutes = cronMinutes(minuteField);
    if (!minutes) return `has an unreadable minutes field ${JSON.stringify(minuteField)}, ${got}`;
    const gap = shortestGap(minutes);
    if (gap < minIntervalMinutes) return `runs every ${plural(gap, 'minute')}; ${limit}, ${got}`;
    return undefined;
  }
  if (/^at\(.*\)$/.test(expr)) return `State Manager associations take rate(...) or cron(...), not at(...), ${got}`;
  return `must be rate(N minutes|hours|days) or cron(...), ${got}`;
}

/** A State Manager association schedule (see associationScheduleProblem), as a config field. */
export function associationSchedule(minIntervalMinutes: number = ASSOCIATION_MIN_INTERVAL_MINUTES) {
  // Fail at import, not at the first parse, when a caller asks for an impossible minimum.
  associationScheduleProblem('rate(1 day)', minIntervalMinutes);
  return z.string().superRefine((expr, ctx) => {
    const problem = associationScheduleProblem(expr, minIntervalMinutes);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });
}

/** A tag key/value pair as AWS accepts them (keys up to 128, values up to 256 characters). */
export const tagKey = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u, {
    error: (iss) => `is not a valid tag key, got ${JSON.stringify(iss.input)}`,
  });
export const tagValue = z.string().max(256);

/**
 * Which managed instances an association targets: every managed instance
 * (`InstanceIds = *`), or those carrying a tag key (optionally with given values).
 */
export const targets = z
  .strictObject({
    tagKey: tagKey.optional().describe('Target instances carrying this tag key. @default - all managed instances'),
    tagValues: z.array(tagValue).min(1).max(50).optional().describe('With tagKey: only these values. @default - any value'),
  })
  .refine((t) => t.tagValues === undefined || t.tagKey !== undefined, {
    error: 'tagValues needs tagKey',
    path: ['tagValues'],
  });
export type Targets = z.infer<typeof targets>;

/*
 * Rate controls of a State Manager association, exactly as the provider validates them
 * (terraform-provider-aws, internal/service/ssm/association.go) and as SSM's API reference
 * defines MaxConcurrency / MaxErrors (CreateAssociation: length 1-7 plus these patterns).
 * Concurrency cannot be 0 (nothing would run); an error budget of 0 or 0% stops at the
 * first failure.
 */
const MAX_RATE_CONTROL_LENGTH = 7;
const rateControl = (pattern: RegExp, allowed: string) => {
  const error = (iss: { input?: unknown }) => `must be ${allowed}, got ${JSON.stringify(iss.input)}`;
  // Regex and length rather than a refine, so the JSON schema carries both to editors.
  return z.string().max(MAX_RATE_CONTROL_LENGTH, { error }).regex(pattern, { error });
};

/** MaxConcurrency: 1 to 9999999 targets, or 1% to 100%. */
export const maxConcurrency = rateControl(
  /^([1-9][0-9]*|[1-9][0-9]%|[1-9]%|100%)$/,
  'a whole number of targets from 1 (e.g. "5") or a percentage from 1% to 100% (e.g. "10%"); 0 would run nothing',
);

/** MaxErrors: 0 to 9999999 errors, or 0% to 100%. */
export const maxErrors = rateControl(
  /^([1-9][0-9]*|0|[1-9][0-9]%|[0-9]%|100%)$/,
  'a whole number of errors from 0 (e.g. "1") or a percentage from 0% to 100% (e.g. "10%")',
);

export const complianceSeverity = z.enum(['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'UNSPECIFIED']);
