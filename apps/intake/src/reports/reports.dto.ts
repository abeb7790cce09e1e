import { z } from 'zod';

export const openCasesSchema = z.object({ projectId: z.uuid().optional() });
export type OpenCasesQuery = z.output<typeof openCasesSchema>;

export const monthlySchema = z.object({
  /** Calendar month in the business time zone; defaults to the current one. */
  month: z
    .string()
    .regex(/^\d{4}-(0[1-9]|1[0-2])$/, '月份格式应为 YYYY-MM (month must be YYYY-MM, e.g. 2026-11)')
    .optional(),
  projectId: z.uuid().optional(),
});
export type MonthlyQuery = z.output<typeof monthlySchema>;
