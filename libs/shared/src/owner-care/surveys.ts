import { z } from 'zod';
import { LinkSigner, uuidBytes, uuidFromBytes } from '../auth/link-signer';
import { addMonths } from '../calendar';

/**
 * Owner satisfaction surveys (001 客户满意度管理程序 §3, its survey programme WHVK-QP-16-03 §5.1): the questionnaire
 * as data, the schedule of occasions, the two figures and the public page's signed link. One definition each,
 * used by the scheduler (invitations), intake (the page, the figures) and the tests.
 */

/** The three questions the loyalty figure is made of (001 §3.2: 前三项指标); every questionnaire version asks them. */
export const KEY_QUESTIONS = ['overall', 'buy_again', 'recommend'] as const;
export type KeyQuestion = (typeof KEY_QUESTIONS)[number];

export const surveyQuestionSchema = z.discriminatedUnion('type', [
  z.object({
    id: z.string().regex(/^[a-z][a-z0-9_]{0,39}$/, 'lower-case letters, digits and _'),
    type: z.literal('scale'),
    label: z.string().min(1).max(200),
    required: z.boolean().default(true),
  }),
  z.object({
    id: z.string().regex(/^[a-z][a-z0-9_]{0,39}$/, 'lower-case letters, digits and _'),
    type: z.literal('text'),
    label: z.string().min(1).max(200),
    required: z.boolean().default(false),
  }),
]);
export type SurveyQuestion = z.output<typeof surveyQuestionSchema>;

/** A questionnaire version's content: unique question ids, the three key questions among its 5-point ones. */
export const surveyQuestionsSchema = z
  .array(surveyQuestionSchema)
  .min(3)
  .max(40)
  .superRefine((qs, ctx) => {
    const ids = new Set<string>();
    qs.forEach((q, i) => {
      if (ids.has(q.id)) ctx.addIssue({ code: 'custom', path: [i, 'id'], message: `question id ${q.id} repeated` });
      ids.add(q.id);
    });
    for (const key of KEY_QUESTIONS)
      if (!qs.some((q) => q.id === key && q.type === 'scale' && q.required))
        ctx.addIssue({ code: 'custom', path: [], message: `a required 5-point question with id ${key} is missing` });
  });

/** 5-point labels, 5 best (001 §3.1: 非常满意 / 比较满意 = 5 / 4). */
export const scaleLabels: Record<number, string> = {
  5: '非常满意',
  4: '比较满意',
  3: '一般',
  2: '不太满意',
  1: '很不满意',
};

/** The code of the owners' satisfaction questionnaire; each edit is a new version under it. */
export const OWNER_SURVEY_CODE = 'owner-satisfaction';

/**
 * Version 1, from the seed's survey programme (WHVK-QP-16-03 §5.1: 入伙服务、房屋和环境质量、设计质量、物业服务、配套
 * (含交通)、维修/保修服务, 预售服务) and 001 §3's three loyalty questions. WARNING: the migration Surveys1795580000000
 * stores this text as version 1; change it by adding a version (POST /api/v1/surveys/questionnaires), not here.
 */
export const defaultOwnerSurvey: { title: string; questions: SurveyQuestion[] } = {
  title: '业主满意度调查',
  questions: [
    { id: 'overall', type: 'scale', label: '您对公司产品和服务的总体表现是否满意？', required: true },
    { id: 'buy_again', type: 'scale', label: '如果再次购房，您是否愿意再选择我们公司的房子？', required: true },
    { id: 'recommend', type: 'scale', label: '您是否愿意向亲友推荐我们公司的房子？', required: true },
    { id: 'house_quality', type: 'scale', label: '房屋质量（土建、门窗、渗漏等）', required: true },
    { id: 'design', type: 'scale', label: '规划设计质量（户型、环境、配套布局）', required: true },
    { id: 'sales_service', type: 'scale', label: '销售服务（签约、按揭、信息披露、承诺履行）', required: true },
    { id: 'handover_service', type: 'scale', label: '入伙（交付）服务', required: true },
    { id: 'repair_service', type: 'scale', label: '维修和保修服务', required: true },
    { id: 'property_service', type: 'scale', label: '物业服务（安全、清洁、绿化、车辆）', required: true },
    { id: 'amenities', type: 'scale', label: '周边配套（含交通）', required: true },
    { id: 'comments', type: 'text', label: '您的意见和建议', required: false },
  ],
};

/** When owners are asked (WHVK-QP-16-03 §5.1), each figure configurable (SURVEY_* config keys). */
export interface SurveySchedule {
  /** 准业主: months after the contract (owner_units.since) for a buyer of a unit not yet handed over; 0 = none. */
  afterContractMonths: number;
  /** First survey after moving in (入伙后3个月). */
  firstAfterMonths: number;
  /** Then yearly from year 1 to this year (入伙后1年, 1–5年内每年一次). */
  yearlyUntilYears: number;
  /** Then every this many years (5年后每两年一次). */
  laterEveryYears: number;
}

export const defaultSurveySchedule: SurveySchedule = {
  afterContractMonths: 1,
  firstAfterMonths: 3,
  yearlyUntilYears: 5,
  laterEveryYears: 2,
};

/** How far ahead occasions are listed: ownerships longer than this are not surveyed again. */
export const SURVEY_HORIZON_YEARS = 30;

export interface SurveyOccasion {
  /** WARNING: persisted in survey_invitations.occasion (unique per owner and unit): `contract-<m>m` / `movein-<m>m`. */
  code: string;
  basis: 'contract' | 'move_in';
  months: number;
}

