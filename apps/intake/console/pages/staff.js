// @ts-check
// 员工账号 (admins): every staff member with role, status and last login; deactivate / reactivate, change role,
// reset password (a generated one, shown once). The API: apps/intake/src/staff/staff.controller.ts.
import { api } from '../lib/api.js';
import { $, on } from '../lib/dom.js';
import { dateTime } from '../lib/format.js';
import { html, mount } from '../lib/html.js';
import { label, t } from '../lib/i18n.js';
import { staffMessages } from '../lib/staff-messages.js';
import { dialogSession, errorBox, flash } from '../lib/ui.js';

const roles = ['operator', 'cs_rep', 'dept_manager', 'vice_gm', 'gm', 'admin'];

/**
 * @typedef {{ id: string, login: string, name: string, role: string, active: boolean, lastLoginAt: string | null }} Staff
 */

/** @param {Staff[]} staff @param {string} myId */
function rows(staff, myId) {
  return staff.map(
    (s) => html`<tr data-id="${s.id}" class="${s.active ? '' : 'st-inactive'}">
      <th scope="row">${s.login}</th>
      <td>${s.name}${s.id === myId ? t('st.you') : ''}</td>
      <td class="st-role"><select name="role" aria-label="${t('st.roleOf', { login: s.login })}">${roles.map(
        (r) => html`<option value="${r}" ${r === s.role ? html`selected` : ''}>${label('role', r)}</option>`,
      )}</select>
        <button type="button" class="secondary" data-act="role" aria-label="${t('st.changeRoleOf', { login: s.login })}">${t('st.changeRole')}</button></td>
      <td><span class="badge">${s.active ? t('st.active') : t('st.inactive')}</span></td>
      <td>${dateTime(s.lastLoginAt)}</td>
      <td class="st-actions">${
        s.active
          ? html`<button type="button" class="secondary" data-act="deactivate" aria-label="${t('st.deactivateOf', { login: s.login })}">${t('st.deactivate')}</button>`
          : html`<button type="button" class="secondary" data-act="reactivate" aria-label="${t('st.reactivateOf', { login: s.login })}">${t('st.reactivate')}</button>`
      }
        <button type="button" class="secondary" data-act="reset" aria-label="${t('st.resetOf', { login: s.login })}">${t('st.reset')}</button></td>
    </tr>`,
  );
}

/**
 * Asks once in the page's dialog; resolves true once `send` succeeded (the dialog then shows what `send` returned,
 * if anything, until it is closed), false when cancelled. A refusal is shown in the dialog.
 * @param {HTMLDialogElement} dialog @param {HTMLElement} opener
 * @param {{ text: string, confirm: string, send: () => Promise<import('../lib/html.js').SafeHtml | null> }} o
 * @returns {Promise<boolean>}
 */
async function ask(dialog, opener, o) {
  mount(
    dialog,
    html`<form method="dialog" novalidate>
      <p id="st-dialog-text">${o.text}</p><div class="st-dialog-error"></div>
      <div class="actions"><button type="button" data-confirm>${o.confirm}</button>
        <button type="button" class="secondary" data-cancel>${t('app.cancel')}</button></div></form>`,
  );
  dialog.setAttribute('aria-labelledby', 'st-dialog-text');
  let sent = false;
  const closed = await dialogSession(dialog, opener, (finish) => {
    const confirm = /** @type {HTMLButtonElement} */ ($('[data-confirm]', dialog));
    confirm.addEventListener('click', () => {
      confirm.disabled = true;
      o.send().then(
        (after) => {
          sent = true;
          if (!after) return finish(true);
          mount(
            dialog,
            html`<div>${after}<div class="actions"><button type="button" data-close>${t('st.close')}</button></div></div>`,
          );
          const close = $('[data-close]', dialog);
          close.addEventListener('click', () => finish(true));
          close.focus();
        },
        (err) => {
          confirm.disabled = false;
          mount($('.st-dialog-error', dialog), errorText(err, opener));
        },
      );
    });
    dialog.showModal();
    confirm.focus();
  });
  // A generated password is shown once: it does not stay in the page once the dialog is closed.
  mount(dialog, html``);
  // Closed with Escape after the change was made: it was made all the same.
  return closed || sent;
}

