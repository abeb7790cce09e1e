// @ts-check
import { ApiError } from './api.js';
import { html } from './html.js';
import { register, t } from './i18n.js';

register({
  zh: {
    'time.minutes': '{n} 分钟',
    'time.hours': '{n} 小时',
    'time.days': '{n} 天',
    'time.left': '还剩 {amount}',
    'time.overdue': '逾期 {amount}',
  },
  en: {
    'time.minutes': '{n} min',
    'time.hours': '{n} h',
    'time.days': '{n} days',
    'time.left': '{amount} left',
    'time.overdue': 'overdue by {amount}',
  },
});

/** What went wrong, for people: our API's message (and each bad field), or a plain sentence. @param {unknown} err */
export function errorBox(err) {
  if (err instanceof ApiError) {
    const text =
      err.status === 0
        ? t('app.unreachable')
        : err.status === 403
          ? `${t('app.forbidden')} (${err.message})`
          : err.status === 502 || err.status === 503
            ? t('app.unreachable')
            : err.message;
    return html`<div class="alert" role="alert"><p>${text}</p>${
      err.fields.length > 0 &&
      html`<p>${t('app.fields')}</p><ul>${err.fields.map((f) => html`<li><strong>${f.field}</strong>: ${f.message}</li>`)}</ul>`
    }</div>`;
  }
  return html`<div class="alert" role="alert"><p>${t('app.error')}: ${err instanceof Error ? err.message : String(err)}</p></div>`;
}

/** Says something to everyone, screen readers included (the header's live region). @param {string} message */
export function flash(message) {
  const region = document.getElementById('flash');
  if (!region) return;
  region.textContent = message;
  region.hidden = false;
  clearTimeout(Number(region.dataset.timer));
  region.dataset.timer = String(setTimeout(() => (region.hidden = true), 6000));
}

/**
 * Paging links for a list answer `{ total, page, pageSize }`.
 * @param {{ total: number, page: number, pageSize: number }} list
 * @param {(page: number) => string} href
 */
export function pager(list, href) {
  const pages = Math.max(1, Math.ceil(list.total / list.pageSize));
  return html`<nav class="pager" aria-label="${t('app.page', { page: list.page, pages, total: list.total })}">
    ${list.page > 1 ? html`<a href="${href(list.page - 1)}" rel="prev">${t('app.prev')}</a>` : html`<span></span>`}
    <span>${t('app.page', { page: list.page, pages, total: list.total })}</span>
    ${list.page < pages ? html`<a href="${href(list.page + 1)}" rel="next">${t('app.next')}</a>` : html`<span></span>`}
  </nav>`;
}

/** A deadline cell: countdown text with its state as a class (`due-overdue`, `due-soon`). @param {{ text: string, state: string }} c */
export const dueBadge = (c) => html`<span class="due due-${c.state}">${c.text}</span>`;

/**
 * A modal dialog's life, once: resolves true when `wire`'s code calls `finish(true)` (the API took it), false when
 * the dialog is closed, cancelled (Escape) or its [data-cancel] button is clicked — focus then goes back to
 * `opener`. `wire` attaches the dialog's own handlers and opens it.
 * @param {HTMLDialogElement} dialog @param {HTMLElement} opener
 * @param {(finish: (ok: boolean) => void) => void} wire
 * @returns {Promise<boolean>}
 */
export function dialogSession(dialog, opener, wire) {
  return new Promise((resolve) => {
    let done = false;
    /** @param {boolean} ok */
    const finish = (ok) => {
      if (done) return;
      done = true;
      if (dialog.open) dialog.close();
      if (!ok && opener.isConnected) opener.focus();
      resolve(ok);
    };
    dialog.addEventListener('close', () => finish(false), { once: true });
    dialog.addEventListener('cancel', () => finish(false), { once: true });
    dialog.querySelector('[data-cancel]')?.addEventListener('click', () => finish(false));
    wire(finish);
  });
}