/** Every occasion of the schedule, in order. */
export function surveyOccasions(s: SurveySchedule): SurveyOccasion[] {
  const out: SurveyOccasion[] = [];
  if (s.afterContractMonths > 0)
    out.push({ code: `contract-${s.afterContractMonths}m`, basis: 'contract', months: s.afterContractMonths });
  const moveIn = new Set<number>();
  if (s.firstAfterMonths > 0) moveIn.add(s.firstAfterMonths);
  for (let y = 1; y <= s.yearlyUntilYears; y++) moveIn.add(12 * y);
  for (let y = s.yearlyUntilYears + s.laterEveryYears; y <= SURVEY_HORIZON_YEARS; y += s.laterEveryYears)
    moveIn.add(12 * y);
  for (const m of [...moveIn].sort((a, b) => a - b)) out.push({ code: `movein-${m}m`, basis: 'move_in', months: m });
  return out;
}

/**
 * The occasions of one ownership due in (from, through] (YYYY-MM-DD): `contractOn` is when it began
 * (owner_units.since), `handoverDate` the unit's, `movedIn` the move-in day (movedInOn). A contract survey is for a
 * buyer of a unit not yet handed over (the seeds' 预售服务 survey), a resale buyer gets the move-in ones only.
 */
export function dueOccasions(
  s: SurveySchedule,
  o: { contractOn: string | null; handoverDate: string | null; movedIn: string | null },
  from: string,
  through: string,
): Array<SurveyOccasion & { dueOn: string }> {
  const out: Array<SurveyOccasion & { dueOn: string }> = [];
  for (const occ of surveyOccasions(s)) {
    const start =
      occ.basis === 'move_in'
        ? o.movedIn
        : o.contractOn && (!o.handoverDate || o.contractOn < o.handoverDate)
          ? o.contractOn
          : null;
    if (!start) continue;
    const dueOn = addMonths(start, occ.months);
    if (dueOn > from && dueOn <= through) out.push({ ...occ, dueOn });
  }
  return out;
}

/** One answer's key scores (1–5), for the figures. */
export interface KeyScores {
  overall: number;
  buyAgain: number;
  recommend: number;
}

export interface SurveyFigures {
  respondents: number;
  /** 满意: 4 or 5 on overall satisfaction. */
  satisfied: number;
  /** 忠诚: 4 or more on all three key questions. */
  loyal: number;
  /** Shares in percent, one decimal; null with no respondents. */
  satisfaction: number | null;
  loyalty: number | null;
}

/** n of `of` in percent with one decimal; null when `of` is 0 (no respondents is no figure, not 0 %). */
export const sharePercent = (n: number, of: number): number | null => (of ? Math.round((1000 * n) / of) / 10 : null);

/**
 * Whether a round's responses reach the target (WHVK-QP-16-03: at least 30 %, SURVEY_RESPONSE_TARGET_PERCENT), on the
 * counts themselves: 2,997 of 10,000 shows as 30.0 % but is short of it.
 */
export const responseTargetMet = (respondents: number, invited: number, targetPercent: number): boolean =>
  invited > 0 && respondents * 100 >= targetPercent * invited;

/**
 * 001 §3.1: satisfaction = the share of respondents giving 4 or 5 for the overall performance (5-point scale);
 * §3.2: loyalty = the share giving 4 or more on all of the first three (overall, would buy again, would recommend).
 * The SQL of the reports (surveyFiguresSql) computes the same; a worked example tests both.
 */
export function surveyFigures(answers: readonly KeyScores[]): SurveyFigures {
  const satisfied = answers.filter((a) => a.overall >= 4).length;
  const loyal = answers.filter((a) => a.overall >= 4 && a.buyAgain >= 4 && a.recommend >= 4).length;
  return {
    respondents: answers.length,
    satisfied,
    loyal,
    satisfaction: sharePercent(satisfied, answers.length),
    loyalty: sharePercent(loyal, answers.length),
  };
}

/** The same over survey_answers rows aliased `a` (columns overall, buy_again, recommend), as SELECT columns. */
export const surveyFiguresSql = (a = 'a') => `count(${a}.id)::int AS respondents,
  (count(${a}.id) FILTER (WHERE ${a}.overall >= 4))::int AS satisfied,
  (count(${a}.id) FILTER (WHERE ${a}.overall >= 4 AND ${a}.buy_again >= 4 AND ${a}.recommend >= 4))::int AS loyal`;

/** The invitation's public page link: the invitation id and its expiry, signed (HMAC, see LinkSigner). */
export class SurveyLinks {
  private readonly signer: LinkSigner;

  constructor(secret: string) {
    this.signer = new LinkSigner(secret, 'survey-link v1');
  }

  sign(invitationId: string, expiresAt: Date): string {
    return this.signer.sign(uuidBytes(invitationId), expiresAt);
  }

  verify(token: string): { invitationId: string; expiresAt: Date } | null {
    const v = this.signer.verify(token, 16);
    return v && { invitationId: uuidFromBytes(v.payload), expiresAt: v.expiresAt };
  }

  url(baseUrl: string, invitationId: string, expiresAt: Date): string {
    return `${baseUrl.replace(/\/+$/, '')}${SURVEY_PATH}/${this.sign(invitationId, expiresAt)}`;
  }
}

export const SURVEY_PATH = '/survey';
