import { z } from 'zod';
import { caseCategories, caseSeverities, caseTypes } from '@kefu/shared';

const isoTime = z.iso.datetime({ offset: true, message: 'must be an ISO time such as 2026-11-23T09:30:00+08:00' });

export const logCallSchema = z.object({
  callerNumber: z.string().trim().min(1, '来电号码必填 (caller ID is required; "withheld" if hidden)').max(40),
  startedAt: isoTime,
  durationSeconds: z.number().int().min(0).max(86_400),
  direction: z.enum(['in', 'out']).default('in'),
  voicemail: z.boolean().default(false),
  recordingRef: z.string().trim().max(300).nullable().default(null),
  /** At least 30 days after the call (004 篇3 §4.5); defaults to exactly that when a recording is given. */
  recordingKeepUntil: z.iso.date().nullable().default(null),
  summary: z.string().trim().min(2, '请填写来电内容 (summary is required)').max(5000),
  reporterName: z.string().trim().max(100).nullable().default(null),
  type: z.enum(caseTypes).optional(),
  category: z.enum(caseCategories).nullable().optional(),
  severity: z.enum(caseSeverities).optional(),
  projectId: z.uuid().nullable().default(null),
  unitId: z.uuid().nullable().default(null),
  /** The unit as the caller said it ("3栋2单元1502") when it is not one of the caller's known units: matched within projectId (or the caller's estate). */
  unitText: z.string().trim().max(100).nullable().default(null),
  /** The member of staff the caller complains about (002 §5): the case goes to their superior. */
  namedStaffId: z.uuid().nullable().default(null),
  /** Sent by the console so a double submit of the same form creates one case. */
  idempotencyKey: z.string().trim().min(8).max(100).nullable().default(null),
});
export type LogCallDto = z.output<typeof logCallSchema>;
