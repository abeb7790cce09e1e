// @ts-check
import { api, apiObjectUrl } from '../lib/api.js';
import { $, on } from '../lib/dom.js';
import { showSaveError, clearFieldErrors } from '../lib/field-errors.js';
import { date, dateTime, percent } from '../lib/format.js';
import { html, mount } from '../lib/html.js';
import { label, t } from '../lib/i18n.js';
import { caseCategories } from '../lib/vocab.js';
import { errorBox, flash } from '../lib/ui.js';

/**
 * A planned visit as `GET /api/v1/visits` answers it.
 * @typedef {object} Visit
 * @property {string} id
 * @property {'routine' | 'handover' | 'decoration'} kind
 * @property {string} dueOn
 * @property {'planned' | 'done' | 'ended'} status
 * @property {boolean} overdue
 * @property {string} estateName
 * @property {string} unitLabel
 * @property {string | null} ownerName
 * @property {string | null} ownerMobile
 * @property {string | null} staffName
 * @property {string | null} doneAt
 */
/**
 * One row of `GET /api/v1/visits/figures`: the estate's (staffId null) or a staff member's.
 * @typedef {object} Figures
 * @property {string} estateName
 * @property {string | null} staffId
 * @property {string | null} staffName
 * @property {number} households
 * @property {number} owners
 * @property {number} plannedHouseholds
 * @property {number | null} coverage
 * @property {number} due
 * @property {number} doneOnTime
 * @property {number} doneLate
 * @property {number} overdue
 * @property {number | null} completion
 */
/**
 * @typedef {object} Plan
 * @property {string} projectId
 * @property {string} projectName
 * @property {Array<{ id: string, name: string }>} staff
 * @property {{ generatedAt: string, intervalMonths: number } | null} plan
 * @property {number} households
 * @property {number} plannedHouseholds
 */

const STATES = /** @type {const} */ (['due', 'upcoming', 'done', 'all']);
const MANAGERS = ['dept_manager', 'vice_gm', 'gm', 'admin'];
const METHODS = ['home', 'phone', 'office', 'group', 'other'];
const OUTCOMES = ['satisfied', 'issues', 'not_reached'];

/** The local time now as a datetime-local value (Beijing time). */
const nowLocal = () => new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 16);

