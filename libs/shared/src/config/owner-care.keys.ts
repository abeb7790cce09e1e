import { z } from 'zod';

/** Owner care: the visit schedule and the survey schedule. */
export const ownerCareKeys = {
  /** Owner visits (002 §7.5.2: every four months): months between one household's routine visits. */
  VISIT_INTERVAL_MONTHS: z.coerce.number().int().min(1).max(12).default(4),
  /** The return visit after handover (000 §6.4.2) this many days after the unit's handover date. */
  VISIT_HANDOVER_DAYS: z.coerce.number().int().min(0).max(365).default(30),
  /** Visits while a 毛坯 unit is fitted out (000 §6.5.2): months after handover, e.g. "1,3,6"; "none" = none. */
  VISIT_DECORATION_MONTHS: z
    .string()
    .regex(
      /^(none|\s*\d{1,2}\s*(,\s*\d{1,2}\s*)*)$/,
      'must be months after handover separated by commas, e.g. 1,3,6, or none',
    )
    .default('1,3,6')
    .transform((s) =>
      s === 'none' ? [] : [...new Set(s.split(',').map((m) => Number(m.trim())))].sort((a, b) => a - b),
    )
    .refine((ms) => ms.every((m) => m >= 1 && m <= 24), 'each month must be 1–24'),
  /** The daily visit reminder lists each member of staff's visits due within this many days, and overdue ones. */
  VISIT_REMINDER_LEAD_DAYS: z.coerce.number().int().min(0).max(60).default(7),
  /** Owner surveys (WHVK-QP-16-03 §5.1): 准业主 are asked this many months after the contract (0 = not at all). */
  SURVEY_AFTER_CONTRACT_MONTHS: z.coerce.number().int().min(0).max(60).default(1),
  /** The first survey after moving in (入伙后3个月). */
  SURVEY_FIRST_AFTER_MONTHS: z.coerce.number().int().min(0).max(11).default(3),
  /** Then one a year after moving in, up to this year (入伙后1–5年内每年一次). */
  SURVEY_YEARLY_UNTIL_YEARS: z.coerce.number().int().min(1).max(30).default(5),
  /** Then one every this many years (入伙5年后每两年一次). */
  SURVEY_LATER_EVERY_YEARS: z.coerce.number().int().min(1).max(10).default(2),
  /** Lifetime of a survey link, from the invitation. */
  SURVEY_LINK_TTL_DAYS: z.coerce.number().int().min(1).max(180).default(30),
  /** One reminder to owners who have not answered this many days after the invitation (0 = none). */
  SURVEY_REMINDER_AFTER_DAYS: z.coerce.number().int().min(0).max(90).default(7),
  /** The response rate (回收率) a round should reach, in percent (the task's ≥ 30 %). */
  SURVEY_RESPONSE_TARGET_PERCENT: z.coerce.number().int().min(1).max(100).default(30),
};
