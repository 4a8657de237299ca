import { z } from 'zod';

/** Tagged-AMI alerts (capability 4, issue 7). */
export const amiAlertsConfig = z
  .strictObject({
    enabled: z.boolean().default(true).describe('Deploy this capability. @default true'),
  })
  .describe('Tagged-AMI alerts (capability 4, issue 7)');

export type AmiAlertsConfig = z.infer<typeof amiAlertsConfig>;
