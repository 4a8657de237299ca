import { z } from 'zod';

/**
 * "AWS API Call via CloudTrail" events reach EventBridge only where a trail logs
 * management events. Capabilities 4 (AMI alerts) and 5 (login alerts) depend on it.
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
  })
  .describe('CloudTrail prerequisite for CloudTrail-based EventBridge rules');

export type CloudTrailConfig = z.infer<typeof cloudTrailConfig>;
