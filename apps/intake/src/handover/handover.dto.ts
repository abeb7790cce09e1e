import { z } from 'zod';
import { caseCategories, caseSeverities, caseTypes } from '@kefu/shared';

const isoTime = z.iso.datetime({ offset: true, message: 'must be an ISO time such as 2026-11-23T09:30:00+08:00' });

/**
 * A complaint a department received itself (003 §9.2.4): staff of that department log it with the time the
 * customer made it. Not its own responsibility → it reaches customer service within 1 working day; its own and
 * already handled → filed with customer service within 2 working days of completion.
 */
export const handoverSchema = z
  .object({
    /** The department that received it; default the logging staff member's own. */
    departmentId: z.uuid().nullable().default(null),
    receivedAt: isoTime,
    /** How the customer reached the department. */
    channel: z.enum(['walk_in', 'hotline', 'email', 'fax']).default('walk_in'),
    reporterName: z.string().trim().max(100).nullable().default(null),
    contact: z.string().trim().max(300).nullable().default(null),
    email: z.email().max(254).nullable().default(null),
    description: z.string().trim().min(2, '请填写投诉内容 (the complaint is required)').max(10_000),
    type: z.enum(caseTypes).default('complaint'),
    category: z.enum(caseCategories).nullable().optional(),
    severity: z.enum(caseSeverities).optional(),
    projectId: z.uuid().nullable().default(null),
    unitId: z.uuid().nullable().default(null),
    unitText: z.string().trim().max(100).nullable().default(null),
    /** The complaint is about the receiving department's own work (属于本部门责任). */
    ownResponsibility: z.boolean(),
    /** Its own, and already handled: when and how. */
    handled: z
      .object({ at: isoTime, result: z.string().trim().min(2, '请填写处理结果 (the result is required)').max(10_000) })
      .nullable()
      .default(null),
    /** A second request with the same key creates nothing. */
    idempotencyKey: z.string().trim().min(8).max(100).nullable().default(null),
  })
  .refine((v) => !v.handled || v.ownResponsibility, {
    message: '只有本部门责任的投诉才能由本部门直接处理 (only a complaint about the department itself is handled by it)',
    path: ['handled'],
  });
export type HandoverDto = z.output<typeof handoverSchema>;
