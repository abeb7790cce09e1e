import { z } from 'zod';
import { caseCategories, caseChannels, caseSeverities, caseStatuses, caseTypes } from '@kefu/shared';

const csv = <T extends readonly [string, ...string[]]>(values: T) =>
  z
    .preprocess((v) => (typeof v === 'string' ? v.split(',').filter(Boolean) : v), z.array(z.enum(values)).min(1))
    .optional();

export const listCasesSchema = z.object({
  status: csv(caseStatuses),
  channel: csv(caseChannels),
  type: csv(caseTypes),
  category: csv(caseCategories),
  projectId: z.uuid().optional(),
  assigneeId: z.uuid().optional(),
  departmentId: z.uuid().optional(),
  /** Promised reply date passed and not yet answered. */
  overdue: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional(),
  q: z.string().trim().min(1).max(100).optional(),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
});
export type ListCasesQuery = z.output<typeof listCasesSchema>;

export const acceptSchema = z.object({ note: z.string().trim().max(2000).nullable().default(null) });
export const rejectSchema = z.object({
  reason: z.string().trim().min(2, '请说明判为无效的理由 (a reason is required)').max(2000),
  /** The polite answer an invalid complaint gets before it is filed (003 §9.3.3), sent as a case_reply; omit when given by phone. */
  reply: z
    .object({
      via: z.enum(['sms', 'email', 'letter']),
      content: z.string().trim().min(2, '请填写给客户的答复 (the reply is required)').max(10_000),
    })
    .nullable()
    .default(null),
});
export const assignSchema = z
  .object({
    departmentId: z.uuid().nullable().default(null),
    assigneeId: z.uuid().nullable().default(null),
    note: z.string().trim().max(2000).nullable().default(null),
  })
  .refine((v) => v.departmentId || v.assigneeId, {
    message: '请选择部门或负责人 (a department or a person is required)',
    path: ['assigneeId'],
  });
export const replySchema = z.object({
  via: z.enum(['phone', 'sms', 'email', 'letter', 'in_person']),
  content: z.string().trim().min(2, '请填写答复内容 (the reply is required)').max(10_000),
});
export const moveReplyDateSchema = z.object({
  newDate: z.iso.datetime({ offset: true, message: 'must be an ISO time such as 2026-11-30T18:00:00+08:00' }),
  customerAgreed: z.literal(true, { message: '变更答复日期须征得客户同意 (the customer must agree)' }),
  reason: z.string().trim().min(2).max(2000),
});
export const escalateSchema = z.object({ reason: z.string().trim().min(2, 'a reason is required').max(2000) });
/** 002 §7.3.5: a complaint only several departments together can resolve goes straight to the GM. */
export const coordinateSchema = z.object({
  departmentIds: z
    .array(z.uuid())
    .min(2, '请选择至少两个部门 (at least two departments)')
    .max(20)
    .refine((ids) => new Set(ids).size === ids.length, { message: 'repeats a department' }),
  reason: z.string().trim().max(2000).nullable().default(null),
});
export const resolveSchema = z.object({
  result: z.string().trim().min(2, '请填写处理结果 (the result is required)').max(10_000),
});
export const returnVisitSchema = z.object({
  satisfied: z.boolean(),
  /** How the visit was made (the owner's own answer comes through the public link instead). */
  via: z.enum(['phone', 'in_person', 'other']).default('phone'),
  /** 1–5, 5 = very satisfied, if the owner gave one. */
  rating: z.number().int().min(1).max(5).nullable().default(null),
  comments: z.string().trim().max(5000).nullable().default(null),
  openProblems: z.string().trim().max(5000).nullable().default(null),
});
export const closeSchema = z.object({ note: z.string().trim().max(2000).nullable().default(null) });
export const reclassifySchema = z
  .object({
    type: z.enum(caseTypes).optional(),
    category: z.enum(caseCategories).nullable().optional(),
    severity: z.enum(caseSeverities).optional(),
  })
  .refine((v) => v.type !== undefined || v.category !== undefined || v.severity !== undefined, {
    message: 'change at least one of type, category, severity',
  });
const isoTime = z.iso.datetime({ offset: true, message: 'must be an ISO time such as 2026-11-30T18:00:00+08:00' });
/**
 * The responsible department's analysis and handling plan (004 篇2 §4.D; 003 SM03-07 处理方案), with the stage dates
 * told to the owner for a complex complaint (003 §8.1.8).
 */
export const handlingPlanSchema = z.object({
  analysis: z.string().trim().min(2, '请填写原因分析 (the analysis is required)').max(10_000),
  plan: z.string().trim().min(2, '请填写处理方案 (the plan is required)').max(10_000),
  stages: z
    .array(z.object({ what: z.string().trim().min(1).max(500), by: isoTime }))
    .max(20)
    .default([]),
  /** Tell the owner the plan and its stage dates (a complex complaint, 003 §8.1.8), as a case_reply by this channel. */
  tellOwner: z.enum(['sms', 'email', 'letter']).nullable().default(null),
});
/** The site survey of a repair (003 §11.2.2; SM03-07 现场查勘记录). */
export const siteSurveySchema = z.object({
  surveyedAt: isoTime,
  findings: z.string().trim().min(2, '请填写查勘情况 (the findings are required)').max(10_000),
});
/** The time agreed with the owner for the site survey (003 §11.2.2: "or the time agreed with the owner"). */
export const surveyAppointmentSchema = z.object({
  agreedAt: isoTime,
  note: z.string().trim().max(2000).nullable().default(null),
});
