// @ts-check
import { html, mount } from '../lib/html.js';
import { t } from '../lib/i18n.js';

/** @type {import('../lib/types').Page} */
export default {
  path: '/dashboard',
  nav: 'nav.dashboard',
  roles: ['dept_manager', 'vice_gm', 'gm'],
  messages: {
    zh: { 'nav.dashboard': '经理看板' },
    en: { 'nav.dashboard': 'Dashboard' },
  },
  render(main, ctx) {
    ctx.setTitle(t('nav.dashboard'));
    mount(main, html`<h1>${t('nav.dashboard')}</h1>`);
  },
};
