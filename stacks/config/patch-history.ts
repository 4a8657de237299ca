import { z } from 'zod';

/** Patch-compliance history (capability 3, issue 6). */
export const patchHistoryConfig = z
  .strictObject({
    enabled: z.boolean().default(true).describe('Deploy this capability. @default true'),
  })
  .describe('Patch-compliance history (capability 3, issue 6)');

export type PatchHistoryConfig = z.infer<typeof patchHistoryConfig>;
