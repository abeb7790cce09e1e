// @ts-check
// 分派与值班: who answers for each category of case (per estate or in any), the customer-service department,
// each department's duty roster, and who takes new cases today (apps/intake/src/routing: the API and its rules).
import { api } from '../lib/api.js';
import { $, $$, on } from '../lib/dom.js';
import { clearFieldErrors, showSaveError } from '../lib/field-errors.js';
import { date } from '../lib/format.js';
import { html, mount } from '../lib/html.js';
import { label, t } from '../lib/i18n.js';
import { errorBox, flash } from '../lib/ui.js';
import { routingMessages } from '../lib/routing-messages.js';
import { caseCategories as categories } from '../lib/vocab.js';
import { chainEditors } from './escalation-chain.js';

const weekdays = [1, 2, 3, 4, 5, 6, 7];

/**
 * @typedef {{ id: string, code: string, name: string, customerService: boolean }} Department
 * @typedef {{ category: string, projectId: string, departmentId: string }} RuleRow
 * @typedef {{ staffId: string, kind: 'weekday' | 'day', weekday: string, day: string }} EntryRow
 * @typedef {{ id: string, name: string, role: string, departmentId: string | null, active: boolean }} Staff
 * @typedef {{ responsibilities: { customerServiceDepartmentId: string | null, departments: Department[], rules: any[] },
 *   roster: any[], onDuty: any, estates: Array<{ id: string, name: string }>, staff: Staff[] }} Data
 */

