import type { BusinessCalendar } from '../calendar';

/** WARNING: persisted (reports.kind): add names, never rename. */
export const reportKinds = ['weekly', 'monthly', 'quarterly', 'yearly'] as const;
export type ReportKind = (typeof reportKinds)[number];

/** What each report is called on paper (002 §7.6, 003 §9.6, 004 篇2 §3.3–3.4). */
export const reportTitles: Record<ReportKind, string> = {
  weekly: '投诉周报',
  monthly: '客服月报',
  quarterly: '客服季度报告',
  yearly: '客服年度总结',
};

/**
 * One report period: business-zone days [from, to). Keys: weekly `2026-W49` (ISO week, Monday to Sunday),
 * monthly `2026-11`, quarterly `2026-Q4`, yearly `2026`.
 */
export interface ReportPeriod {
  kind: ReportKind;
  key: string;
  from: string;
  to: string;
  /** e.g. 2026年11月, 2026年第49周（12月1日—12月7日）. */
  label: string;
}

export class ReportPeriodError extends RangeError {}

const pad = (n: number) => String(n).padStart(2, '0');
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const msOf = (d: string) => Date.parse(`${d}T00:00:00Z`);
const DAY_MS = 86_400_000;

/** Monday of ISO week 1 of an ISO year. */
function isoWeekOneMonday(year: number): number {
  const jan4 = Date.UTC(year, 0, 4);
  return jan4 - ((new Date(jan4).getUTCDay() + 6) % 7) * DAY_MS;
}

function isoWeeks(year: number): number {
  return Math.round((isoWeekOneMonday(year + 1) - isoWeekOneMonday(year)) / (7 * DAY_MS));
}

const shortDay = (d: string) => `${Number(d.slice(5, 7))}月${Number(d.slice(8, 10))}日`;

function make(kind: ReportKind, key: string, from: string, to: string): ReportPeriod {
  const y = from.slice(0, 4);
  const label =
    kind === 'yearly'
      ? `${y}年`
      : kind === 'quarterly'
        ? `${y}年第${key.slice(6)}季度`
        : kind === 'monthly'
          ? `${y}年${Number(from.slice(5, 7))}月`
          : `${key.slice(0, 4)}年第${Number(key.slice(6))}周（${shortDay(from)}—${shortDay(day(msOf(to) - DAY_MS))}）`;
  return { kind, key, from, to, label };
}

/** The period a key names; a malformed key or one out of range is a ReportPeriodError naming it. */
export function parsePeriod(kind: ReportKind, key: string): ReportPeriod {
  const bad = (why: string) =>
    new ReportPeriodError(`报告期 "${key}" 无效 (period "${key}" is not a ${kind} period: ${why})`);
  let m: RegExpExecArray | null;
  switch (kind) {
    case 'yearly':
      if (!(m = /^(\d{4})$/.exec(key))) throw bad('expected YYYY, e.g. 2026');
      return make(kind, key, `${m[1]}-01-01`, `${Number(m[1]) + 1}-01-01`);
    case 'quarterly': {
      if (!(m = /^(\d{4})-Q([1-4])$/.exec(key))) throw bad('expected YYYY-Qn, e.g. 2026-Q4');
      const [y, q] = [Number(m[1]), Number(m[2])];
      const to = q === 4 ? `${y + 1}-01-01` : `${y}-${pad(q * 3 + 1)}-01`;
      return make(kind, key, `${y}-${pad(q * 3 - 2)}-01`, to);
    }
    case 'monthly': {
      if (!(m = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(key))) throw bad('expected YYYY-MM, e.g. 2026-11');
      const [y, mo] = [Number(m[1]), Number(m[2])];
      return make(kind, key, `${y}-${pad(mo)}-01`, mo === 12 ? `${y + 1}-01-01` : `${y}-${pad(mo + 1)}-01`);
    }
    case 'weekly': {
      if (!(m = /^(\d{4})-W(\d{2})$/.exec(key))) throw bad('expected YYYY-Www, e.g. 2026-W49');
      const [y, w] = [Number(m[1]), Number(m[2])];
      if (w < 1 || w > isoWeeks(y)) throw bad(`${y} has ISO weeks 1–${isoWeeks(y)}`);
      const monday = isoWeekOneMonday(y) + (w - 1) * 7 * DAY_MS;
      return make(kind, key, day(monday), day(monday + 7 * DAY_MS));
    }
  }
}

/** The period of a kind that contains a business-zone day. */
export function periodContaining(kind: ReportKind, d: string): ReportPeriod {
  const [y, mo] = [Number(d.slice(0, 4)), Number(d.slice(5, 7))];
  switch (kind) {
    case 'yearly':
      return parsePeriod(kind, String(y));
    case 'quarterly':
      return parsePeriod(kind, `${y}-Q${Math.ceil(mo / 3)}`);
    case 'monthly':
      return parsePeriod(kind, `${y}-${pad(mo)}`);
    case 'weekly': {
      const t = msOf(d);
      let year = y + 1;
      while (isoWeekOneMonday(year) > t) year -= 1;
      return parsePeriod(kind, `${year}-W${pad(Math.floor((t - isoWeekOneMonday(year)) / (7 * DAY_MS)) + 1)}`);
    }
  }
}

export function previousPeriod(p: ReportPeriod): ReportPeriod {
  return periodContaining(p.kind, day(msOf(p.from) - DAY_MS));
}

/** The same period a year before (同期): ISO week n of the year before (its last week if it has no week 53). */
export function samePeriodLastYear(p: ReportPeriod): ReportPeriod {
  const y = Number(p.key.slice(0, 4)) - 1;
  if (p.kind === 'weekly') return parsePeriod('weekly', `${y}-W${pad(Math.min(Number(p.key.slice(6)), isoWeeks(y)))}`);
  return parsePeriod(p.kind, `${y}${p.key.slice(4)}`);
}

/** The last period of a kind that has ended by a business-zone day. */
export function lastFinishedPeriod(kind: ReportKind, today: string): ReportPeriod {
  return previousPeriod(periodContaining(kind, today));
}

/** A report is filed on the first working day after its period (National Day, Spring Festival and 调休 counted). */
export function reportDueDay(p: ReportPeriod, calendar: BusinessCalendar): string {
  return calendar.isWorkingDay(p.to) ? p.to : calendar.nextWorkingDay(p.to);
}
