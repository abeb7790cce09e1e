// @ts-check
// A 400's field problems shown at the fields they are about, for every form of the console.
import { ApiError } from './api.js';
import { html, mount } from './html.js';
import { t } from './i18n.js';
import { errorBox } from './ui.js';

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
 * The control a field path is about: the control of that name (`rules.2.departmentId`), else the first one
 * inside it (`rules.2` → `rules.2.category`), else the same for a shorter path (`photos.0` → `photos`).
 * @param {HTMLFormElement} form @param {string} field
 * @returns {{ name: string, control: HTMLElement } | null}
 */
function controlFor(form, field) {
  const parts = field.split('.');
  for (let n = parts.length; n > 0; n--) {
    const name = parts.slice(0, n).join('.');
    const control =
      form.querySelector(`[name="${CSS.escape(name)}"]`) ?? form.querySelector(`[name^="${CSS.escape(`${name}.`)}"]`);
    if (control instanceof HTMLElement) return { name, control };
  }
  return null;
}

/**
 * Puts each field message next to its control (`name` = the API's field name or path, see controlFor):
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
    const found = controlFor(form, f.field);
    if (!found) return { ...f, control: null };
    const { name, control } = found;
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

/**
 * A failed save, shown in its form: the API's field problems at their fields (showFieldErrors) with a summary in
 * `box` headed `o.fix`, focus on the first field; anything else as an error box, focused.
 * @param {HTMLFormElement} form @param {HTMLElement} box @param {unknown} err
 * @param {{ prefix: string, fix: string, message?: (m: string) => string, where?: (field: string) => string | null }} o
 *   `prefix` of the message ids; `message` puts an API message in the staff member's words; `where` names a field's
 *   place for the summary (第 2 级的名称), which the message beside the field does not need
 */
export function showSaveError(form, box, err, o) {
  if (err instanceof ApiError && err.fields.length > 0) {
    const fields = err.fields.map((f) => ({ ...f, message: o.message ? o.message(f.message) : f.message }));
    const shown = showFieldErrors(form, fields, (name) => `${o.prefix}-${name.replace(/\./g, '-')}-error`);
    mount(
      box,
      html`<div class="alert" role="alert"><p>${o.fix}</p><ul>${shown.map((f) => {
        const where = o.where?.(f.field);
        return html`<li>${where ? html`<strong>${where}</strong>${t('terms.colon')}` : ''}${f.message}</li>`;
      })}</ul></div>`,
    );
    shown.find((f) => f.control)?.control?.focus();
  } else {
    mount(box, errorBox(err));
    box.focus();
  }
}
