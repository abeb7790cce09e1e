import { z } from 'zod';
import { caseCategories } from '@kefu/shared';

/** PUT /api/v1/routing/responsibilities: the whole rule set, replaced at once. */
export const putResponsibilitiesSchema = z
  .object({
    /** The department cases no rule routes go to (客户服务部); null: none. */
    customerServiceDepartmentId: z.uuid('must be a department id').nullable(),
    rules: z
      .array(
        z.object({
          category: z.enum(caseCategories, `must be one of ${caseCategories.join(', ')}`),
          /** The estate the rule is for; null or absent: any estate (an estate's own rule wins). */
          projectId: z.uuid('must be an estate id').nullable().default(null),
          departmentId: z.uuid('must be a department id'),
        }),
      )
      .max(1000),
  })
  .superRefine((v, ctx) => {
    const seen = new Map<string, number>();
    v.rules.forEach((r, i) => {
      const key = `${r.category}|${r.projectId ?? '*'}`;
      const first = seen.get(key);
      if (first === undefined) seen.set(key, i);
      else
        ctx.addIssue({
          code: 'custom',
          path: ['rules', i],
          message: `同一类别与楼盘只能有一条规则 (repeats rules.${first}: ${r.category} in ${r.projectId ?? 'any estate'})`,
        });
    });
  });
export type PutResponsibilitiesDto = z.output<typeof putResponsibilitiesSchema>;

/** PUT /api/v1/routing/roster/:departmentId: the department's whole roster, replaced at once. */
export const putRosterSchema = z
  .object({
    entries: z
      .array(
        z
          .object({
            staffId: z.uuid('must be a staff id'),
            /** ISO weekday: 1 = Monday … 7 = Sunday (applies on working days, make-up working days included). */
            weekday: z.number().int().min(1, '1 = Monday … 7 = Sunday').max(7, '1 = Monday … 7 = Sunday').optional(),
            /** One date (a holiday duty, a swap): wins over the weekday's entries on that date. */
            day: z.iso.date('must be a date such as 2026-10-01').optional(),
          })
          .refine((e) => (e.weekday === undefined) !== (e.day === undefined), {
            message: '每条值班须给出 weekday 或 day 之一 (give either weekday or day)',
          }),
      )
      .max(1000),
  })
  .superRefine((v, ctx) => {
    const seen = new Map<string, number>();
    v.entries.forEach((e, i) => {
      const key = `${e.staffId}|${e.weekday ?? e.day}`;
      const first = seen.get(key);
      if (first === undefined) seen.set(key, i);
      else ctx.addIssue({ code: 'custom', path: ['entries', i], message: `repeats entries.${first}` });
    });
  });
export type PutRosterDto = z.output<typeof putRosterSchema>;

export const rosterQuerySchema = z.object({ departmentId: z.uuid('must be a department id').optional() });
export const onDutyQuerySchema = z.object({ day: z.iso.date('must be a date such as 2026-10-12').optional() });
