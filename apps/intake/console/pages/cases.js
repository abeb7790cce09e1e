// @ts-check
// Case queue: filters kept in the hash query (#/cases?status=new&page=2), so links, reloads and
// back/forward show the same list; a deadline countdown per row; paging.
import { api } from '../lib/api.js';
import { $, formValues } from '../lib/dom.js';
import { countdown, dateTime } from '../lib/format.js';
import { html, mount } from '../lib/html.js';
import { label, t } from '../lib/i18n.js';
import { dueBadge, errorBox, pager } from '../lib/ui.js';
import { caseCategories as categories, caseTypes as types } from '../lib/vocab.js';

/**
 * @typedef {{ id: string, number: string, type: string, category: string | null, severity: string, channel: string, status: string,
 *   projectCode: string | null, projectName: string | null, unitLabel: string | null, ownerName: string | null, reporterName: string | null, assigneeName: string | null,
 *   departmentName: string | null, promisedReplyAt: string | null, overdue: boolean, receivedAt: string, summary: string }} CaseRow
 * @typedef {{ items: CaseRow[], total: number, page: number, pageSize: number }} CaseList
 */

const statuses = ['new', 'accepted', 'assigned', 'replied', 'resolved', 'return_visited', 'closed', 'rejected'];
/** Not closed and not rejected: the default working view of a queue is still "everything", this is one click. */
const OPEN = 'new,accepted,assigned,replied,resolved,return_visited';
/** Still waiting for the reply promised to the customer: what the API's overdue filter looks at. */
const AWAITING_REPLY = ['new', 'accepted', 'assigned'];
const channels = ['hotline', 'email', 'fax', 'web', 'suggestion_box', 'walk_in'];
/** Roles GET /staff answers (its @Roles, admin passes every check). @type {string[]} */
const STAFF_READERS = ['dept_manager', 'vice_gm', 'gm', 'admin'];
/** The query names the page understands (the API's names). */
const FILTERS = ['status', 'channel', 'type', 'category', 'projectId', 'assigneeId', 'overdue', 'q'];

/** @param {URLSearchParams} q @param {Record<string, string | number>} [over] */
function hrefWith(q, over = {}) {
  const next = new URLSearchParams();
  for (const k of [...FILTERS, 'page']) {
    const v = k in over ? String(over[k]) : q.get(k);
    if (v) next.set(k, v);
  }
  const s = next.toString();
  return `#/cases${s ? `?${s}` : ''}`;
}

/**
 * @param {string} name
 * @param {string} text
 * @param {Array<{ value: string, text: string }>} options
 * @param {string} current
 */
const select = (name, text, options, current) => html`<div class="field">
  <label for="q-${name}">${text}</label>
  <select id="q-${name}" name="${name}"><option value="">${t('app.all')}</option>${options.map(
    (o) => html`<option value="${o.value}" ${o.value === current ? 'selected' : ''}>${o.text}</option>`,
  )}</select>
</div>`;

