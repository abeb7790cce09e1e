// @ts-check
// Helpers of the hotline page: Beijing-time date fields, a debounce, and a 400's field messages put
// next to the fields they are about.
import { html, mount } from './html.js';

const TZ = 'Asia/Shanghai';

/**
 * A datetime-local value (`2026-11-23T09:30`) for the given instant in Beijing time: the call form's
 * times are business times whatever the operator's computer is set to.
 * @param {Date} d
 */
export function beijingLocal(d) {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', { timeZone: TZ, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
      .formatToParts(d)
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}`;
}

/** `2026-11-23T09:30` (Beijing time) → `2026-11-23T09:30:00+08:00`; anything else is passed on for the API to refuse. @param {string} v */
export const fromBeijingLocal = (v) => (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(v) ? `${v}:00+08:00` : /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/.test(v) ? `${v}+08:00` : v);

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

/** Removes the marks left by showFieldErrors. @param {HTMLFormElement} form */
export function clearFieldErrors(form) {
  for (const p of form.querySelectorAll('.field-error')) p.remove();
  for (const el of form.querySelectorAll('[aria-invalid]')) {
    el.removeAttribute('aria-invalid');
    const ids = (el.getAttribute('aria-describedby') ?? '').split(' ').filter((id) => id && !id.endsWith('-error'));
    if (ids.length) el.setAttribute('aria-describedby', ids.join(' '));
    else el.removeAttribute('aria-describedby');
  }
}

/**
 * Puts each field message next to its control (`name` = the API's field name): aria-invalid and
 * aria-describedby on the control (on the fieldset of a radio group). Returns the fields it found a
 * control for, and the id each message got.
 * @param {HTMLFormElement} form
 * @param {Array<{ field: string, message: string }>} fields
 * @returns {Array<{ field: string, message: string, controlId: string | null }>}
 */
export function showFieldErrors(form, fields) {
  clearFieldErrors(form);
  return fields.map((f) => {
    const control = form.querySelector(`[name="${CSS.escape(f.field)}"]`);
    if (!(control instanceof HTMLElement)) return { ...f, controlId: null };
    const target = control instanceof HTMLInputElement && control.type === 'radio' ? (control.closest('fieldset') ?? control) : control;
    const errorId = `hl-${f.field}-error`;
    let p = document.getElementById(errorId);
    if (!p) {
      p = document.createElement('p');
      p.className = 'field-error';
      p.id = errorId;
      (target.closest('.field') ?? target.parentElement ?? form).append(p);
    }
    mount(p, html`${p.textContent ? `${p.textContent} ` : ''}${f.message}`);
    target.setAttribute('aria-invalid', 'true');
    const ids = new Set((target.getAttribute('aria-describedby') ?? '').split(' ').filter(Boolean));
    ids.add(errorId);
    target.setAttribute('aria-describedby', [...ids].join(' '));
    return { ...f, controlId: control.id || null };
  });
}
