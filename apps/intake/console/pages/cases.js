// @ts-check
import { html, mount } from '../lib/html.js';
import { t } from '../lib/i18n.js';

/** @type {import('../lib/types').Page} */
export default {
  path: '/cases',
  nav: 'nav.cases',
  messages: {
    zh: { 'nav.cases': '案件队列' },
    en: { 'nav.cases': 'Case queue' },
  },
  render(main, ctx) {
    ctx.setTitle(t('nav.cases'));
    mount(main, html`<h1>${t('nav.cases')}</h1>`);
  },
};
