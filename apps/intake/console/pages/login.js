// @ts-check
import { api } from '../lib/api.js';
import { $, formValues } from '../lib/dom.js';
import { html, mount } from '../lib/html.js';
import { t } from '../lib/i18n.js';
import { setSession } from '../lib/session.js';
import { errorBox } from '../lib/ui.js';

/** @type {import('../lib/types').Page} */
export default {
  path: '/login',
  messages: {
    zh: {
      'login.title': '登录',
      'login.login': '用户名',
      'login.password': '密码',
      'login.submit': '登录',
      'login.wrong': '用户名或密码错误。',
      'login.locked': '登录尝试次数过多，已暂时锁定，请稍后再试。',
    },
    en: {
      'login.title': 'Log in',
      'login.login': 'Login',
      'login.password': 'Password',
      'login.submit': 'Log in',
      'login.wrong': 'Wrong login or password.',
      'login.locked': 'Too many login attempts: locked for a while. Please try again later.',
    },
  },
  render(main, ctx) {
    ctx.setTitle(t('login.title'));
    mount(
      main,
      html`<section class="login">
        <h1>${t('app.name')} · ${t('login.title')}</h1>
        <div id="login-error"></div>
        <form id="login-form" novalidate>
          <div class="field"><label for="login">${t('login.login')}</label><input id="login" name="login" autocomplete="username" required autofocus></div>
          <div class="field"><label for="password">${t('login.password')}</label><input id="password" name="password" type="password" autocomplete="current-password" required></div>
          <button type="submit">${t('login.submit')}</button>
        </form>
      </section>`,
    );
    const form = $('#login-form', main);
    $('#login', main).focus();
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      void submit();
    });
    const submit = async () => {
      const button = $('button', form);
      button.setAttribute('disabled', '');
      try {
        setSession(await api('auth/login', { body: formValues(/** @type {HTMLFormElement} */ (form)) }));
        const next = ctx.query.get('next');
        location.hash = next && next.startsWith('/') && !next.startsWith('/login') ? `#${next}` : '#/';
      } catch (err) {
        const box = $('#login-error', main);
        mount(
          box,
          /** @type {any} */ (err).code === 'invalid_credentials'
            ? html`<div class="alert" role="alert"><p>${t('login.wrong')}</p></div>`
            : /** @type {any} */ (err).code === 'too_many_attempts'
              ? html`<div class="alert" role="alert"><p>${t('login.locked')}</p></div>`
              : errorBox(err),
        );
        $('#password', main).focus();
      } finally {
        button.removeAttribute('disabled');
      }
    };
  },
};
