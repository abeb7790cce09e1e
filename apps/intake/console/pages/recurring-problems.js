// @ts-check
import { api } from '../lib/api.js';
import { formText } from './case-library.js';
import { $ } from '../lib/dom.js';
import { showSaveError } from '../lib/field-errors.js';
import { date } from '../lib/format.js';
import { html, mount } from '../lib/html.js';
import { t } from '../lib/i18n.js';
import { errorBox, flash } from '../lib/ui.js';

/**
 * @typedef {{ id: string, problemKey: string, problemLabel: string, action: string, department: string, dueOn: string,
 *   status: 'open' | 'in_progress' | 'done' | 'cancelled', result: string | null, overdue: boolean }} Action
 * @typedef {{ key: string, kind: string, label: string, cases: number, inPeriod: number, months: string[],
 *   examples: Array<{ caseId: string, number: string, excerpt: string }>, action: Action | null }} Problem
 */

const STATUSES = ['open', 'in_progress', 'done', 'cancelled'];
const MANAGERS = ['dept_manager', 'vice_gm', 'gm', 'admin'];

/** This month in Beijing (YYYY-MM). */
const thisMonth = () =>
  new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit' }).format(new Date());

const zh = {
  'nav.recurring': '重复问题',
  'rp.month': '月份',
  'rp.show': '查看',
  'rp.summary': '{month}：重复/共性问题 {n} 项（统计 {from} 起），整改中 {open} 项，逾期 {overdue} 项',
  'rp.none': '本月没有重复/共性问题。',
  'rp.kind.unit': '同一房号',
  'rp.kind.building': '同一楼栋',
  'rp.kind.category': '同一类别',
  'rp.kind.word': '问题词',
  'rp.col.kind': '类型',
  'rp.col.problem': '问题',
  'rp.col.cases': '件数（本月）',
  'rp.col.months': '月份',
  'rp.col.examples': '案例',
  'rp.col.action': '整改措施',
  'rp.take': '制定整改',
  'rp.action': '整改措施',
  'rp.department': '责任部门',
  'rp.dueOn': '完成期限',
  'rp.save': '保存整改措施',
  'rp.saved': '整改措施已保存。',
  'rp.fix': '请修改以下内容：',
  'rp.actions': '整改跟进',
  'rp.noActions': '没有进行中的整改措施。',
  'rp.overdue': '逾期',
  'rp.status.open': '待整改',
  'rp.status.in_progress': '整改中',
  'rp.status.done': '已完成',
  'rp.status.cancelled': '已取消',
  'rp.statusOf': '{label} 的状态',
};
const en = {
  'nav.recurring': 'Recurring problems',
  'rp.month': 'Month',
  'rp.show': 'Show',
  'rp.summary': '{month}: {n} recurring problems (counted from {from}); {open} actions in force, {overdue} overdue',
  'rp.none': 'No recurring problems this month.',
  'rp.kind.unit': 'Same unit',
  'rp.kind.building': 'Same building',
  'rp.kind.category': 'Same category',
  'rp.kind.word': 'Problem word',
  'rp.col.kind': 'Kind',
  'rp.col.problem': 'Problem',
  'rp.col.cases': 'Cases (this month)',
  'rp.col.months': 'Months',
  'rp.col.examples': 'Examples',
  'rp.col.action': 'Corrective action',
  'rp.take': 'Take action',
  'rp.action': 'Corrective action',
  'rp.department': 'Owner department',
  'rp.dueOn': 'Due',
  'rp.save': 'Save the action',
  'rp.saved': 'Corrective action saved.',
  'rp.fix': 'Please correct:',
  'rp.actions': 'Follow-up',
  'rp.noActions': 'No corrective actions in force.',
  'rp.overdue': 'overdue',
  'rp.status.open': 'Open',
  'rp.status.in_progress': 'In progress',
  'rp.status.done': 'Done',
  'rp.status.cancelled': 'Cancelled',
  'rp.statusOf': 'Status of {label}',
};

/** @param {Action} a */
const actionCell = (a) =>
  html`${a.action}（${a.department}，${a.dueOn}）<span class="badge">${t(`rp.status.${a.status}`)}</span>${
    a.overdue ? html` <span class="badge due-overdue">${t('rp.overdue')}</span>` : ''
  }`;