/** The routing API's field messages (English, or Chinese with an English gloss) in the staff member's words. @param {string} m */
function fieldMessage(m) {
  const repeatedRule = /^同一类别与楼盘只能有一条规则 \(repeats rules\.(\d+)/.exec(m);
  if (repeatedRule) return t('routing.err.repeatedRule', { n: Number(repeatedRule[1]) + 1 });
  const repeated = /^repeats entries\.(\d+)$/.exec(m);
  if (repeated) return t('routing.err.repeatedEntry', { n: Number(repeated[1]) + 1 });
  const known = {
    'no such department': 'routing.err.department',
    'must be a department id': 'routing.err.department',
    'no such estate': 'routing.err.estate',
    'must be an estate id': 'routing.err.estate',
    'no such active staff member': 'routing.err.staff',
    'must be a staff id': 'routing.err.staff',
    '1 = Monday … 7 = Sunday': 'routing.err.weekday',
    'must be a date such as 2026-10-01': 'routing.err.day',
  }[m];
  if (known) return t(known);
  if (m.startsWith('每条值班须给出 weekday 或 day 之一')) return t('routing.err.weekdayOrDay');
  return m;
}

/** @param {string} name @param {Array<[string, string]>} options value, label @param {string} selected @param {{ required?: boolean, label: string, empty?: string }} o */
function select(name, options, selected, o) {
  return html`<select name="${name}" aria-label="${o.label}" ${o.required ? html`required` : ''}>${o.empty !== undefined ? html`<option value="">${o.empty}</option>` : ''}${options.map(
    ([v, text]) => html`<option value="${v}" ${v === selected ? html`selected` : ''}>${text}</option>`,
  )}</select>`;
}

/** @param {Data} data @param {RuleRow[]} rules */
function rulesRows(data, rules) {
  /** @type {Array<[string, string]>} */
  const departments = data.responsibilities.departments.map((d) => [d.id, d.name]);
  /** @type {Array<[string, string]>} */
  const estates = data.estates.map((e) => [e.id, e.name]);
  if (rules.length === 0) return html`<tr><td colspan="4" class="muted">${t('routing.noRules')}</td></tr>`;
  return rules.map(
    (r, i) => html`<tr data-rule="${i}">
      <td>${select(
        `rules.${i}.category`,
        categories.map((c) => [c, label('category', c)]),
        r.category,
        { label: t('routing.ruleN.category', { n: i + 1 }), required: true },
      )}</td>
      <td>${select(`rules.${i}.projectId`, estates, r.projectId, { label: t('routing.ruleN.estate', { n: i + 1 }), empty: t('routing.anyEstate') })}</td>
      <td>${select(`rules.${i}.departmentId`, departments, r.departmentId, { label: t('routing.ruleN.department', { n: i + 1 }), required: true, empty: '' })}</td>
      <td><button type="button" class="secondary" data-remove-rule="${i}" aria-label="${t('routing.removeRuleN', { n: i + 1 })}">${t('routing.remove')}</button></td>
    </tr>`,
  );
}

/** @param {Data} data @param {string} departmentId @param {EntryRow[]} entries */
function entryRows(data, departmentId, entries) {
  const deptName = new Map(data.responsibilities.departments.map((d) => [d.id, d.name]));
  /** @param {Staff} s @param {string} selected */
  const option = (s, selected) =>
    html`<option value="${s.id}" ${s.id === selected ? html`selected` : ''}>${s.name}${s.departmentId && s.departmentId !== departmentId ? `（${deptName.get(s.departmentId) ?? ''}）` : ''}${s.active ? '' : t('routing.inactive')}</option>`;
  if (entries.length === 0) return html`<tr><td colspan="4" class="muted">${t('routing.noEntries')}</td></tr>`;
  return entries.map((e, i) => {
    // Active staff to choose from; one who has left stays visible in their own row until replaced (saving refuses them).
    const choices = data.staff.filter((s) => s.active || s.id === e.staffId);
    const own = choices.filter((s) => s.departmentId === departmentId);
    const others = choices.filter((s) => s.departmentId !== departmentId);
    return html`<tr data-entry="${i}">
      <td>${select(
        `entries.${i}.kind`,
        [
          ['weekday', t('routing.kind.weekday')],
          ['day', t('routing.kind.day')],
        ],
        e.kind,
        { label: t('routing.entryN.kind', { n: i + 1 }) },
      )}</td>
      <td><span ${e.kind === 'day' ? html`hidden` : ''}>${select(
        `entries.${i}.weekday`,
        weekdays.map((w) => [String(w), t(`routing.weekday.${w}`)]),
        e.weekday,
        { label: t('routing.entryN.weekday', { n: i + 1 }), required: true },
      )}</span>
        <span ${e.kind === 'weekday' ? html`hidden` : ''}><input type="date" name="entries.${i}.day" value="${e.day}" aria-label="${t('routing.entryN.day', { n: i + 1 })}" required></span></td>
      <td><select name="entries.${i}.staffId" aria-label="${t('routing.entryN.staff', { n: i + 1 })}" required><option value=""></option>
        ${own.length > 0 ? html`<optgroup label="${t('routing.ownStaff')}">${own.map((s) => option(s, e.staffId))}</optgroup>` : ''}
        <optgroup label="${t('routing.otherStaff')}">${others.map((s) => option(s, e.staffId))}</optgroup></select></td>
      <td><button type="button" class="secondary" data-remove-entry="${i}" aria-label="${t('routing.removeEntryN', { n: i + 1 })}">${t('routing.remove')}</button></td>
    </tr>`;
  });
}

/** @param {any} onDuty GET /routing/on-duty */
function onDutyView(onDuty) {
  const day = t(onDuty.working ? 'routing.working' : 'routing.dayOff', {
    weekday: t(`routing.weekday.${onDuty.rosterWeekday}`),
  });
  return html`<p>${t('routing.today', { day: date(onDuty.day) })}${day}</p>
    <table class="rt-duty"><thead><tr><th scope="col">${t('routing.department')}</th><th scope="col">${t('routing.handler')}</th><th scope="col">${t('routing.manager')}</th></tr></thead>
    <tbody>${onDuty.departments.map(
      (
        /** @type {any} */ d,
      ) => html`<tr data-department="${d.departmentName}"><th scope="row">${d.departmentName}${d.customerService ? html` <span class="badge">${t('routing.cs')}</span>` : ''}</th>
        <td data-handler>${d.handler ? html`${d.handler.name} <span class="muted">${t(`routing.via.${d.handler.via}`)}</span>` : html`<span class="muted">${t('routing.nobody')}</span>`}</td>
        <td>${d.manager?.name ?? '—'}</td></tr>`,
    )}</tbody></table>`;
}

/** @param {Data} data @param {string} departmentId @param {boolean} chainLink the viewer may edit the escalation chain */
function view(data, departmentId, chainLink) {
  const r = data.responsibilities;
  const department = r.departments.find((d) => d.id === departmentId);
  return html`<div class="routing-page"><h1 tabindex="-1" id="rt-title">${t('nav.routing')}</h1>
    <section class="card" aria-labelledby="rt-duty-h"><h2 id="rt-duty-h" class="case-h">${t('routing.onDuty')}</h2>${onDutyView(data.onDuty)}</section>
    <section class="card" aria-labelledby="rt-rules-h"><h2 id="rt-rules-h" class="case-h">${t('routing.rules')}</h2>
      <p class="hint">${t('routing.rulesHint')}</p>
      <form id="rt-rules" novalidate>
        <div class="rt-result" tabindex="-1"></div>
        <div class="field"><label for="rt-cs">${t('routing.csDepartment')}</label>
          <p class="hint" id="rt-cs-hint">${t('routing.csHint')}</p>
          <select id="rt-cs" name="customerServiceDepartmentId" aria-describedby="rt-cs-hint"><option value="">${t('routing.none')}</option>${r.departments.map(
            (d) =>
              html`<option value="${d.id}" ${d.id === r.customerServiceDepartmentId ? html`selected` : ''}>${d.name}</option>`,
          )}</select></div>
        <table class="rt-table"><thead><tr><th scope="col">${t('routing.category')}</th><th scope="col">${t('routing.estate')}</th><th scope="col">${t('routing.department')}</th><th scope="col"><span class="muted">${t('routing.remove')}</span></th></tr></thead>
          <tbody id="rt-rule-rows"></tbody></table>
        <div class="actions"><button type="button" class="secondary" id="rt-add-rule">${t('routing.addRule')}</button>
          <button type="submit">${t('routing.saveRules')}</button></div>
      </form></section>
    <section class="card" aria-labelledby="rt-roster-h"><h2 id="rt-roster-h" class="case-h">${t('routing.roster')}</h2>
      <p class="hint">${t('routing.rosterHint')}</p>
      <div class="field"><label for="rt-department">${t('routing.rosterOf')}</label>
        <select id="rt-department">${r.departments.map(
          (d) => html`<option value="${d.id}" ${d.id === departmentId ? html`selected` : ''}>${d.name}</option>`,
        )}</select></div>
      ${
        department
          ? html`<form id="rt-roster" novalidate>
        <div class="rt-result" tabindex="-1"></div>
        <table class="rt-table"><caption>${t('routing.rosterCaption', { department: department.name })}</caption>
          <thead><tr><th scope="col">${t('routing.kind')}</th><th scope="col">${t('routing.when')}</th><th scope="col">${t('routing.person')}</th><th scope="col"><span class="muted">${t('routing.remove')}</span></th></tr></thead>
          <tbody id="rt-entry-rows"></tbody></table>
        <div class="actions"><button type="button" class="secondary" id="rt-add-entry">${t('routing.addEntry')}</button>
          <button type="submit">${t('routing.saveRoster')}</button></div>
      </form>`
          : html`<p class="muted">${t('routing.noDepartments')}</p>`
      }</section>
    ${
      chainLink
        ? html`<section class="card" aria-labelledby="rt-chain-h"><h2 id="rt-chain-h" class="case-h">${t('routing.chain')}</h2>
      <p class="hint">${t('routing.chainHint')}</p><p><a href="#/routing/chain">${t('routing.chainLink')}</a></p></section>`
        : ''
    }</div>`;
}

/** The rules as the form shows them now. @param {HTMLFormElement} form @returns {RuleRow[]} */
function readRules(form) {
  return $$('tr[data-rule]', form).map((tr) => {
    const i = tr.dataset.rule;
    const v = (/** @type {string} */ k) => /** @type {HTMLSelectElement} */ ($(`[name="rules.${i}.${k}"]`, tr)).value;
    return { category: v('category'), projectId: v('projectId'), departmentId: v('departmentId') };
  });
}

/** @param {HTMLFormElement} form @returns {EntryRow[]} */
function readEntries(form) {
  return $$('tr[data-entry]', form).map((tr) => {
    const i = tr.dataset.entry;
    const v = (/** @type {string} */ k) => /** @type {HTMLInputElement} */ ($(`[name="entries.${i}.${k}"]`, tr)).value;
    return {
      kind: v('kind') === 'day' ? 'day' : 'weekday',
      weekday: v('weekday'),
      day: v('day'),
      staffId: v('staffId'),
    };
  });
}

/**
 * Saves one form: the API's field problems at their rows, anything else in the form's box.
 * @param {HTMLFormElement} form
 * @param {string} prefix of the field-error ids
 * @param {() => Promise<unknown>} call
 * @returns {Promise<boolean>}
 */
async function save(form, prefix, call) {
  const box = $('.rt-result', form);
  const buttons = $$('button', form);
  mount(box, html``);
  clearFieldErrors(form);
  if (!form.checkValidity()) {
    form.reportValidity();
    return false;
  }
  buttons.forEach((b) => b.setAttribute('disabled', ''));
  try {
    await call();
    return true;
  } catch (err) {
    showSaveError(form, box, err, { prefix, fix: t('routing.fix'), message: fieldMessage });
    return false;
  } finally {
    buttons.forEach((b) => b.removeAttribute('disabled'));
  }
}

/** @type {import('../lib/types').Page} */
export default {
  path: '/routing',
  nav: 'nav.routing',
  roles: ['dept_manager', 'vice_gm', 'gm'],
  messages: routingMessages,
  async render(main, ctx) {
    ctx.setTitle(t('nav.routing'));

    /** Fetches everything and draws the page; `saved` says which form was just saved. @param {{ form: string, message: string } | null} [saved] */
    const draw = async (saved = null) => {
      const [responsibilities, roster, onDuty, estates, staff] = await Promise.all([
        api('routing/responsibilities'),
        api('routing/roster'),
        api('routing/on-duty'),
        api('web-complaints/estates'),
        api('staff'),
      ]);
      /** @type {Data} */
      const data = { responsibilities, roster, onDuty, estates, staff };
      const departments = responsibilities.departments;
      const asked = ctx.query.get('department');
      const departmentId = departments.some((/** @type {Department} */ d) => d.id === asked)
        ? (asked ?? '')
        : (departments[0]?.id ?? '');
      mount(main, view(data, departmentId, chainEditors.includes(ctx.session.staff.role)));
      const root = $('.routing-page', main);

      /** @type {RuleRow[]} */
      let rules = responsibilities.rules.map((/** @type {any} */ r) => ({
        category: r.category,
        projectId: r.projectId ?? '',
        departmentId: r.departmentId,
      }));
      const rulesForm = /** @type {HTMLFormElement} */ ($('#rt-rules', root));
      const drawRules = () => mount($('#rt-rule-rows', root), html`${rulesRows(data, rules)}`);
      drawRules();
      $('#rt-add-rule', root).addEventListener('click', () => {
        rules = [...readRules(rulesForm), { category: categories[0] ?? '', projectId: '', departmentId: '' }];
        drawRules();
        $(`[name="rules.${rules.length - 1}.category"]`, root).focus();
      });
      on(rulesForm, 'click', '[data-remove-rule]', (button) => {
        rules = readRules(rulesForm).filter((_, i) => String(i) !== button.dataset.removeRule);
        drawRules();
        $('#rt-add-rule', root).focus();
      });
      rulesForm.addEventListener('submit', (e) => {
        e.preventDefault();
        const now = readRules(rulesForm);
        const cs = /** @type {HTMLSelectElement} */ ($('#rt-cs', root)).value;
        const body = {
          customerServiceDepartmentId: cs || null,
          rules: now.map((r) => ({
            category: r.category,
            projectId: r.projectId || null,
            departmentId: r.departmentId,
          })),
        };
        void save(rulesForm, 'rt-rules', () => api('routing/responsibilities', { method: 'PUT', body })).then(
          (ok) => ok && redraw({ form: '#rt-rules', message: t('routing.rulesSaved', { n: now.length }) }),
        );
      });

      $('#rt-department', root).addEventListener('change', (e) => {
        ctx.navigate(`/routing?department=${encodeURIComponent(/** @type {HTMLSelectElement} */ (e.target).value)}`);
      });
      const rosterForm = /** @type {HTMLFormElement | null} */ (root.querySelector('#rt-roster'));
      if (!rosterForm) return focusSaved(saved);
      /** @type {EntryRow[]} */
      let entries = roster
        .filter((/** @type {any} */ r) => r.departmentId === departmentId)
        .map((/** @type {any} */ r) => ({
          staffId: r.staffId,
          kind: r.day ? 'day' : 'weekday',
          weekday: r.weekday ? String(r.weekday) : '1',
          day: r.day ?? '',
        }));
      const drawEntries = () => mount($('#rt-entry-rows', root), html`${entryRows(data, departmentId, entries)}`);
      drawEntries();
      $('#rt-add-entry', root).addEventListener('click', () => {
        entries = [...readEntries(rosterForm), { staffId: '', kind: 'weekday', weekday: '1', day: '' }];
        drawEntries();
        $(`[name="entries.${entries.length - 1}.kind"]`, root).focus();
      });
      on(rosterForm, 'click', '[data-remove-entry]', (button) => {
        entries = readEntries(rosterForm).filter((_, i) => String(i) !== button.dataset.removeEntry);
        drawEntries();
        $('#rt-add-entry', root).focus();
      });
      // Every week or one date: only the control that applies is shown (and validated).
      on(rosterForm, 'change', 'select[name$=".kind"]', (kind) => {
        const i = kind.closest('tr')?.dataset.entry;
        const byDay = /** @type {HTMLSelectElement} */ (kind).value === 'day';
        const weekday = $(`[name="entries.${i}.weekday"]`, rosterForm);
        const day = $(`[name="entries.${i}.day"]`, rosterForm);
        /** @type {HTMLElement} */ (weekday.parentElement).hidden = byDay;
        /** @type {HTMLElement} */ (day.parentElement).hidden = !byDay;
      });
      rosterForm.addEventListener('submit', (e) => {
        e.preventDefault();
        const now = readEntries(rosterForm);
        // A hidden control is not the entry's: leave it out of the validity check too.
        for (const [i, r] of now.entries()) {
          const hidden = r.kind === 'day' ? 'weekday' : 'day';
          $(`[name="entries.${i}.${hidden}"]`, rosterForm).toggleAttribute('disabled', true);
        }
        const body = {
          entries: now.map((r) =>
            r.kind === 'day' ? { staffId: r.staffId, day: r.day } : { staffId: r.staffId, weekday: Number(r.weekday) },
          ),
        };
        const name = departments.find((/** @type {Department} */ d) => d.id === departmentId)?.name ?? '';
        void save(rosterForm, 'rt-roster', () =>
          api(`routing/roster/${encodeURIComponent(departmentId)}`, { method: 'PUT', body }),
        ).then((ok) => {
          $$('[disabled]', rosterForm).forEach((el) => el.removeAttribute('disabled'));
          if (ok)
            redraw({ form: '#rt-roster', message: t('routing.rosterSaved', { department: name, n: now.length }) });
        });
      });
      focusSaved(saved);
    };

    /** After a save: the page afresh (today's duty may have changed), the message where the form is. @param {{ form: string, message: string } | null} saved */
    const focusSaved = (saved) => {
      if (!saved) return;
      flash(saved.message);
      const box = main.querySelector(`${saved.form} .rt-result`);
      if (!(box instanceof HTMLElement)) return;
      mount(box, html`<p class="success" role="status">${saved.message}</p>`);
      box.focus();
    };

    /** @param {{ form: string, message: string }} saved */
    const redraw = (saved) => void draw(saved).catch((err) => mount(main, errorBox(err)));

    await draw();
  },
};
