import { z } from 'zod';
import { caseChannels, intakeOutcomes } from '@kefu/shared';

const csv = <T extends readonly [string, ...string[]]>(values: T) =>
  z
    .preprocess((v) => (typeof v === 'string' ? v.split(',').filter(Boolean) : v), z.array(z.enum(values)).min(1))
    .optional();

export const listIntakeRecordsSchema = z.object({
  outcome: csv(intakeOutcomes),
  channel: csv(caseChannels),
  /** e.g. imap:cs */
  source: z.string().trim().min(1).max(100).optional(),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
});
export type ListIntakeRecordsQuery = z.output<typeof listIntakeRecordsSchema>;
