import { z } from 'zod';

/** Longest echo of a bad value in an error line, in characters. */
export const MAX_SHOWN_LENGTH = 80;

/**
 * A bad value as an error line shows it: JSON, cut to MAX_SHOWN_LENGTH characters
 * with an ellipsis and the full length, so a huge value never floods the output.
 */
export function shown(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  if (text.length <= MAX_SHOWN_LENGTH) return text;
  return `${text.slice(0, MAX_SHOWN_LENGTH - 1)}… (${text.length} characters)`;
}

/** CloudWatch Logs accepts only these retention periods (PutRetentionPolicy). */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

// A literal set rather than a refinement, so the JSON schema lists the values too.
export const logRetentionDays = z.literal(LOG_RETENTION_DAYS, {
  error: (iss) => `must be one of ${LOG_RETENTION_DAYS.join(', ')} (CloudWatch Logs retention values), got ${shown(iss.input)}`,
});

export const accountId = z.string().regex(/^\d{12}$/, { error: (iss) => `must be 12 digits, got ${shown(iss.input)}` });

export const iamRoleArn = z.string().regex(/^arn:aws:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/, {
  error: (iss) => `must be an IAM role ARN like arn:aws:iam::123456789012:role/name, got ${shown(iss.input)}`,
});

export const email = z.string().regex(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, {
  error: (iss) => `must be an e-mail address, got ${shown(iss.input)}`,
});

// ---------------------------------------------------------------------------------
// Cron expressions
// ---------------------------------------------------------------------------------

/**
 * AWS cron expressions, field by field, for the two services that read them here:
 * State Manager associations ("Reference: Cron and rate expressions for Systems
 * Manager") and EventBridge Scheduler ("Schedule types": cron). Both take
 * `minutes hours day-of-month month day-of-week year` with Quartz-style wildcards and
 * want `?` in exactly one of the two day fields. They differ in that State Manager
 * also takes a leading seconds field (only 0 makes sense for an association) and a
 * step (`/`) in day-of-week, which Scheduler's table does not list.
 */

export type CronDialect = 'stateManager' | 'scheduler';

