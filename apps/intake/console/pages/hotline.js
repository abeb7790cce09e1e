// @ts-check
import { html, mount } from '../lib/html.js';
import { t } from '../lib/i18n.js';

/** @type {import('../lib/types').Page} */
export default {
  path: '/hotline',
  nav: 'nav.hotline',
  roles: ['operator', 'cs_rep'],
  messages: {
    zh: { 'nav.hotline': '热线登记' },
    en: { 'nav.hotline': 'Hotline' },
  },
  render(main, ctx) {
    ctx.setTitle(t('nav.hotline'));
    mount(main, html`<h1>${t('nav.hotline')}</h1>`);
  },
};