/** @type {import('../lib/types').Page} */
const page = {
  path: '/recurring-problems',
  nav: 'nav.recurring',
  roles: ['cs_rep', 'dept_manager', 'vice_gm', 'gm'],
  messages: { zh, en },
  async render(main, ctx) {
    ctx.setTitle(t('nav.recurring'));
    const month = ctx.query.get('month') ?? thisMonth();
    const manager = MANAGERS.includes(ctx.session.staff.role);
    const [r, depts] = await Promise.all([
      api(`recurring-problems?month=${encodeURIComponent(month)}`),
      manager ? api('case-library/departments') : { departments: [] },
    ]);
    /** @type {Problem[]} */
    const problems = r.problems;
    /** @type {Action[]} */
    const actions = r.actions;
    /** @type {Array<{ id: string, name: string }>} */
    const departments = depts.departments;
    mount(
      main,
      html`<div class="sched-page" id="recurring-page"><h1>${t('nav.recurring')}</h1>
      <form id="rp-month"><div class="field"><label for="rp-m">${t('rp.month')}</label>
        <input id="rp-m" name="month" type="month" value="${month}"></div>
        <button type="submit">${t('rp.show')}</button></form>
      <p id="rp-summary">${t('rp.summary', {
        month,
        n: r.totals.problems,
        from: date(r.window.start),
        open: r.totals.actionsInForce,
        overdue: r.totals.actionsOverdue,
      })}</p>
      ${
        problems.length
          ? html`<table id="rp-table"><thead><tr><th scope="col">${t('rp.col.kind')}</th>
            <th scope="col">${t('rp.col.problem')}</th>
            <th scope="col" class="num">${t('rp.col.cases')}</th><th scope="col">${t('rp.col.months')}</th>
            <th scope="col">${t('rp.col.examples')}</th><th scope="col">${t('rp.col.action')}</th></tr></thead><tbody>
            ${problems.map(
              (p) => html`<tr data-key="${p.key}"><td>${t(`rp.kind.${p.kind}`)}</td><td>${p.label}</td>
              <td class="num">${p.cases}（${p.inPeriod}）</td><td>${p.months.join('、')}</td>
              <td>${p.examples.map(
                (e) => html`<div><a href="#/cases/${e.caseId}">${e.number}</a> ${e.excerpt}</div>`,
              )}</td>
              <td>${
                p.action && (p.action.status === 'open' || p.action.status === 'in_progress')
                  ? actionCell(p.action)
                  : html`${p.action ? actionCell(p.action) : ''}${
                      manager
                        ? html`<button type="button" class="secondary" data-take="${p.key}" data-label="${p.label}">
                          ${t('rp.take')}</button>`
                        : ''
                    }`
              }</td></tr>`,
            )}</tbody></table>`
          : html`<p class="notice">${t('rp.none')}</p>`
      }
      <form id="rp-action" hidden novalidate><h2 id="rp-action-h"></h2>
        <input type="hidden" name="problemKey"><input type="hidden" name="problemLabel">
        <div class="field"><label for="rp-action-text">${t('rp.action')}</label>
          <textarea id="rp-action-text" name="action" rows="3"></textarea></div>
        <div class="field"><label for="rp-dept">${t('rp.department')}</label><select id="rp-dept" name="departmentId">
          ${departments.map((d) => html`<option value="${d.id}">${d.name}</option>`)}</select></div>
        <div class="field"><label for="rp-due">${t('rp.dueOn')}</label>
          <input id="rp-due" name="dueOn" type="date"></div>
        <div id="rp-action-error" tabindex="-1"></div><button type="submit">${t('rp.save')}</button></form>
      <section aria-labelledby="rp-f-h"><h2 id="rp-f-h">${t('rp.actions')}</h2>
      ${
        actions.length
          ? html`<ul id="rp-actions">${actions.map(
              (a) =>
                html`<li>${a.problemLabel}：${actionCell(a)}${
                  manager
                    ? html` <select data-action="${a.id}" aria-label="${t('rp.statusOf', { label: a.problemLabel })}">
                    ${STATUSES.map(
                      (s) =>
                        html`<option value="${s}" ${s === a.status ? 'selected' : ''}>${t(`rp.status.${s}`)}</option>`,
                    )}</select>`
                    : ''
                }</li>`,
            )}</ul>`
          : html`<p class="notice">${t('rp.noActions')}</p>`
      }</section><div id="rp-error" tabindex="-1"></div></div>`,
    );
    const monthForm = /** @type {HTMLFormElement} */ ($('#rp-month', main));
    monthForm.addEventListener('submit', (e) => {
      e.preventDefault();
      ctx.navigate(`/recurring-problems?month=${encodeURIComponent(formText(new FormData(monthForm), 'month'))}`);
    });
    const form = /** @type {HTMLFormElement} */ ($('#rp-action', main));
    for (const b of main.querySelectorAll('[data-take]'))
      b.addEventListener('click', () => {
        const el = /** @type {HTMLElement} */ (b);
        form.hidden = false;
        /** @type {HTMLInputElement} */ (form.elements.namedItem('problemKey')).value = el.dataset.take ?? '';
        /** @type {HTMLInputElement} */ (form.elements.namedItem('problemLabel')).value = el.dataset.label ?? '';
        $('#rp-action-h', main).textContent = `${t('rp.take')}：${el.dataset.label ?? ''}`;
        /** @type {HTMLElement} */ ($('#rp-action-text', main)).focus();
      });
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const body = Object.fromEntries([...new FormData(form).keys()].map((k) => [k, formText(new FormData(form), k)]));
      void (async () => {
        try {
          await api('corrective-actions', { method: 'POST', body });
          flash(t('rp.saved'));
          await page.render(main, ctx);
        } catch (err) {
          showSaveError(form, $('#rp-action-error', main), err, { prefix: 'rp', fix: t('rp.fix') });
        }
      })();
    });
    for (const s of main.querySelectorAll('select[data-action]'))
      s.addEventListener('change', () => {
        const el = /** @type {HTMLSelectElement} */ (s);
        api(`corrective-actions/${el.dataset.action}`, { method: 'PATCH', body: { status: el.value } }).then(
          () => page.render(main, ctx),
          (err) => mount($('#rp-error', main), errorBox(err)),
        );
      });
  },
};

export default page;
