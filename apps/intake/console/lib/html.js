// @ts-check
/** Markup that is already safe: only `html` (or `raw`, for markup we wrote ourselves) makes one. */
export class SafeHtml {
  /** @param {string} value */
  constructor(value) {
    this.value = value;
  }
  toString() {
    return this.value;
  }
}

/** @typedef {SafeHtml | string | number | boolean | null | undefined | ReadonlyArray<any>} HtmlValue */

/** @type {Record<string, string>} */
const entities = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

/** @param {string} s */
export const escapeHtml = (s) => s.replace(/[&<>"'`]/g, (c) => entities[c] ?? c);

/** @param {HtmlValue} v @returns {string} */
function render(v) {
  if (v instanceof SafeHtml) return v.value;
  if (Array.isArray(v)) return v.map(render).join('');
  if (v === null || v === undefined || v === false || v === true) return '';
  return escapeHtml(String(v));
}

/**
 * Template tag: every interpolated value is escaped (text and quoted attributes alike) unless it is
 * SafeHtml; arrays are joined; null, undefined and booleans render nothing (`${cond && html`…`}`).
 * @param {TemplateStringsArray} strings
 * @param {...HtmlValue} values
 */
export function html(strings, ...values) {
  let out = strings[0] ?? '';
  values.forEach((v, i) => (out += render(v) + (strings[i + 1] ?? '')));
  return new SafeHtml(out);
}

/** Markup written by us (never anything that came from the API or the user). @param {string} s */
export const raw = (s) => new SafeHtml(s);

/** Replaces the element's content. @param {Element} el @param {SafeHtml} content */
export function mount(el, content) {
  el.innerHTML = content.value;
}
