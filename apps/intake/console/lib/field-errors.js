// @ts-check
// A 400's field problems shown at the fields they are about, for every form of the console.
import { html, mount } from './html.js';

/** Removes the marks showFieldErrors left in the form. @param {HTMLFormElement} form */
export function clearFieldErrors(form) {
  const errorIds = new Set();
  for (const p of form.querySelectorAll('.field-error')) {
    errorIds.add(p.id);
    p.remove();
  }
  for (const el of form.querySelectorAll('[aria-invalid]')) {
    el.removeAttribute('aria-invalid');
    const ids = (el.getAttribute('aria-describedby') ?? '').split(' ').filter((id) => id && !errorIds.has(id));
    if (ids.length) el.setAttribute('aria-describedby', ids.join(' '));
    else el.removeAttribute('aria-describedby');
  }
}

/**
 * Puts each field message next to its control (`name` = the API's field name, `photos.0` → `photos`):
 * aria-invalid and aria-describedby on the control (on the fieldset of a radio group). Returns every
 * problem with the id of the control it was shown at, or null when the form has no such field.
 * @param {HTMLFormElement} form
 * @param {Array<{ field: string, message: string }>} fields
 * @param {(name: string) => string} errorId the id of a field's message element
 * @returns {Array<{ field: string, message: string, control: HTMLElement | null }>}
 */
export function showFieldErrors(form, fields, errorId) {
  clearFieldErrors(form);
  return fields.map((f) => {
    const name = f.field.split('.')[0] ?? f.field;
    const control = form.querySelector(`[name="${CSS.escape(name)}"]`);
    if (!(control instanceof HTMLElement)) return { ...f, control: null };
    const target =
      control instanceof HTMLInputElement && control.type === 'radio'
        ? (control.closest('fieldset') ?? control)
        : control;
    const id = errorId(name);
    let p = document.getElementById(id);
    if (!p) {
      p = document.createElement('p');
      p.className = 'field-error';
      p.id = id;
      (target.closest('.field') ?? target.parentElement ?? form).append(p);
    }
    mount(p, html`${p.textContent ? `${p.textContent} ` : ''}${f.message}`);
    target.setAttribute('aria-invalid', 'true');
    const ids = new Set((target.getAttribute('aria-describedby') ?? '').split(' ').filter(Boolean));
    ids.add(id);
    target.setAttribute('aria-describedby', [...ids].join(' '));
    return { ...f, control };
  });
}