/** The API's refusals in the staff member's words. @param {any} err @param {HTMLElement} row */
function errorText(err, row) {
  if (err?.code === 'conflict' && /last active admin/.test(String(err.message))) {
    const login = row.closest('tr')?.querySelector('th')?.textContent ?? '';
    return html`<div class="alert" role="alert"><p>${t('st.err.lastAdmin', { login })}</p></div>`;
  }
  return errorBox(err);
}

/** @type {import('../lib/types').Page} */
export default {
  path: '/staff',
  nav: 'nav.staff',
  roles: ['admin'],
  messages: staffMessages,
  async render(main, ctx) {
    ctx.setTitle(t('st.title'));
    /** @type {Staff[]} */
    let staff = await api('staff');
    mount(
      main,
      html`<div class="staff-page"><h1 tabindex="-1" id="st-title">${t('st.title')}</h1>
        <p class="hint">${t('st.hint')}</p>
        <div class="st-result" tabindex="-1"></div>
        <table class="rt-table st-table"><thead><tr><th scope="col">${t('st.login')}</th><th scope="col">${t('st.name')}</th>
          <th scope="col">${t('st.role')}</th><th scope="col">${t('st.status')}</th><th scope="col">${t('st.lastLogin')}</th>
          <th scope="col">${t('st.actions')}</th></tr></thead><tbody id="st-rows"></tbody></table>
        <dialog class="st-dialog"></dialog></div>`,
    );
    const root = $('.staff-page', main);
    const box = $('.st-result', root);
    const dialog = /** @type {HTMLDialogElement} */ ($('dialog', root));
    const draw = () => mount($('#st-rows', root), html`${rows(staff, ctx.session.staff.id)}`);
    draw();

    /** After a change: the list again, a message, and the keyboard back on the row's first button. @param {string} id @param {string} message */
    const done = async (id, message) => {
      try {
        staff = await api('staff');
      } catch (err) {
        return void mount(box, errorBox(err));
      }
      draw();
      flash(message);
      mount(box, html`<p class="success" role="status">${message}</p>`);
      const target = root.querySelector(`tr[data-id="${CSS.escape(id)}"] .st-actions button`);
      (target instanceof HTMLElement ? target : box).focus();
    };

    on(root, 'click', 'button[data-act]', (button) => {
      const tr = /** @type {HTMLElement} */ (button.closest('tr'));
      const s = staff.find((x) => x.id === tr.dataset.id);
      if (!s) return;
      const who = { name: s.name, login: s.login };
      mount(box, html``);
      const act = button.dataset.act;
      if (act === 'reactivate') {
        api(`staff/${s.id}/reactivate`, { method: 'POST' }).then(
          () => done(s.id, t('st.done.reactivate', who)),
          (err) => mount(box, errorText(err, button)),
        );
        return;
      }
      if (act === 'deactivate') {
        void ask(dialog, button, {
          text: t('st.confirm.deactivate', who),
          confirm: t('st.deactivate'),
          send: () => api(`staff/${s.id}/deactivate`, { method: 'POST' }).then(() => null),
        }).then((ok) => (ok ? done(s.id, t('st.done.deactivate', who)) : undefined));
        return;
      }
      if (act === 'role') {
        const role = /** @type {HTMLSelectElement} */ ($('select[name="role"]', tr)).value;
        if (role === s.role) return void mount(box, html`<p class="notice" role="status">${t('st.sameRole')}</p>`);
        const roleName = label('role', role);
        void ask(dialog, button, {
          text: t('st.confirm.role', { ...who, role: roleName }),
          confirm: t('st.changeRole'),
          send: () => api(`staff/${s.id}/role`, { body: { role } }).then(() => null),
        }).then((ok) => (ok ? done(s.id, t('st.done.role', { ...who, role: roleName })) : undefined));
        return;
      }
      if (act === 'reset') {
        void ask(dialog, button, {
          text: t('st.confirm.reset', who),
          confirm: t('st.generate'),
          send: () =>
            api(`staff/${s.id}/password`, { body: {} }).then(
              (r) =>
                html`<p id="st-dialog-text">${t('st.generated', who)}</p><p><code class="st-password" id="st-generated">${r.generatedPassword}</code></p>`,
            ),
        }).then((ok) => (ok ? done(s.id, t('st.done.reset', who)) : undefined));
      }
    });
  },
};
