import { z } from 'zod';

/** Software inventory timeline (capability 2, issue 5). */
export const inventoryConfig = z
  .strictObject({
    enabled: z.boolean().default(true).describe('Deploy this capability. @default true'),
  })
  .describe('Software inventory timeline (capability 2, issue 5)');

export type InventoryConfig = z.infer<typeof inventoryConfig>;