/** @type {import('../lib/types').Page} */
export default {
  path: '/cases',
  nav: 'nav.cases',
  messages: {
    zh: {
      'nav.cases': '案件队列',
      'cases.filters': '筛选',
      'cases.status': '状态',
      'cases.open': '未结（除已关闭、无效）',
      'cases.channel': '渠道',
      'cases.type': '类型',
      'cases.category': '分类',
      'cases.estate': '楼盘',
      'cases.assignee': '负责人',
      'cases.overdue': '只看逾期未答复',
      'cases.q': '编号、内容或来电人',
      'cases.number': '编号',
      'cases.received': '收到时间',
      'cases.categorySeverity': '分类 / 程度',
      'cases.where': '楼盘 / 房号',
      'cases.promised': '承诺答复',
      'cases.caption': '案件（{total} 件）',
      'cases.unassigned': '未分派',
    },
    en: {
      'nav.cases': 'Case queue',
      'cases.filters': 'Filters',
      'cases.status': 'Status',
      'cases.open': 'Open (not closed or invalid)',
      'cases.channel': 'Channel',
      'cases.type': 'Type',
      'cases.category': 'Category',
      'cases.estate': 'Estate',
      'cases.assignee': 'Assignee',
      'cases.overdue': 'Only overdue replies',
      'cases.q': 'Number, text or caller',
      'cases.number': 'Number',
      'cases.received': 'Received',
      'cases.categorySeverity': 'Category / severity',
      'cases.where': 'Estate / unit',
      'cases.promised': 'Promised reply',
      'cases.caption': 'Cases ({total})',
      'cases.unassigned': 'Unassigned',
    },
  },
  async render(main, ctx) {
    ctx.setTitle(t('nav.cases'));
    const q = ctx.query;
    /** @type {Record<string, string>} */
    const query = {};
    for (const k of [...FILTERS, 'page']) {
      const v = q.get(k);
      if (v) query[k] = v;
    }
    const [estates, staff, list] = await Promise.all([
      api('web-complaints/estates').catch(() => /** @type {Array<{ id: string, name: string }>} */ ([])),
      // Only managers may read the staff list (the API decides): not asked for roles it refuses, and a
      // 403 or any failure just leaves the assignee filter out.
      STAFF_READERS.includes(ctx.session.staff.role) ? api('staff').catch(() => null) : null,
      api('cases', { query }).catch((/** @type {unknown} */ err) => err),
    ]);
    /** @type {Array<{ id: string, name: string, role: string, active: boolean }> | null} */
    const people = Array.isArray(staff) ? staff : null;
    const cur = (/** @type {string} */ k) => q.get(k) ?? '';

    mount(
      main,
      html`<h1>${t('nav.cases')}</h1>
      <form id="q-form" class="filters q-filters" role="search" aria-label="${t('cases.filters')}">
        ${select('status', t('cases.status'), [{ value: OPEN, text: t('cases.open') }, ...statuses.map((v) => ({ value: v, text: label('status', v) }))], cur('status'))}
        ${select(
          'channel',
          t('cases.channel'),
          channels.map((v) => ({ value: v, text: label('channel', v) })),
          cur('channel'),
        )}
        ${select(
          'type',
          t('cases.type'),
          types.map((v) => ({ value: v, text: label('type', v) })),
          cur('type'),
        )}
        ${select(
          'category',
          t('cases.category'),
          categories.map((v) => ({ value: v, text: label('category', v) })),
          cur('category'),
        )}
        ${select(
          'projectId',
          t('cases.estate'),
          /** @type {Array<{ id: string, name: string }>} */ (estates).map((e) => ({ value: e.id, text: e.name })),
          cur('projectId'),
        )}
        ${
          people &&
          select(
            'assigneeId',
            t('cases.assignee'),
            people
              .filter((p) => p.active || p.id === cur('assigneeId'))
              .map((p) => ({ value: p.id, text: `${p.name}（${label('role', p.role)}）` })),
            cur('assigneeId'),
          )
        }
        <div class="field q-text"><label for="q-q">${t('cases.q')}</label><input id="q-q" name="q" type="search" value="${cur('q')}" maxlength="100"></div>
        <div class="field q-check"><label><input type="checkbox" name="overdue" value="true" ${cur('overdue') === 'true' ? 'checked' : ''}> ${t('cases.overdue')}</label></div>
        <div class="actions"><button type="submit">${t('app.search')}</button><a class="button secondary" href="#/cases">${t('app.reset')}</a></div>
      </form>
      <div id="q-result">${list instanceof Error || !list ? errorBox(list) : table(/** @type {CaseList} */ (list), q)}</div>`,
    );

    const form = /** @type {HTMLFormElement} */ ($('#q-form', main));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      // A new filter starts at page 1; the hash change re-renders (and back/forward returns here).
      const v = formValues(form);
      const next = new URLSearchParams();
      for (const k of FILTERS) if (v[k]) next.set(k, v[k]);
      const s = next.toString();
      ctx.navigate(`/cases${s ? `?${s}` : ''}`);
    });
  },
};

/** @param {CaseList} list @param {URLSearchParams} q */
function table(list, q) {
  if (list.items.length === 0) return html`<p class="notice">${t('app.none')}</p>`;
  return html`<div class="q-scroll"><table class="q-table">
    <caption class="muted">${t('cases.caption', { total: list.total })}</caption>
    <thead><tr>
      <th scope="col">${t('cases.number')}</th><th scope="col">${t('cases.received')}</th><th scope="col">${t('cases.channel')}</th>
      <th scope="col">${t('cases.type')}</th><th scope="col">${t('cases.categorySeverity')}</th><th scope="col">${t('cases.where')}</th>
      <th scope="col">${t('cases.status')}</th><th scope="col">${t('cases.assignee')}</th><th scope="col">${t('cases.promised')}</th>
    </tr></thead>
    <tbody>${list.items.map(
      (c) => html`<tr class="${c.severity === 'major' ? 'q-major' : ''}">
        <td class="q-num"><a href="#/cases/${c.id}">${c.number}</a><span class="q-sum">${c.summary}</span></td>
        <td>${dateTime(c.receivedAt)}</td>
        <td>${label('channel', c.channel)}</td>
        <td>${label('type', c.type)}</td>
        <td>${label('category', c.category)} ${c.severity === 'major' ? html`<span class="badge major">${label('severity', 'major')}</span>` : html`<span class="muted">/ ${label('severity', c.severity)}</span>`}</td>
        <td>${c.projectName ?? c.projectCode ?? '—'}${c.unitLabel ? html`<br>${c.unitLabel}` : ''}</td>
        <td>${label('status', c.status)}</td>
        <td>${c.assigneeName ?? c.departmentName ?? html`<span class="muted">${t('cases.unassigned')}</span>`}</td>
        <td>${c.promisedReplyAt ? html`${dateTime(c.promisedReplyAt)}${AWAITING_REPLY.includes(c.status) ? html`<br>${dueBadge(countdown(c.promisedReplyAt))}` : ''}` : '—'}</td>
      </tr>`,
    )}</tbody>
  </table></div>
  ${pager(list, (page) => hrefWith(q, { page }))}`;
}
