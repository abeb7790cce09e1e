// @ts-check
import { html, mount } from '../lib/html.js';
import { t } from '../lib/i18n.js';

/** @type {import('../lib/types').Page} */
export default {
  path: '/quarantine',
  nav: 'nav.quarantine',
  roles: ['cs_rep', 'dept_manager', 'vice_gm', 'gm'],
  messages: {
    zh: { 'nav.quarantine': '隔离区' },
    en: { 'nav.quarantine': 'Quarantine' },
  },
  render(main, ctx) {
    ctx.setTitle(t('nav.quarantine'));
    mount(main, html`<h1>${t('nav.quarantine')}</h1>`);
  },
};