/** @type {import('../lib/types').Page} */
const page = {
  path: '/visits',
  nav: 'nav.visits',
  roles: ['cs_rep', 'dept_manager', 'vice_gm', 'gm'],
  messages: {
    zh: {
      'nav.visits': '业主拜访',
      'visits.state.due': '待拜访',
      'visits.state.upcoming': '近期计划',
      'visits.state.done': '已完成',
      'visits.state.all': '全部',
      'visits.scope.mine': '我的',
      'visits.scope.all': '全部人员',
      'visits.year': '年度',
      'visits.allEstates': '全部楼盘',
      'visits.show': '查看',
      'visits.figures': '计划覆盖率与完成率（{year} 年，截至 {asOf}）',
      'visits.estateAll': '（全楼盘）',
      'visits.staff': '拜访人员',
      'visits.estate': '楼盘',
      'visits.households': '户数',
      'visits.owners': '业主数',
      'visits.planned': '已计划户数',
      'visits.coverage': '覆盖率',
      'visits.due': '应完成',
      'visits.onTime': '按时完成',
      'visits.late': '逾期完成',
      'visits.open': '未完成',
      'visits.completion': '完成率',
      'visits.csv': '下载统计（CSV）',
      'visits.csvReady': '已下载拜访统计 CSV。',
      'visits.plans': '年度拜访计划',
      'visits.planStaff': '拜访人员',
      'visits.noStaff': '未指定拜访人员',
      'visits.generated': '计划更新于 {at}',
      'visits.regenerate': '立即更新计划',
      'visits.editStaff': '指定拜访人员',
      'visits.editStaffFor': '{estate} 的拜访人员',
      'visits.saveStaff': '保存并更新计划',
      'visits.staffSaved': '{estate} 的拜访人员已保存，计划已更新：新增 {added}，调整 {reassigned}，结束 {ended}。',
      'visits.regenerated': '{estate} 的计划已更新：新增 {added}，调整 {reassigned}，结束 {ended}。',
      'visits.dueOn': '计划日期',
      'visits.unit': '房号',
      'visits.owner': '业主',
      'visits.kind': '类型',
      'visits.status': '状态',
      'visits.record': '登记拜访',
      'visits.recordFor': '登记拜访：{estate}{unit}',
      'visits.overdue': '已逾期',
      'visits.doneAt': '完成于 {at}',
      'visits.none': '没有这类拜访。',
      'visits.form.title': '客户访问记录：{estate}{unit}（{owner}）',
      'visits.form.visitedAt': '拜访时间',
      'visits.form.method': '方式',
      'visits.form.topics': '话题（用逗号分隔）',
      'visits.form.outcome': '结果',
      'visits.form.notes': '记录',
      'visits.form.followUp': '业主反映的问题（填写后将生成投诉/报修案件）',
      'visits.form.category': '问题类别',
      'visits.form.save': '保存记录',
      'visits.form.cancel': '取消',
      'visits.form.fix': '请改正以下内容：',
      'visits.err.future': '拜访时间不能晚于现在',
      'visits.err.staff': '只能登记自己的拜访',
      'visits.saved': '已登记 {unit} 的拜访。',
      'visits.savedCase': '已登记 {unit} 的拜访，并生成案件 {number}。',
      'visitKind.routine': '例行拜访',
      'visitKind.handover': '交房回访',
      'visitKind.decoration': '装修期回访',
      'visitMethod.home': '入户',
      'visitMethod.phone': '电话',
      'visitMethod.office': '来访',
      'visitMethod.group': '集体访问',
      'visitMethod.other': '其他',
      'visitOutcome.satisfied': '满意',
      'visitOutcome.issues': '提出问题',
      'visitOutcome.not_reached': '未联系上',
      'visitStatus.planned': '待拜访',
      'visitStatus.done': '已完成',
      'visitStatus.ended': '已取消',
    },
    en: {
      'nav.visits': 'Owner visits',
      'visits.state.due': 'Due',
      'visits.state.upcoming': 'Upcoming',
      'visits.state.done': 'Done',
      'visits.state.all': 'All',
      'visits.scope.mine': 'Mine',
      'visits.scope.all': 'Everyone',
      'visits.year': 'Year',
      'visits.allEstates': 'All estates',
      'visits.show': 'Show',
      'visits.figures': 'Plan coverage and completion ({year}, as of {asOf})',
      'visits.estateAll': '(whole estate)',
      'visits.staff': 'Staff',
      'visits.estate': 'Estate',
      'visits.households': 'Households',
      'visits.owners': 'Owners',
      'visits.planned': 'Planned households',
      'visits.coverage': 'Coverage',
      'visits.due': 'Due',
      'visits.onTime': 'On time',
      'visits.late': 'Late',
      'visits.open': 'Not done',
      'visits.completion': 'Completion',
      'visits.csv': 'Download figures (CSV)',
      'visits.csvReady': 'Visit figures CSV downloaded.',
      'visits.plans': 'Yearly visit plans',
      'visits.planStaff': 'Visiting staff',
      'visits.noStaff': 'No visiting staff named',
      'visits.generated': 'Plan updated {at}',
      'visits.regenerate': 'Update the plan now',
      'visits.editStaff': 'Name visiting staff',
      'visits.editStaffFor': 'Visiting staff of {estate}',
      'visits.saveStaff': 'Save and update the plan',
      'visits.staffSaved':
        '{estate}: visiting staff saved, plan updated — {added} added, {reassigned} reassigned, {ended} ended.',
      'visits.regenerated': '{estate}: plan updated — {added} added, {reassigned} reassigned, {ended} ended.',
      'visits.dueOn': 'Planned for',
      'visits.unit': 'Unit',
      'visits.owner': 'Owner',
      'visits.kind': 'Kind',
      'visits.status': 'Status',
      'visits.record': 'Record visit',
      'visits.recordFor': 'Record visit: {estate} {unit}',
      'visits.overdue': 'Overdue',
      'visits.doneAt': 'Done {at}',
      'visits.none': 'No visits of this kind.',
      'visits.form.title': 'Visit record: {estate} {unit} ({owner})',
      'visits.form.visitedAt': 'Visited at',
      'visits.form.method': 'How',
      'visits.form.topics': 'Topics (comma-separated)',
      'visits.form.outcome': 'Outcome',
      'visits.form.notes': 'Notes',
      'visits.form.followUp': 'Issue the owner raised (opens a case)',
      'visits.form.category': 'Category',
      'visits.form.save': 'Save record',
      'visits.form.cancel': 'Cancel',
      'visits.form.fix': 'Please correct:',
      'visits.err.future': 'The visit cannot be in the future',
      'visits.err.staff': 'You may only record your own visits',
      'visits.saved': 'Visit to {unit} recorded.',
      'visits.savedCase': 'Visit to {unit} recorded; case {number} opened.',
      'visitKind.routine': 'Routine visit',
      'visitKind.handover': 'After handover',
      'visitKind.decoration': 'During decoration',
      'visitMethod.home': 'At home',
      'visitMethod.phone': 'Phone',
      'visitMethod.office': 'At the office',
      'visitMethod.group': 'Group visit',
      'visitMethod.other': 'Other',
      'visitOutcome.satisfied': 'Satisfied',
      'visitOutcome.issues': 'Raised issues',
      'visitOutcome.not_reached': 'Not reached',
      'visitStatus.planned': 'To visit',
      'visitStatus.done': 'Done',
      'visitStatus.ended': 'Ended',
    },
  },
  async render(main, ctx) {
    ctx.setTitle(t('nav.visits'));
    const asked = ctx.query.get('state');
    const state = STATES.find((s) => s === asked) ?? 'due';
    const manager = MANAGERS.includes(ctx.session.staff.role);
    const scope = ctx.query.get('scope') === 'all' ? 'all' : 'mine';
    const thisYear = Number(
      new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric' }).format(new Date()),
    );
    const askedYear = Number(ctx.query.get('year'));
    const year = [thisYear - 1, thisYear, thisYear + 1].includes(askedYear) ? askedYear : thisYear;
    const projectId = ctx.query.get('projectId') || undefined;
    const keep = `${year !== thisYear ? `&year=${year}` : ''}${projectId ? `&projectId=${encodeURIComponent(projectId)}` : ''}`;
    /** @param {string} s @param {string} sc */
    const href = (s, sc) => `#/visits?state=${s}${sc === 'all' ? '&scope=all' : ''}${keep}`;

    mount(main, html`<h1>${t('nav.visits')}</h1><p class="loading">${t('app.loading')}</p>`);
    const [listed, figures, plans] = await Promise.all([
      /** @type {Promise<{ today: string, items: Visit[] }>} */ (
        api('visits', { query: { state, scope, limit: 500, year, projectId } })
      ),
      /** @type {Promise<{ year: number, asOf: string, rows: Figures[] }>} */ (
        api('visits/figures', { query: { year, projectId } })
      ),
      /** @type {Promise<Plan[]>} */ (api('visit-plans', { query: { year } })),
    ]);
    const items = listed.items;
    // Who may be named (managers only: the staff list is theirs to read).
    const candidates = manager
      ? /** @type {Array<{ id: string, name: string, role: string, active: boolean }>} */ (await api('staff')).filter(
          (s) => s.active && (s.role === 'cs_rep' || s.role === 'dept_manager'),
        )
      : [];

    /** @param {Figures} f */
    const figureRow = (f) => html`<tr class="${f.staffId ? '' : 'sched-group'}">
      <th scope="row">${f.estateName}</th><td>${f.staffName ?? t('visits.estateAll')}</td>
      <td class="num">${f.households}</td><td class="num">${f.owners}</td><td class="num">${f.plannedHouseholds}</td>
      <td class="num">${percent(f.coverage)}</td><td class="num">${f.due}</td><td class="num">${f.doneOnTime}</td>
      <td class="num">${f.doneLate}</td><td class="num">${f.overdue}</td>
      <td class="num" data-completion="${f.staffId ?? 'estate'}">${percent(f.completion)}</td></tr>`;

    /** @param {Visit} v */
    const visitRow = (v) => html`<tr data-row="${v.id}">
      <td>${date(v.dueOn)}${v.overdue ? html` <span class="badge major">${t('visits.overdue')}</span>` : null}</td>
      <td>${v.estateName}</td><td>${v.unitLabel}</td>
      <td>${v.ownerName ?? '—'}${v.ownerMobile ? html`<br><a href="tel:${v.ownerMobile}">${v.ownerMobile}</a>` : null}</td>
      <td>${label('visitKind', v.kind)}</td>
      ${scope === 'all' ? html`<td>${v.staffName ?? '—'}</td>` : null}
      <td>${
        v.status === 'planned'
          ? html`<button type="button" class="visit-record" data-id="${v.id}" aria-label="${t('visits.recordFor', { estate: v.estateName, unit: v.unitLabel })}">${t('visits.record')}</button>`
          : v.status === 'done'
            ? t('visits.doneAt', { at: dateTime(v.doneAt) })
            : label('visitStatus', v.status)
      }</td></tr>`;

    mount(
      main,
      html`<div class="sched-page" id="visits-page">
      <h1>${t('nav.visits')}</h1>
      <nav class="sched-tabs" aria-label="${t('visits.status')}"><ul>${STATES.map(
        (s) =>
          html`<li><a href="${href(s, scope)}" ${s === state ? html`aria-current="page"` : null}>${t(`visits.state.${s}`)}</a></li>`,
      )}</ul></nav>
      <nav class="sched-tabs" aria-label="${t('visits.staff')}"><ul>${['mine', 'all'].map(
        (sc) =>
          html`<li><a href="${href(state, sc)}" ${sc === scope ? html`aria-current="page"` : null}>${t(`visits.scope.${sc}`)}</a></li>`,
      )}</ul></nav>
      <form class="filters" id="visits-filter">
        <input type="hidden" name="state" value="${state}"><input type="hidden" name="scope" value="${scope}">
        <div class="field"><label for="v-year">${t('visits.year')}</label>
          <select id="v-year" name="year">${[thisYear - 1, thisYear, thisYear + 1].map((y) => html`<option value="${y}" ${y === year ? html`selected` : null}>${y}</option>`)}</select></div>
        <div class="field"><label for="v-estate">${t('visits.estate')}</label>
          <select id="v-estate" name="projectId"><option value="">${t('visits.allEstates')}</option>${plans.map((p) => html`<option value="${p.projectId}" ${p.projectId === projectId ? html`selected` : null}>${p.projectName}</option>`)}</select></div>
        <button type="submit">${t('visits.show')}</button>
      </form>
      <div id="visits-error"></div>
      ${
        items.length === 0
          ? html`<p class="notice">${t('visits.none')}</p>`
          : html`<table class="sched-visits" id="visit-list"><thead><tr>
            <th scope="col">${t('visits.dueOn')}</th><th scope="col">${t('visits.estate')}</th><th scope="col">${t('visits.unit')}</th>
            <th scope="col">${t('visits.owner')}</th><th scope="col">${t('visits.kind')}</th>
            ${scope === 'all' ? html`<th scope="col">${t('visits.staff')}</th>` : null}
            <th scope="col">${t('visits.status')}</th></tr></thead>
            <tbody>${items.map(visitRow)}</tbody></table>`
      }
      <section id="visit-form-slot" tabindex="-1"></section>
      <h2>${t('visits.figures', { year: figures.year, asOf: date(figures.asOf) })}</h2>
      <table class="sched-visit-figures" id="visit-figures"><thead><tr>
        <th scope="col">${t('visits.estate')}</th><th scope="col">${t('visits.staff')}</th>
        <th scope="col" class="num">${t('visits.households')}</th><th scope="col" class="num">${t('visits.owners')}</th>
        <th scope="col" class="num">${t('visits.planned')}</th><th scope="col" class="num">${t('visits.coverage')}</th>
        <th scope="col" class="num">${t('visits.due')}</th><th scope="col" class="num">${t('visits.onTime')}</th>
        <th scope="col" class="num">${t('visits.late')}</th><th scope="col" class="num">${t('visits.open')}</th>
        <th scope="col" class="num">${t('visits.completion')}</th></tr></thead>
        <tbody>${figures.rows.map(figureRow)}</tbody></table>
      <p class="actions"><button type="button" class="secondary" id="visits-csv">${t('visits.csv')}</button></p>
      <h2>${t('visits.plans')}</h2>
      <table class="sched-visit-plans" id="visit-plans"><thead><tr><th scope="col">${t('visits.estate')}</th>
        <th scope="col">${t('visits.planStaff')}</th><th scope="col" class="num">${t('visits.households')}</th>
        <th scope="col" class="num">${t('visits.planned')}</th><th scope="col"></th></tr></thead>
        <tbody>${plans.map(
          (p) => html`<tr><th scope="row">${p.projectName}</th>
          <td>${p.staff.length ? p.staff.map((s) => s.name).join('、') : html`<span class="muted">${t('visits.noStaff')}</span>`}
            ${p.plan ? html`<br><span class="muted">${t('visits.generated', { at: dateTime(p.plan.generatedAt) })}</span>` : null}</td>
          <td class="num">${p.households}</td><td class="num">${p.plannedHouseholds}</td>
          <td>${manager && p.staff.length ? html`<button type="button" class="secondary visit-regenerate" data-project="${p.projectId}" data-name="${p.projectName}">${t('visits.regenerate')}</button>` : null}
            ${
              manager
                ? html`<details class="visit-staff-edit"><summary>${t('visits.editStaff')}</summary>
                <form class="visit-staff-form" data-project="${p.projectId}" data-name="${p.projectName}">
                  <fieldset><legend>${t('visits.editStaffFor', { estate: p.projectName })}</legend>
                  ${candidates.map(
                    (c) =>
                      html`<label><input type="checkbox" name="staffIds" value="${c.id}" ${p.staff.some((s) => s.id === c.id) ? html`checked` : null}> ${c.name}</label><br>`,
                  )}</fieldset>
                  <p class="actions"><button type="submit">${t('visits.saveStaff')}</button></p>
                </form></details>`
                : null
            }</td></tr>`,
        )}</tbody></table>
      </div>`,
    );

    const root = $('#visits-page', main);
    const errors = $('#visits-error', main);
    const slot = $('#visit-form-slot', main);
    on(root, 'click', 'button.visit-record', (button) => openForm(button.dataset.id ?? ''));
    on(root, 'click', 'button.visit-regenerate', (button) => void regenerate(button));
    $('#visits-csv', main).addEventListener('click', () => void download());
    const filter = /** @type {HTMLFormElement} */ ($('#visits-filter', main));
    filter.addEventListener('submit', (e) => {
      e.preventDefault();
      const q = new URLSearchParams();
      for (const [k, v] of new FormData(filter)) if (typeof v === 'string' && v) q.set(k, v);
      ctx.navigate(`/visits?${q}`);
    });
    root.addEventListener('submit', (e) => {
      const form = e.target;
      if (!(form instanceof HTMLFormElement) || !form.classList.contains('visit-staff-form')) return;
      e.preventDefault();
      void saveStaff(form);
    });

    /** @param {HTMLFormElement} form */
    async function saveStaff(form) {
      const button = $('button[type="submit"]', form);
      button.setAttribute('disabled', '');
      mount(errors, html``);
      const staffIds = new FormData(form).getAll('staffIds').filter((v) => typeof v === 'string');
      try {
        const r = /** @type {{ added: number, reassigned: number, ended: number }} */ (
          await api(`visit-plans/${encodeURIComponent(form.dataset.project ?? '')}/staff`, {
            method: 'PUT',
            body: { staffIds },
          })
        );
        flash(t('visits.staffSaved', { estate: form.dataset.name ?? '', ...r }));
        await page.render(main, ctx);
      } catch (err) {
        button.removeAttribute('disabled');
        mount(errors, errorBox(err));
      }
    }

    /** @param {string} id */
    function openForm(id) {
      const v = items.find((x) => x.id === id);
      if (!v) return;
      mount(
        slot,
        html`<form id="visit-form" class="card" novalidate>
        <h2>${t('visits.form.title', { estate: v.estateName, unit: v.unitLabel, owner: v.ownerName ?? '—' })}</h2>
        <div id="visit-form-error" tabindex="-1"></div>
        <div class="field"><label for="vf-visitedAt">${t('visits.form.visitedAt')}</label>
          <input type="datetime-local" id="vf-visitedAt" name="visitedAt" value="${nowLocal()}" required></div>
        <div class="field"><label for="vf-method">${t('visits.form.method')}</label>
          <select id="vf-method" name="method">${METHODS.map((m) => html`<option value="${m}">${label('visitMethod', m)}</option>`)}</select></div>
        <div class="field"><label for="vf-outcome">${t('visits.form.outcome')}</label>
          <select id="vf-outcome" name="outcome">${OUTCOMES.map((o) => html`<option value="${o}">${label('visitOutcome', o)}</option>`)}</select></div>
        <div class="field"><label for="vf-topics">${t('visits.form.topics')}</label>
          <input id="vf-topics" name="topics" maxlength="400"></div>
        <div class="field"><label for="vf-notes">${t('visits.form.notes')}</label>
          <textarea id="vf-notes" name="notes" rows="3" maxlength="2000"></textarea></div>
        <div class="field"><label for="vf-followUp">${t('visits.form.followUp')}</label>
          <textarea id="vf-followUp" name="followUp.description" rows="2" maxlength="4000"></textarea></div>
        <div class="field"><label for="vf-category">${t('visits.form.category')}</label>
          <select id="vf-category" name="followUp.category"><option value=""></option>${caseCategories.map((c) => html`<option value="${c}">${label('category', c)}</option>`)}</select></div>
        <p class="actions"><button type="submit">${t('visits.form.save')}</button>
          <button type="button" class="secondary" id="vf-cancel">${t('visits.form.cancel')}</button></p>
      </form>`,
      );
      const form = /** @type {HTMLFormElement} */ ($('#visit-form', slot));
      $('#vf-cancel', form).addEventListener('click', () => mount(slot, html``));
      form.addEventListener('submit', (e) => {
        e.preventDefault();
        void save(v, form);
      });
      /** @type {HTMLElement} */ ($('#vf-method', form)).focus();
    }

    /** @param {Visit} v @param {HTMLFormElement} form */
    async function save(v, form) {
      const data = new FormData(form);
      const str = (/** @type {string} */ k) => {
        const v = data.get(k);
        return typeof v === 'string' ? v.trim() : '';
      };
      const description = str('followUp.description');
      const body = {
        visitedAt: str('visitedAt') ? `${str('visitedAt')}:00+08:00` : undefined,
        method: str('method'),
        outcome: str('outcome'),
        topics: str('topics')
          .split(/[,，、;；]/)
          .map((s) => s.trim())
          .filter(Boolean),
        notes: str('notes') || null,
        followUp: description ? { description, category: str('followUp.category') || null } : undefined,
      };
      const button = $('button[type="submit"]', form);
      button.setAttribute('disabled', '');
      clearFieldErrors(form);
      try {
        const saved = /** @type {{ records: Array<{ caseNumber: string | null }> }} */ (
          await api(`visits/${encodeURIComponent(v.id)}/records`, { method: 'POST', body })
        );
        const number = saved.records.at(-1)?.caseNumber;
        flash(number ? t('visits.savedCase', { unit: v.unitLabel, number }) : t('visits.saved', { unit: v.unitLabel }));
        await page.render(main, ctx);
      } catch (err) {
        button.removeAttribute('disabled');
        showSaveError(form, $('#visit-form-error', form), err, {
          prefix: 'vf',
          fix: t('visits.form.fix'),
          // The API's field messages in the staff member's words.
          message: (m) =>
            ({
              'must not be in the future': t('visits.err.future'),
              'only managers record visits for someone else': t('visits.err.staff'),
            })[m] ?? m,
        });
      }
    }

    /** @param {HTMLElement} button */
    async function regenerate(button) {
      button.setAttribute('disabled', '');
      mount(errors, html``);
      try {
        const year = Number(listed.today.slice(0, 4));
        const r = /** @type {{ added: number, reassigned: number, ended: number }} */ (
          await api(`visit-plans/${encodeURIComponent(button.dataset.project ?? '')}/${year}/generate`, {
            method: 'POST',
          })
        );
        flash(t('visits.regenerated', { estate: button.dataset.name ?? '', ...r }));
        await page.render(main, ctx);
      } catch (err) {
        button.removeAttribute('disabled');
        mount(errors, errorBox(err));
      }
    }

    async function download() {
      mount(errors, html``);
      try {
        const url = await apiObjectUrl(
          `visits/figures?format=csv&year=${year}${projectId ? `&projectId=${encodeURIComponent(projectId)}` : ''}`,
        );
        const a = document.createElement('a');
        a.href = url;
        a.download = `visit-figures-${figures.year}.csv`;
        document.body.append(a);
        a.click();
        a.remove();
        setTimeout(() => URL.revokeObjectURL(url), 10_000);
        flash(t('visits.csvReady'));
      } catch (err) {
        mount(errors, errorBox(err));
      }
    }
  },
};
export default page;
