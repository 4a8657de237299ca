import { z } from 'zod';

/** SSM Agent auto-update (capability 1, issue 4). */
export const agentUpdateConfig = z
  .strictObject({
    enabled: z.boolean().default(true).describe('Deploy this capability. @default true'),
  })
  .describe('SSM Agent auto-update (capability 1, issue 4)');

export type AgentUpdateConfig = z.infer<typeof agentUpdateConfig>;
