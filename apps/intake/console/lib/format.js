// @ts-check
import { getLang, t } from './i18n.js';

// Dates are shown in the business time zone whatever the browser's is: a deadline is "17:00 Beijing time".
const TZ = 'Asia/Shanghai';
const locale = () => (getLang() === 'zh' ? 'zh-CN' : 'en-GB');

/** 2026-11-23 16:49 @param {string | Date | null | undefined} v */
export function dateTime(v) {
  if (!v) return '—';
  const d = new Date(v);
  return new Intl.DateTimeFormat(locale(), {
    timeZone: TZ,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hour12: false,
  }).format(d);
}

/** A calendar date: `2026-11-23` stays that day (no time zone shift); a timestamp is shown in Beijing time. @param {string | null | undefined} v */
export function date(v) {
  if (!v) return '—';
  const d = /^\d{4}-\d{2}-\d{2}$/.test(v) ? new Date(`${v}T12:00:00+08:00`) : new Date(v);
  return new Intl.DateTimeFormat(locale(), { timeZone: TZ, year: 'numeric', month: '2-digit', day: '2-digit' }).format(
    d,
  );
}

/**
 * How long until (or since) a deadline, in words: "还剩 3 小时" / "逾期 2 天".
 * @param {string | Date} due
 * @param {number} [now]
 * @returns {{ text: string, state: 'overdue' | 'soon' | 'ok' }}
 */
export function countdown(due, now = Date.now()) {
  const ms = new Date(due).getTime() - now;
  const abs = Math.abs(ms);
  const minutes = Math.round(abs / 60_000);
  const amount =
    minutes < 60
      ? t('time.minutes', { n: minutes })
      : minutes < 48 * 60
        ? t('time.hours', { n: Math.round(minutes / 60) })
        : t('time.days', { n: Math.round(minutes / 1440) });
  if (ms < 0) return { text: t('time.overdue', { amount }), state: 'overdue' };
  return { text: t('time.left', { amount }), state: ms < 24 * 3600_000 ? 'soon' : 'ok' };
}

/** 0.8571 → "85.7%" @param {number | null | undefined} v */
export const percent = (v) => (v === null || v === undefined || Number.isNaN(v) ? '—' : `${(v * 100).toFixed(1)}%`);

/** 12000 → "¥12,000.00" (zh) / "CN¥12,000.00" (en). @param {number | string | null | undefined} v */
export const yuan = (v) =>
  v === null || v === undefined || v === '' || Number.isNaN(Number(v))
    ? '—'
    : new Intl.NumberFormat(locale(), { style: 'currency', currency: 'CNY' }).format(Number(v));
