import { z } from 'zod';

/** Audited Session Manager access (capability 5, issue 8). */
export const sessionManagerConfig = z
  .strictObject({
    enabled: z.boolean().default(true).describe('Deploy this capability. @default true'),
  })
  .describe('Audited Session Manager access (capability 5, issue 8)');

export type SessionManagerConfig = z.infer<typeof sessionManagerConfig>;
