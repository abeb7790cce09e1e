// @ts-check
import { html, mount } from '../lib/html.js';
import { t } from '../lib/i18n.js';

/** @type {import('../lib/types').Page} */
export default {
  path: '/warranty',
  nav: 'nav.warranty',
  roles: ['cs_rep', 'dept_manager', 'vice_gm', 'gm'],
  messages: {
    zh: { 'nav.warranty': '保修到期' },
    en: { 'nav.warranty': 'Warranty notices' },
  },
  render(main, ctx) {
    ctx.setTitle(t('nav.warranty'));
    mount(main, html`<h1>${t('nav.warranty')}</h1>`);
  },
};
