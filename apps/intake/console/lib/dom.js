// @ts-check
/**
 * The first element matching `selector` under `root`; throws if there is none (a page's own markup is
 * missing a piece: a bug, not a state to handle).
 * @template {Element} [T=HTMLElement]
 * @param {string} selector
 * @param {ParentNode} [root]
 * @returns {T}
 */
export function $(selector, root = document) {
  const el = root.querySelector(selector);
  if (!el) throw new Error(`console: no element matches ${selector}`);
  return /** @type {T} */ (/** @type {unknown} */ (el));
}

/**
 * @template {Element} [T=HTMLElement]
 * @param {string} selector
 * @param {ParentNode} [root]
 * @returns {T[]}
 */
export const $$ = (selector, root = document) =>
  /** @type {T[]} */ (/** @type {unknown} */ ([...root.querySelectorAll(selector)]));

/**
 * Event delegation: `handler` runs for events on elements matching `selector` inside `root`.
 * @param {Element} root
 * @param {string} type
 * @param {string} selector
 * @param {(el: HTMLElement, event: Event) => void} handler
 */
export function on(root, type, selector, handler) {
  root.addEventListener(type, (event) => {
    const target = event.target instanceof Element ? event.target.closest(selector) : null;
    if (target instanceof HTMLElement && root.contains(target)) handler(target, event);
  });
}

/**
 * A form's fields as strings; empty fields are left out, so optional API fields stay absent.
 * @param {HTMLFormElement} form
 * @returns {Record<string, string>}
 */
export function formValues(form) {
  /** @type {Record<string, string>} */
  const out = {};
  for (const [k, v] of new FormData(form)) if (typeof v === 'string' && v.trim() !== '') out[k] = v.trim();
  return out;
}
