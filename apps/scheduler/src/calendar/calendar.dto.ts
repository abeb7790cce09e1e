import { z } from 'zod';
import { durationUnits } from '@kefu/shared';

const day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date like 2026-10-01')
  .refine(
    (d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d),
    'is not a real date',
  );

export const daysQuerySchema = z
  .object({ from: day, to: day })
  .refine((q) => q.from <= q.to, { message: 'must not be before from', path: ['to'] })
  .refine((q) => (Date.parse(q.to) - Date.parse(q.from)) / 86_400_000 <= 400, {
    message: 'at most 400 days at a time',
    path: ['to'],
  });

export const overrideParamSchema = z.object({ day });
export const overrideBodySchema = z.object({
  kind: z.enum(['workday', 'day_off']),
  note: z.string().trim().min(1, 'say why, e.g. "2027 State Council notice" or "typhoon closure"').max(200),
});

export const deadlineQuerySchema = z.object({
  start: z.iso.datetime({ offset: true, message: 'must be an ISO time such as 2026-09-30T14:00:00+08:00' }),
  amount: z.coerce.number().positive().max(1000),
  unit: z.enum(durationUnits),
});
