// @ts-check
import { api, apiObjectUrl } from '../lib/api.js';
import { $ } from '../lib/dom.js';
import { date } from '../lib/format.js';
import { html, mount } from '../lib/html.js';
import { t } from '../lib/i18n.js';
import { todayInShanghai } from '../lib/sched-forms.js';
import { errorBox, flash } from '../lib/ui.js';

/**
 * What the daily scan will send (`GET /api/v1/warranty/upcoming`).
 * @typedef {object} Upcoming
 * @property {string} unitId
 * @property {string} unitLabel
 * @property {string} itemCode
 * @property {string} itemName
 * @property {string} handoverDate
 * @property {string} expiresOn
 * @property {string} dueOn
 * @property {number} owners
 */

const DAYS = [30, 60, 90];

/** YYYY-MM-DD plus n days (calendar arithmetic, no time zone). @param {string} day @param {number} n */
const addDays = (day, n) => new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

/** @type {import('../lib/types').Page} */
export default {
  path: '/warranty',
  nav: 'nav.warranty',
  roles: ['cs_rep', 'dept_manager', 'vice_gm', 'gm'],
  messages: {
    zh: {
      'nav.warranty': '保修到期',
      'warranty.estate': '楼盘',
      'warranty.days': '时间范围',
      'warranty.daysN': '未来 {n} 天',
      'warranty.show': '查看',
      'warranty.noEstates': '还没有楼盘。',
      'warranty.summary': '{estate}：未来 {days} 天将发出 {count} 条保修到期通知。',
      'warranty.dueOn': '通知日期 {date}',
      'warranty.unit': '房号',
      'warranty.item': '保修项目',
      'warranty.handover': '交付日期',
      'warranty.expires': '保修到期日',
      'warranty.owners': '业主数',
      'warranty.noOwner': '无业主（未售）',
      'warranty.none': '这段时间没有要发出的保修到期通知。',
      'warranty.sort': '排序',
      'warranty.sort.dueOn': '按通知日期分组',
      'warranty.sort.expiresOn': '按到期日',
      'warranty.csv': '下载近 60 天已发通知（CSV）',
      'warranty.csvReady': '已下载已发通知 CSV。',
    },
    en: {
      'nav.warranty': 'Warranty notices',
      'warranty.estate': 'Estate',
      'warranty.days': 'Period',
      'warranty.daysN': 'Next {n} days',
      'warranty.show': 'Show',
      'warranty.noEstates': 'No estates yet.',
      'warranty.summary': '{estate}: {count} warranty-expiry notices go out in the next {days} days.',
      'warranty.dueOn': 'Notice date {date}',
      'warranty.unit': 'Unit',
      'warranty.item': 'Item',
      'warranty.handover': 'Handed over',
      'warranty.expires': 'Warranty ends',
      'warranty.owners': 'Owners',
      'warranty.noOwner': 'no owner (unsold)',
      'warranty.none': 'No warranty-expiry notices go out in this period.',
      'warranty.sort': 'Order',
      'warranty.sort.dueOn': 'Grouped by notice date',
      'warranty.sort.expiresOn': 'By expiry date',
      'warranty.csv': 'Download notices sent in the last 60 days (CSV)',
      'warranty.csvReady': 'Sent notices CSV downloaded.',
    },
  },
  async render(main, ctx) {
    ctx.setTitle(t('nav.warranty'));
    mount(main, html`<h1>${t('nav.warranty')}</h1><p class="loading">${t('app.loading')}</p>`);
    // The estates list intake already serves for the public complaint form (id, name; no owner data).
    const estates = /** @type {Array<{ id: string, name: string }>} */ (await api('web-complaints/estates'));
    if (estates.length === 0) {
      mount(main, html`<h1>${t('nav.warranty')}</h1><p class="notice">${t('warranty.noEstates')}</p>`);
      return;
    }
    const estate = estates.find((e) => e.id === ctx.query.get('projectId')) ?? estates[0];
    if (!estate) return;
    const days = DAYS.find((d) => String(d) === ctx.query.get('days')) ?? 60;
    const sort = ctx.query.get('sort') === 'expiresOn' ? 'expiresOn' : 'dueOn';
    const rows = /** @type {Upcoming[]} */ (await api('warranty/upcoming', { query: { projectId: estate.id, days } }));

    /** @param {Upcoming} r */
    const cells = (
      r,
    ) => html`<td>${r.unitLabel}</td><td>${r.itemName}</td><td>${date(r.handoverDate)}</td><td>${date(r.expiresOn)}</td>
      <td class="num">${r.owners > 0 ? r.owners : html`<span class="muted">${t('warranty.noOwner')}</span>`}</td>`;
    const head = html`<th scope="col">${t('warranty.unit')}</th><th scope="col">${t('warranty.item')}</th><th scope="col">${t('warranty.handover')}</th>
      <th scope="col">${t('warranty.expires')}</th><th scope="col" class="num">${t('warranty.owners')}</th>`;

    /** @type {Map<string, Upcoming[]>} */
    const byDay = new Map();
    for (const r of rows) byDay.set(r.dueOn, [...(byDay.get(r.dueOn) ?? []), r]);
    const table =
      rows.length === 0
        ? html`<p class="notice">${t('warranty.none')}</p>`
        : sort === 'dueOn'
          ? html`<table class="sched-warranty"><thead><tr>${head}</tr></thead>${[...byDay].map(
              ([
                day,
                group,
              ]) => html`<tbody><tr class="sched-group"><th scope="rowgroup" colspan="5">${t('warranty.dueOn', { date: date(day) })} · ${group.length}</th></tr>
                ${group.map((r) => html`<tr>${cells(r)}</tr>`)}</tbody>`,
            )}</table>`
          : html`<table class="sched-warranty"><thead><tr>${head}<th scope="col">${t('warranty.dueOn', { date: '' })}</th></tr></thead><tbody>${[
              ...rows,
            ]
              .sort((a, b) => a.expiresOn.localeCompare(b.expiresOn) || a.unitLabel.localeCompare(b.unitLabel))
              .map((r) => html`<tr>${cells(r)}<td>${date(r.dueOn)}</td></tr>`)}</tbody></table>`;

    mount(
      main,
      html`<div class="sched-page" id="warranty-page">
      <h1>${t('nav.warranty')}</h1>
      <form class="filters" id="warranty-filter">
        <div class="field"><label for="w-estate">${t('warranty.estate')}</label>
          <select id="w-estate" name="projectId">${estates.map((e) => html`<option value="${e.id}" ${e.id === estate.id ? html`selected` : null}>${e.name}</option>`)}</select></div>
        <div class="field"><label for="w-days">${t('warranty.days')}</label>
          <select id="w-days" name="days">${DAYS.map((d) => html`<option value="${d}" ${d === days ? html`selected` : null}>${t('warranty.daysN', { n: d })}</option>`)}</select></div>
        <div class="field"><label for="w-sort">${t('warranty.sort')}</label>
          <select id="w-sort" name="sort">${['dueOn', 'expiresOn'].map((s) => html`<option value="${s}" ${s === sort ? html`selected` : null}>${t(`warranty.sort.${s}`)}</option>`)}</select></div>
        <button type="submit">${t('warranty.show')}</button>
      </form>
      <p id="warranty-summary">${t('warranty.summary', { estate: estate.name, days, count: rows.length })}</p>
      <p class="actions"><button type="button" class="secondary" id="warranty-csv">${t('warranty.csv')}</button></p>
      <div id="warranty-error"></div>
      ${table}
      </div>`,
    );

    const form = /** @type {HTMLFormElement} */ ($('#warranty-filter', main));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const q = new URLSearchParams();
      for (const [k, v] of new FormData(form)) if (typeof v === 'string') q.set(k, v);
      ctx.navigate(`/warranty?${q}`);
    });
    const csv = $('#warranty-csv', main);
    csv.addEventListener('click', () => void download());
    async function download() {
      csv.setAttribute('disabled', '');
      mount($('#warranty-error', main), html``);
      try {
        const to = todayInShanghai();
        const url = await apiObjectUrl(
          `warranty/notices?projectId=${encodeURIComponent(estate.id)}&from=${addDays(to, -60)}&to=${to}&format=csv`,
        );
        const a = document.createElement('a');
        a.href = url;
        a.download = `warranty-notices-${to}.csv`;
        document.body.append(a);
        a.click();
        a.remove();
        setTimeout(() => URL.revokeObjectURL(url), 10_000);
        flash(t('warranty.csvReady'));
      } catch (err) {
        mount($('#warranty-error', main), errorBox(err));
      } finally {
        csv.removeAttribute('disabled');
      }
    }
  },
};
