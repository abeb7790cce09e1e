// @ts-check
import { html, mount } from '../lib/html.js';
import { t } from '../lib/i18n.js';

/** @type {import('../lib/types').Page} */
export default {
  path: '/reminders',
  nav: 'nav.reminders',
  messages: {
    zh: { 'nav.reminders': '我的提醒' },
    en: { 'nav.reminders': 'My reminders' },
  },
  render(main, ctx) {
    ctx.setTitle(t('nav.reminders'));
    mount(main, html`<h1>${t('nav.reminders')}</h1>`);
  },
};
