import { z } from 'zod';
import { shown } from '../../platform/config/common';

/**
 * "AWS API Call via CloudTrail" events reach EventBridge only where a trail logs
 * management events. The AMI alerts and the Session Manager login alerts depend on it.
 */
export const cloudTrailConfig = z
  .strictObject({
    create: z
      .boolean()
      .default(false)
      .describe(
        'Create a minimal multi-region management-event trail in each account (in its first region). ' +
          'Leave false where an organization or account trail already logs management events. @default false',
      ),
    logExpirationDays: z
      .number()
      .int({ error: (iss) => `must be a whole number of days, got ${shown(iss.input)}` })
      .min(1, { error: (iss) => `must be at least 1 day, got ${shown(iss.input)}` })
      .max(3653, { error: (iss) => `must be at most 3653 days (10 years), got ${shown(iss.input)}` })
      .default(365)
      .describe('With create: delete trail log files this many days after delivery. @default 365'),
  })
  .describe('CloudTrail prerequisite for CloudTrail-based EventBridge rules');

export type CloudTrailConfig = z.infer<typeof cloudTrailConfig>;
