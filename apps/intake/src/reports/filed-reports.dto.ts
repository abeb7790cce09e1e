import { z } from 'zod';
import { reportKinds } from '@kefu/shared';

export const filedReportsSchema = z.object({
  kind: z.enum(reportKinds).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export type FiledReportsQuery = z.output<typeof filedReportsSchema>;

export const generateReportSchema = z.object({
  kind: z.enum(reportKinds).default('monthly'),
  /** 2026-W49, 2026-11, 2026-Q4 or 2026; default: the period running now. */
  period: z.string().max(10).optional(),
});
export type GenerateReportBody = z.output<typeof generateReportSchema>;

export const documentFormatSchema = z.enum(['xlsx', 'pdf']);