export interface CronFields {
  readonly minutes: string;
  readonly hours: string;
  readonly dayOfMonth: string;
  readonly month: string;
  readonly dayOfWeek: string;
  readonly year: string;
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

interface FieldSpec {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  /** How the range reads in a message. */
  readonly range: string;
  readonly names?: readonly string[];
  readonly step: boolean;
}

const SPECS = {
  minutes: { name: 'minutes', min: 0, max: 59, range: '0-59', step: true },
  hours: { name: 'hours', min: 0, max: 23, range: '0-23', step: true },
  dayOfMonth: { name: 'day-of-month', min: 1, max: 31, range: '1-31', step: true },
  month: { name: 'month', min: 1, max: 12, range: '1-12 or JAN-DEC', names: MONTHS, step: true },
  dayOfWeek: { name: 'day-of-week', min: 1, max: 7, range: '1-7 or SUN-SAT', names: DAYS, step: true },
  year: { name: 'year', min: 1970, max: 2199, range: '1970-2199', step: true },
} satisfies Record<keyof CronFields, FieldSpec>;

/** A value of the field (a number or, for months and days, a name), or a problem. */
function value(text: string, spec: FieldSpec, field: string): number | string {
  let n: number;
  if (/^\d+$/.test(text)) n = Number(text);
  else if (spec.names && spec.names.includes(text.toUpperCase())) n = spec.names.indexOf(text.toUpperCase()) + 1;
  else return `the ${spec.name} field ${shown(field)} is not a ${spec.name} value (${spec.range})`;
  if (n < spec.min || n > spec.max) return `the ${spec.name} field ${shown(field)} is out of range (${spec.range})`;
  return n;
}

/** Why a list of `*`, values, ranges `a-b` and steps `x/n` is not a valid field, or undefined. */
function listProblem(field: string, spec: FieldSpec, allowStep: boolean): string | undefined {
  for (const item of field.split(',')) {
    const [head, step, ...rest] = item.split('/');
    if (rest.length > 0) return `the ${spec.name} field ${shown(field)} has more than one step (/)`;
    if (step !== undefined) {
      if (!allowStep) return `the ${spec.name} field ${shown(field)} takes no step (/) in EventBridge Scheduler`;
      if (!/^\d+$/.test(step) || Number(step) < 1 || Number(step) > spec.max) {
        return `the ${spec.name} field ${shown(field)} has a step that is not a number from 1 to ${spec.max}`;
      }
    }
    if (head === '*') continue;
    const bounds = head.split('-');
    if (bounds.length > 2 || bounds.some((b) => b === '')) {
      return `the ${spec.name} field ${shown(field)} is not a ${spec.name} value (${spec.range})`;
    }
    for (const b of bounds) {
      const v = value(b, spec, field);
      if (typeof v === 'string') return v;
    }
  }
  return undefined;
}

function dayOfMonthProblem(field: string): string | undefined {
  if (field === '?' || field === 'L' || field === 'LW') return undefined;
  const w = /^(\d+)W$/.exec(field);
  if (w) {
    const day = value(w[1], SPECS.dayOfMonth, field);
    return typeof day === 'string' ? day : undefined;
  }
  return listProblem(field, SPECS.dayOfMonth, true);
}

function dayOfWeekProblem(field: string, dialect: CronDialect): string | undefined {
  const spec = SPECS.dayOfWeek;
  if (field === '?' || field === 'L') return undefined;
  if (field.includes('#')) {
    const m = /^([^#,]+)#(\d+)$/.exec(field);
    if (!m) return `the ${spec.name} field ${shown(field)} takes one expression with # (AWS reads a list as two)`;
    const day = value(m[1], spec, field);
    if (typeof day === 'string') return day;
    if (Number(m[2]) < 1 || Number(m[2]) > 5) {
      return `the ${spec.name} field ${shown(field)} asks for occurrence ${m[2]} of a weekday (1-5)`;
    }
    return undefined;
  }
  const last = /^(.+)L$/.exec(field);
  if (last) {
    const day = value(last[1], spec, field);
    return typeof day === 'string' ? day : undefined;
  }
  return listProblem(field, spec, dialect === 'stateManager');
}

/**
 * Reads the inside of `cron(...)`: the fields, or why AWS would refuse them. State
 * Manager takes an optional leading seconds field, which must be 0.
 */
export function parseCron(body: string, dialect: CronDialect): { fields: CronFields } | { problem: string } {
  let parts = body.trim().split(/\s+/);
  if (dialect === 'stateManager') {
    if (parts.length !== 6 && parts.length !== 7) {
      return {
        problem: 'must have 6 fields (minutes hours day-of-month month day-of-week year), optionally preceded by seconds = 0',
      };
    }
    if (parts.length === 7) {
      if (parts[0] !== '0') return { problem: 'the seconds field of an association cron expression can only be 0' };
      parts = parts.slice(1);
    }
  } else if (parts.length !== 6) {
    return { problem: `must have 6 fields (minutes hours day-of-month month day-of-week year), got ${parts.length}` };
  }
  const [minutes, hours, dayOfMonth, month, dayOfWeek, year] = parts;
  const problem =
    listProblem(minutes, SPECS.minutes, true) ??
    listProblem(hours, SPECS.hours, true) ??
    dayOfMonthProblem(dayOfMonth) ??
    listProblem(month, SPECS.month, true) ??
    dayOfWeekProblem(dayOfWeek, dialect) ??
    listProblem(year, SPECS.year, true);
  if (problem) return { problem };
  if (dayOfMonth === '?' && dayOfWeek === '?') return { problem: 'needs a value or * in day-of-month or day-of-week, not ? in both' };
  if (dayOfMonth !== '?' && dayOfWeek !== '?') {
    return { problem: 'needs ? in day-of-month or day-of-week (AWS refuses a value or * in both)' };
  }
  return { fields: { minutes, hours, dayOfMonth, month, dayOfWeek, year } };
}

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

/** The shape of an association schedule, as a pattern the JSON schema carries too; the fields are checked below. */
const ASSOCIATION_SCHEDULE_SHAPE = /^(rate\(\d+ (minute|minutes|hour|hours|day|days)\)|cron\([^)]+\))$/;

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
 * by seconds = 0), each in its range with `?` in one day field (parseCron), and
 * its minutes field may not run more often than `minIntervalMinutes`. at() is
 * refused: a one-time run is not a recurring association.
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
  const got = `got ${shown(expr)}`;
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
    const parsed = parseCron(cron[1], 'stateManager');
    if ('problem' in parsed) return `${parsed.problem}, ${got}`;
    const minuteField = parsed.fields.minutes;
    const minutes = cronMinutes(minuteField);
    if (!minutes) return `has an unreadable minutes field ${shown(minuteField)}, ${got}`;
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
  return z
    .string()
    .superRefine((expr, ctx) => {
      const problem = associationScheduleProblem(expr, minIntervalMinutes);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .meta({ pattern: ASSOCIATION_SCHEDULE_SHAPE.source });
}

/** AWS's tag character set (Tagging AWS resources, "Tag naming limits"): letters, digits, spaces and _ . : / = + - @. */
const TAG_CHARACTERS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
const TAG_CHARACTERS_REASON = 'must use only letters, digits, spaces and _ . : / = + - @ (AWS tag characters)';

/** A tag key/value pair as AWS accepts them (keys up to 128, values up to 256 characters), for matching existing tags. */
export const tagKey = z
  .string()
  .min(1)
  .max(128)
  .regex(TAG_CHARACTERS, {
    error: (iss) => `is not a valid tag key, got ${shown(iss.input)}`,
  });
export const tagValue = z.string().max(256);

/** Tag keys every resource of a stack carries from the provider's default_tags (provider.ts). */
export const BASELINE_DEFAULT_TAG_KEYS = ['ManagedBy', 'SsmBaselineStack'] as const;
/** Every tag key the baseline itself may put on one resource: the default tags and a resource's own Name. */
export const BASELINE_TAG_KEYS = [...BASELINE_DEFAULT_TAG_KEYS, 'Name'] as const;
/** AWS allows 50 tags per resource; the baseline's own come out of that budget. */
export const MAX_CONFIG_TAGS = 50 - BASELINE_TAG_KEYS.length;

/**
 * A key of a tag the baseline applies: AWS's characters, no `aws:` prefix (AWS
 * reserves it, in any case), and not `__proto__`, which a JavaScript object cannot
 * hold as a plain key (it would vanish). Regexes rather than refinements, so the JSON
 * schema says the same.
 */
export const resourceTagKey = z
  .string()
  .min(1, { error: 'must not be empty' })
  .max(128, { error: (iss) => `must be at most 128 characters (AWS tag key limit), got ${shown(iss.input)}` })
  .regex(TAG_CHARACTERS, { error: (iss) => `${TAG_CHARACTERS_REASON}, got ${shown(iss.input)}` })
  .regex(/^(?![aA][wW][sS]:)/, { error: (iss) => `keys starting with "aws:" are reserved by AWS, got ${shown(iss.input)}` })
  .regex(/^(?!__proto__$)/, {
    error: (iss) => `is a name JavaScript objects reserve, so the key would be lost: choose another key, got ${shown(iss.input)}`,
  });

/** A value of a tag the baseline applies: AWS's characters (no control characters), up to 256. */
export const resourceTagValue = z
  .string()
  .max(256, { error: (iss) => `must be at most 256 characters (AWS tag value limit), got ${shown(iss.input)}` })
  .regex(TAG_CHARACTERS, { error: (iss) => `${TAG_CHARACTERS_REASON}, got ${shown(iss.input)}` });

/** Tags the baseline applies to every resource (provider default_tags). */
export const resourceTags = z
  .record(resourceTagKey, resourceTagValue)
  .superRefine((tags, ctx) => {
    const keys = Object.keys(tags);
    if (keys.length > MAX_CONFIG_TAGS) {
      ctx.addIssue({
        code: 'custom',
        message: `at most ${MAX_CONFIG_TAGS} tags (AWS allows 50 per resource and the baseline adds ${BASELINE_TAG_KEYS.join(', ')}), got ${keys.length}`,
      });
    }
    // IAM compares tag keys without case: a second spelling fails TagRole.
    const seen = new Map<string, string>();
    for (const key of keys) {
      const folded = key.toLowerCase();
      if (BASELINE_DEFAULT_TAG_KEYS.some((k) => k.toLowerCase() === folded)) {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `is set by the baseline on every resource (${BASELINE_DEFAULT_TAG_KEYS.join(', ')}): choose another key, got ${shown(key)}`,
        });
        continue;
      }
      const first = seen.get(folded);
      if (first !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `differs from tags.${first} only in case; IAM treats tag keys case-insensitively, got ${shown(key)}`,
        });
      } else seen.set(folded, key);
    }
  })
  .meta({ maxProperties: MAX_CONFIG_TAGS });

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
  const error = (iss: { input?: unknown }) => `must be ${allowed}, got ${shown(iss.input)}`;
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

