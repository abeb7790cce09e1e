// @ts-check
import { ApiError } from './api.js';
import { $$ } from './dom.js';
import { html, mount } from './html.js';

/** Today in the business time zone, as YYYY-MM-DD (the default of date fields). */
export const todayInShanghai = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());

/** Removes the field errors a previous submit left in the form. @param {HTMLFormElement} form */
export function clearFieldErrors(form) {
  for (const p of $$('.field-error', form)) p.remove();
  for (const el of $$('[aria-invalid]', form)) {
    el.removeAttribute('aria-invalid');
    const described = (el.getAttribute('aria-describedby') ?? '').split(' ').filter((x) => x && !x.startsWith('fielderr-')).join(' ');
    if (described) el.setAttribute('aria-describedby', described);
    else el.removeAttribute('aria-describedby');
  }
}

/**
 * Puts each of the API's field problems under its field (`name` = the API's field name), marks it
 * invalid and focuses the first. Returns the problems that matched no field (to show in the box).
 * @param {HTMLFormElement} form
 * @param {unknown} err
 * @returns {Array<{ field: string, message: string }>}
 */
export function showFieldErrors(form, err) {
  clearFieldErrors(form);
  if (!(err instanceof ApiError)) return [];
  /** @type {Array<{ field: string, message: string }>} */
  const unmatched = [];
  /** @type {HTMLElement | null} */
  let first = null;
  for (const f of err.fields) {
    const name = f.field.split('.')[0] ?? f.field;
    const el = /** @type {HTMLElement | null} */ (form.querySelector(`[name="${CSS.escape(name)}"]`));
    if (!el) {
      unmatched.push(f);
      continue;
    }
    const id = `fielderr-${name}`;
    el.setAttribute('aria-invalid', 'true');
    el.setAttribute('aria-describedby', [el.getAttribute('aria-describedby'), id].filter(Boolean).join(' '));
    const p = document.createElement('p');
    p.className = 'field-error';
    p.id = id;
    mount(p, html`${f.message}`);
    el.insertAdjacentElement('afterend', p);
    first ??= el;
  }
  first?.focus();
  return unmatched;
}
