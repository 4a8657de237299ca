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

export const iamRoleArn = z
  .string()
  .regex(/^arn:aws:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/, {
    error: (iss) => `must be an IAM role ARN like arn:aws:iam::123456789012:role/name, got ${JSON.stringify(iss.input)}`,
  });

export const email = z.string().regex(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, {
  error: (iss) => `must be an e-mail address, got ${JSON.stringify(iss.input)}`,
});

/** SSM association schedule: rate(...) or cron(...). AWS validates the body; we check the shape. */
export const scheduleExpression = z.string().regex(/^(rate\(\d+ (minute|minutes|hour|hours|day|days)\)|cron\([^)]+\)|at\([^)]+\))$/, {
  error: (iss) => `must be rate(N unit) or cron(...), got ${JSON.stringify(iss.input)}`,
});

/** A tag key/value pair as AWS accepts them (keys up to 128, values up to 256 characters). */
export const tagKey = z.string().min(1).max(128).regex(/^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u, {
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

export const percentOrCount = z.string().regex(/^([1-9]\d*|[1-9]\d?%|100%|0)$/, {
  error: (iss) => `must be a number (e.g. "5") or a percentage (e.g. "10%"), got ${JSON.stringify(iss.input)}`,
});

export const complianceSeverity = z.enum(['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'UNSPECIFIED']);
