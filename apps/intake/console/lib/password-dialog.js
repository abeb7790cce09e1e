// @ts-check
// 修改密码: any signed-in staff member changes their own password (POST /api/v1/staff/me/password, with the current
// one). The answer is a new token: this session goes on, the others end.
import { api, ApiError } from './api.js';
import { $ } from './dom.js';
import { html, mount } from './html.js';
import { register, t } from './i18n.js';
import { setSession } from './session.js';
import { staffMessages } from './staff-messages.js';
import { dialogSession, errorBox, flash } from './ui.js';

register(staffMessages);

/** Opens the dialog (made once, kept in the body); resolves when it closes. @param {HTMLElement} opener */
export function changeOwnPassword(opener) {
  let dialog = /** @type {HTMLDialogElement | null} */ (document.getElementById('pw-dialog'));
  if (!dialog) {
    dialog = document.createElement('dialog');
    dialog.id = 'pw-dialog';
    document.body.append(dialog);
  }
  const d = dialog;
  mount(
    d,
    html`<form method="dialog" novalidate>
      <h2 id="pw-title">${t('pw.title')}</h2><div class="pw-error"></div>
      <div class="field"><label for="pw-current">${t('pw.current')}</label><input id="pw-current" name="currentPassword" type="password" autocomplete="current-password" required></div>
      <div class="field"><label for="pw-new">${t('pw.new')}</label><input id="pw-new" name="newPassword" type="password" autocomplete="new-password" minlength="10" required></div>
      <div class="field"><label for="pw-repeat">${t('pw.repeat')}</label><input id="pw-repeat" name="repeat" type="password" autocomplete="new-password" required></div>
      <div class="actions"><button type="submit">${t('pw.submit')}</button>
        <button type="button" class="secondary" data-cancel>${t('app.cancel')}</button></div></form>`,
  );
  d.setAttribute('aria-labelledby', 'pw-title');
  const form = /** @type {HTMLFormElement} */ ($('form', d));
  const box = $('.pw-error', d);
  const value = (/** @type {string} */ id) => /** @type {HTMLInputElement} */ ($(`#${id}`, d)).value;
  /** @param {string} message @param {string} focus */
  const refuse = (message, focus) => {
    mount(box, html`<div class="alert" role="alert"><p>${message}</p></div>`);
    $(`#${focus}`, d).focus();
  };
  return dialogSession(d, opener, (finish) => {
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const currentPassword = value('pw-current');
      const newPassword = value('pw-new');
      if (newPassword.length < 10) return refuse(t('pw.err.short'), 'pw-new');
      if (newPassword === currentPassword) return refuse(t('pw.err.same'), 'pw-new');
      if (newPassword !== value('pw-repeat')) return refuse(t('pw.err.repeat'), 'pw-repeat');
      const submit = /** @type {HTMLButtonElement} */ ($('button[type="submit"]', d));
      submit.disabled = true;
      api('staff/me/password', { body: { currentPassword, newPassword } })
        .then(
          (login) => {
            setSession(login);
            flash(t('pw.done'));
            finish(true);
          },
          (err) => {
            if (err instanceof ApiError && err.fields.some((f) => f.field === 'currentPassword'))
              return refuse(t('pw.err.wrong'), 'pw-current');
            if (err instanceof ApiError && err.code === 'too_many_attempts')
              return refuse(t('pw.err.locked'), 'pw-current');
            mount(box, errorBox(err));
          },
        )
        .finally(() => (submit.disabled = false));
    });
    d.showModal();
    $('#pw-current', d).focus();
  });
}