// ---------------------------------------------------------------------------------
// S3 bucket names ("General purpose bucket naming rules")
// ---------------------------------------------------------------------------------

/** Prefixes S3 reserves for its own names. */
export const S3_RESERVED_PREFIXES = ['xn--', 'sthree-', 'amzn-s3-demo-'] as const;
/** Suffixes S3 reserves (access point aliases, Object Lambda, Multi-Region Access Points, directory and table buckets). */
export const S3_RESERVED_SUFFIXES = ['-s3alias', '--ol-s3', '.mrap', '--x-s3', '--table-s3'] as const;

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * One rule per regex, each with its own reason, so an error says exactly which rule a
 * name breaks and the JSON schema carries every rule (its patterns are ANDed).
 */
const BUCKET_NAME_RULES: ReadonlyArray<readonly [RegExp, string]> = [
  [/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be a valid S3 bucket name (3-63 lower-case letters, digits, dots, hyphens)'],
  ...S3_RESERVED_PREFIXES.map(
    (p) => [new RegExp(`^(?!${escapeRegex(p)})`), `must not start with ${JSON.stringify(p)} (S3 reserves it)`] as const,
  ),
  ...S3_RESERVED_SUFFIXES.map(
    (p) => [new RegExp(`^(?!.*${escapeRegex(p)}$)`), `must not end with ${JSON.stringify(p)} (S3 reserves it)`] as const,
  ),
  [/^(?!\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$)/, 'must not be formatted as an IP address'],
  [/^(?!.*\.\.)/, 'must not contain two adjacent periods'],
];

/** Why S3 would refuse this bucket name, or undefined. */
export function bucketNameProblem(name: string): string | undefined {
  return BUCKET_NAME_RULES.find(([re]) => !re.test(name))?.[1];
}

/** A bucket name S3 accepts. */
export const bucketName = BUCKET_NAME_RULES.reduce(
  (schema, [re, reason]) => schema.regex(re, { error: (iss) => `${reason}, got ${shown(iss.input)}` }),
  z.string(),
);
