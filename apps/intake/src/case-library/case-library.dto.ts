import { z } from 'zod';
import { correctiveActionStatuses } from '@kefu/shared';

const text = (what: string, max: number) =>
  z
    .string({ error: `${what} is required` })
    .trim()
    .min(2, `请填写${what} (${what} is required)`)
    .max(max);

export const searchSchema = z.object({
  q: z.string().trim().min(1, '请输入搜索词 (q is required)').max(100),
  typical: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  offset: z.coerce.number().int().min(0).max(10_000).default(0),
});
export type SearchQuery = z.output<typeof searchSchema>;

/** 典型案例 write-up: problem, cause, handling, lesson, tags. */
export const writeupSchema = z.object({
  title: text('标题', 100),
  problem: text('问题', 5000),
  cause: text('原因', 5000),
  handling: text('处理', 5000),
  lesson: text('经验教训', 5000),
  tags: z.array(z.string().trim().min(1).max(20)).max(10).default([]),
});
export type WriteupBody = z.output<typeof writeupSchema>;

export const shareSchema = z.object({
  departmentIds: z.array(z.uuid('departmentIds must be department ids')).min(1, '请选择部门').max(50),
});
export type ShareBody = z.output<typeof shareSchema>;

export const listWriteupsSchema = z.object({
  tag: z.string().trim().min(1).max(20).optional(),
  format: z.enum(['json', 'csv', 'xlsx']).default('json'),
});
export type ListWriteupsQuery = z.output<typeof listWriteupsSchema>;

export const month = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'month must be YYYY-MM');
export const recurringSchema = z.object({ month });

const isoDate = z.iso.date('dueOn must be a date, YYYY-MM-DD');
export const createActionSchema = z.object({
  problemKey: z.string().trim().min(3).max(200),
  problemLabel: z.string().trim().min(1).max(200),
  action: text('整改措施', 5000),
  departmentId: z.uuid('departmentId must be a department id'),
  dueOn: isoDate,
});
export type CreateActionBody = z.output<typeof createActionSchema>;

export const updateActionSchema = z
  .object({
    status: z.enum(correctiveActionStatuses).optional(),
    dueOn: isoDate.optional(),
    result: z.string().trim().max(5000).nullable().optional(),
  })
  .refine((b) => Object.keys(b).length > 0, 'nothing to change: give status, dueOn or result');
export type UpdateActionBody = z.output<typeof updateActionSchema>;
