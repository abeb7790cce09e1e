// @ts-check
import { html, mount } from '../lib/html.js';
import { t } from '../lib/i18n.js';

/** @type {import('../lib/types').Page} */
export default {
  path: '/cases/:id',
  messages: {
    zh: { 'case-detail.title': '案件' },
    en: { 'case-detail.title': 'Case' },
  },
  render(main, ctx) {
    ctx.setTitle(t('case-detail.title'));
    mount(main, html`<h1>${t('case-detail.title')}</h1>`);
  },
};
