// @ts-check
// Helpers of the hotline page: Beijing-time date fields, a debounce, the caller number's digits.

const TZ = 'Asia/Shanghai';

/**
 * A datetime-local value (`2026-11-23T09:30`) for the given instant in Beijing time: the call form's
 * times are business times whatever the operator's computer is set to.
 * @param {Date} d
 */
export function beijingLocal(d) {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', {
      timeZone: TZ,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(d)
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}`;
}

/** `2026-11-23T09:30` (Beijing time) → `2026-11-23T09:30:00+08:00`; anything else is passed on for the API to refuse. @param {string} v */
export const fromBeijingLocal = (v) =>
  /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(v)
    ? `${v}:00+08:00`
    : /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/.test(v)
      ? `${v}+08:00`
      : v;

/**
 * @template {unknown[]} A
 * @param {(...args: A) => void} fn
 * @param {number} ms
 * @returns {(...args: A) => void}
 */
export function debounce(fn, ms) {
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}

/** The digits of what was typed or pasted ("+86 138-0013-8000" → "8613800138000"). @param {string} v */
export const digitsOf = (v) => v.replace(/\D/g, '');

/** A key for one filling-in of the form: a double submit of it creates one case. */
export const newIdempotencyKey = () => `console-${crypto.randomUUID()}`;
