import { z } from 'zod';

export const yearQuerySchema = z.object({
  year: z.coerce
    .number()
    .int()
    .min(2000, 'must be a year such as 2026')
    .max(2100, 'must be a year such as 2026')
    .optional(),
});
export type YearQuery = z.output<typeof yearQuerySchema>;

export const projectParamSchema = z.object({ projectId: z.uuid({ message: 'must be an estate id (uuid)' }) });
export const planParamSchema = projectParamSchema.extend({
  year: z.coerce.number().int().min(2000, 'must be a year such as 2026').max(2100, 'must be a year such as 2026'),
});

export const setStaffSchema = z
  .object({
    staffIds: z
      .array(z.uuid({ message: 'must be a staff id (uuid)' }))
      .max(200)
      .refine((ids) => new Set(ids).size === ids.length, 'lists a member of staff twice'),
  })
  .strict();
export type SetStaffDto = z.output<typeof setStaffSchema>;
