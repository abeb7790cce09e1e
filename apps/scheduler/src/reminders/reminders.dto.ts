import { z } from 'zod';

export const listRemindersSchema = z.object({
  state: z.enum(['due', 'overdue', 'unacknowledged', 'acknowledged', 'all']).default('unacknowledged'),
  scope: z.enum(['mine', 'team']).default('mine'),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export type ListRemindersQuery = z.output<typeof listRemindersSchema>;
