import { z } from 'zod';
import { letterStatuses } from '@kefu/shared';

export const listLettersSchema = z.object({
  notificationId: z.uuid().optional(),
  status: z
    .preprocess(
      (v) => (typeof v === 'string' ? v.split(',').filter(Boolean) : v),
      z.array(z.enum(letterStatuses)).min(1),
    )
    .optional(),
  manifestId: z.uuid().optional(),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
});
export type ListLettersQuery = z.output<typeof listLettersSchema>;

/** Waybill numbers as JSON: each letter by its reference (or id) with the number the post office gave it. */
export const recordWaybillsSchema = z.object({
  items: z
    .array(
      z
        .object({
          reference: z.string().trim().min(1).max(30).optional(),
          letterId: z.uuid().optional(),
          waybill: z.string().trim().min(1).max(40),
        })
        .refine((i) => Boolean(i.reference ?? i.letterId), { message: 'reference or letterId is required' }),
    )
    .min(1)
    .max(5000),
});
export type RecordWaybillsDto = z.output<typeof recordWaybillsSchema>;
