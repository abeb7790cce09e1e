// @ts-check
import { html, mount } from '../lib/html.js';
import { t } from '../lib/i18n.js';

/** @type {import('../lib/types').Page} */
export default {
  path: '/certificates',
  nav: 'nav.certificates',
  roles: ['cs_rep', 'dept_manager', 'vice_gm', 'gm'],
  messages: {
    zh: { 'nav.certificates': '办证批次' },
    en: { 'nav.certificates': 'Certificate batches' },
  },
  render(main, ctx) {
    ctx.setTitle(t('nav.certificates'));
    mount(main, html`<h1>${t('nav.certificates')}</h1>`);
  },
};
