import { z } from 'zod';
import type { NotificationKind } from '../database/entities';

const isoTime = z.iso.datetime({ offset: true });
const isoDate = z.iso.date();

/** Estate-wide notices (libs/shared/src/owner-care/notices.ts): the notice's own text, the same for every owner. */
const estateNoticeVariables = z.object({
  estateName: z.string().min(1),
  noticeKind: z.enum(['handover', 'construction_progress', 'safety_alert', 'holiday_greeting', 'official']),
  title: z.string().min(1).max(100),
  body: z.string().min(1).max(2000),
  /** Shown with the notice's sign-off record: `GG` + 12 hex digits of the notice id. */
  reference: z.string().min(1),
});

/**
 * What each notification kind's template needs. Producers (intake, scheduler) are type-checked against
 * these at compile time (requestNotification) and the notifier checks them again when rendering, so a
 * row written by an older producer fails with a clear reason instead of a half-filled message.
 * Times are ISO 8601 instants; the notifier formats them in Asia/Shanghai.
 */
export const notificationVariables = {
  /** 受理回执: the case number and promised reply date (002 §7.2.1). */
  case_acknowledgement: z.object({
    caseNumber: z.string().min(1),
    promisedReplyAt: isoTime,
  }),
  /** The written reply in the company's name (002 §7.4.1). */
  case_reply: z.object({
    caseNumber: z.string().min(1),
    replyText: z.string().min(1),
    staffName: z.string().nullish(),
  }),
  /** A deadline reminder to the person responsible; ackUrl is the one-click signed acknowledgement link. */
  staff_reminder: z.object({
    caseNumber: z.string().min(1),
    step: z.string().min(1),
    stepLabel: z.string().min(1),
    dueAt: isoTime,
    overdue: z.boolean(),
    ackUrl: z.url(),
  }),
  /** Raised one level up the chain: not acknowledged in time, or a missed deadline. */
  escalation: z.object({
    caseNumber: z.string().min(1),
    step: z.string().min(1),
    stepLabel: z.string().min(1),
    dueAt: isoTime,
    level: z.number().int().min(1),
    /** The level's name on the company's escalation chain (市场部经理, 总经理); absent in rows from before the chain was data. */
    levelName: z.string().nullish(),
    fromName: z.string().nullish(),
    reason: z.string().min(1),
    ackUrl: z.url(),
  }),
  /** A manager's daily digest. */
  staff_digest: z.object({
    date: isoDate,
    overdue: z.number().int().min(0),
    dueToday: z.number().int().min(0),
    unacknowledged: z.number().int().min(0),
    items: z
      .array(
        z.object({
          caseNumber: z.string(),
          stepLabel: z.string(),
          dueAt: isoTime,
          state: z.enum(['overdue', 'due_today', 'unacknowledged']),
        }),
      )
      .max(200),
    /** The team's owner visits not made after their planned day; absent when none (and in rows from before visits). */
    overdueVisits: z.number().int().min(1).nullish(),
  }),
  /** 保修期满提醒, 2 months ahead (000 §6.6.3): one item of one unit. */
  warranty_expiry: z.object({
    estateName: z.string().min(1),
    unitLabel: z.string().min(1),
    itemName: z.string().min(1),
    expiresOn: isoDate,
    servicePhone: z.string().nullish(),
  }),
  /** 办证通知 (000 §6.2.2): first notice, reminder, or last reminder before the deadline. */
  certificate_collection: z.object({
    estateName: z.string().min(1),
    unitLabel: z.string().min(1),
    place: z.string().min(1),
    hours: z.string().min(1),
    documents: z.array(z.string().min(1)).min(1),
    fromDate: isoDate,
    deadline: isoDate,
    stage: z.enum(['notice', 'reminder', 'final_reminder']),
    reference: z.string().nullish(),
  }),
  /** 回访: ask the owner how the case or repair went. */
  return_visit_request: z.object({
    caseNumber: z.string().min(1),
    summary: z.string().nullish(),
    servicePhone: z.string().nullish(),
    /** The public satisfaction page behind a signed one-time link. */
    visitUrl: z.url().nullish(),
    /** A finished repair: the message also asks the owner to inspect it (000 §6.5.1(3)). */
    repair: z.boolean().nullish(),
  }),
  /** 拜访提醒: a member of staff's visits due (overdue, today, in the coming days), one message per staff per day. */
  visit_due: z.object({
    date: isoDate,
    overdue: z.number().int().min(0),
    dueToday: z.number().int().min(0),
    upcoming: z.number().int().min(0),
    items: z
      .array(
        z.object({
          estateName: z.string().min(1),
          unitLabel: z.string().min(1),
          kindLabel: z.string().min(1),
          dueOn: isoDate,
          state: z.enum(['overdue', 'due_today', 'upcoming']),
        }),
      )
      .max(100),
  }),
  /** 满意度调查 (001 客户满意度管理程序, WHVK-QP-16-03): the invitation or its reminder, with the public page's signed link. */
  survey_invitation: z.object({
    estateName: z.string().min(1),
    unitLabel: z.string().min(1),
    title: z.string().min(1),
    surveyUrl: z.url(),
    expiresOn: isoDate,
    reminder: z.boolean().nullish(),
    /** The questions, for the printed form of an EMS letter (SMS and email carry only the link). */
    questions: z
      .array(z.object({ label: z.string().min(1), scale: z.boolean() }))
      .max(40)
      .nullish(),
  }),
  /** An estate-wide notice that must arrive (safety alert, handover notice, official notice): falls back SMS → email → letter. */
  estate_notice: estateNoticeVariables,
  /** An estate-wide notice sent once on the owner's channel (construction progress, holiday greeting). */
  estate_update: estateNoticeVariables,
  /** 案例库: a typical case's write-up shared with the member of staff's department (title, case, lesson, link). */
  case_writeup_shared: z.object({
    title: z.string().min(1).max(100),
    caseNumber: z.string().min(1),
    departmentName: z.string().min(1),
    sharedBy: z.string().min(1),
    lesson: z.string().min(1).max(500),
    /** The write-up in the console. */
    url: z.url().nullish(),
  }),
  /** To administrators: a domestic SMS provider refused our signature or a template (the mapping needs fixing). */
  sms_template_refused: z.object({
    provider: z.string().min(1),
    template: z.string().min(1),
    refusedKind: z.string().min(1),
    code: z.string().min(1),
    message: z.string().max(300),
  }),
} as const satisfies Record<NotificationKind, z.ZodType>;

export type NotificationVariables<K extends NotificationKind> = z.infer<(typeof notificationVariables)[K]>;
