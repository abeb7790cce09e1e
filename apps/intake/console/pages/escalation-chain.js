// @ts-check
// 升级链 (002 §7.3.2): the levels above the person responsible, in order, each named and found by role, as a
// department's manager or as one staff member (GET/PUT /api/v1/escalation-chain, the scheduler's, through intake:
// apps/scheduler/src/reminders/escalation-chain.dto.ts the shape and its messages). Linked from 分派与值班.
import { api } from '../lib/api.js';
import { $, $$, on } from '../lib/dom.js';
import { clearFieldErrors, showSaveError } from '../lib/field-errors.js';
import { html, mount } from '../lib/html.js';
import { label, t } from '../lib/i18n.js';
import { escalationChainMessages } from '../lib/escalation-chain-messages.js';
import { oneLanguage } from '../lib/terms.js';
import { errorBox, flash } from '../lib/ui.js';

/** libs/shared MAX_ESCALATION_LEVEL. */
const maxLevels = 6;
const resolvers = ['role', 'department_manager', 'staff'];
const roles = ['cs_rep', 'dept_manager', 'vice_gm', 'gm', 'admin', 'operator'];
/** Who may see and replace the chain (the controller's roles; admin passes every check). */
export const chainEditors = ['vice_gm', 'gm', 'admin'];

/**
 * @typedef {{ name: string, resolver: string, role: string, withinCaseDepartment: boolean, departmentId: string,
 *   staffId: string }} LevelRow
 * @typedef {{ id: string, name: string, role: string, departmentId: string | null, active: boolean }} Staff
 * @typedef {{ departments: Array<{ id: string, name: string }>, staff: Staff[] }} Choices
 * @typedef {{ field: string, message: string }} Problem
 */

/** The API's field messages (escalation-chain.dto.ts, .service.ts) in the staff member's words. @param {string} m */
function fieldMessage(m) {
  const repeated = /^每一级的名称不能重复 \(repeats levels\.(\d+)\.name/.exec(m);
  if (repeated) return t('ec.err.repeated', { n: Number(repeated[1]) + 1 });
  if (m.startsWith('must be one of')) return t('ec.err.role');
  if (/^at (least one level|most \d+ levels)/.test(m)) return t('ec.err.levels', { max: maxLevels });
  const known = {
    'must not be empty': 'ec.err.empty',
    'at most 50 characters': 'ec.err.long',
    'must be a department id': 'ec.err.department',
    'no such department': 'ec.err.department',
    'must be a staff id': 'ec.err.staff',
    'no such staff member': 'ec.err.staff',
  }[m];
  return known ? t(known) : oneLanguage(m);
}

/** Where a field path is, for the summary of a refusal: levels.1.name → 第 2 级的名称. @param {string} field */
function fieldPlace(field) {
  const m = /^levels\.(\d+)\.(name|role|departmentId|staffId)$/.exec(field);
  if (!m) return null;
  const key = { name: 'name', role: 'role', departmentId: 'department', staffId: 'staff' }[m[2] ?? ''] ?? 'name';
  return t(`ec.levelN.${key}`, { n: Number(m[1]) + 1 });
}

/**
 * A level nobody active can fill, in words from the level itself (the API's `warnings` name `levels.<i>`).
 * @param {any} level of the GET/PUT answer @param {number} i
 */
function warningText(level, i) {
  return t(`ec.warn.${level.resolver}`, {
    n: i + 1,
    name: level.name,
    role: label('role', level.role),
    department: level.departmentName ?? '',
    staff: level.staffName ?? '',
  });
}

/** @param {string} name @param {string} aria @param {Array<[string, string]>} options @param {string} selected @param {boolean} [hidden] */
function select(name, aria, options, selected, hidden = false) {
  return html`<select name="${name}" aria-label="${aria}" ${hidden ? html`hidden disabled` : ''}>${options.map(
    ([v, text]) => html`<option value="${v}" ${v === selected ? html`selected` : ''}>${text}</option>`,
  )}</select>`;
}

/** @param {Choices} choices @param {LevelRow[]} levels @param {Map<number, string>} warnings by row */
function rows(choices, levels, warnings) {
  if (levels.length === 0) return html`<tr><td colspan="4" class="muted">${t('ec.none')}</td></tr>`;
  const deptName = new Map(choices.departments.map((d) => [d.id, d.name]));
  return levels.map((l, i) => {
    const n = i + 1;
    const staff = choices.staff.filter((s) => s.active || s.id === l.staffId);
    const warning = warnings.get(i);
    return html`<tr data-level="${i}">
      <th scope="row">${t('ec.levelN', { n })}${i === levels.length - 1 ? html` <span class="badge">${t('ec.top')}</span>` : ''}</th>
      <td><input name="levels.${i}.name" value="${l.name}" maxlength="50" aria-label="${t('ec.levelN.name', { n })}"></td>
      <td>${select(
        `levels.${i}.resolver`,
        t('ec.levelN.resolver', { n }),
        resolvers.map((r) => [r, t(`ec.resolver.${r}`)]),
        l.resolver,
      )}
        ${select(
          `levels.${i}.role`,
          t('ec.levelN.role', { n }),
          roles.map((r) => [r, label('role', r)]),
          l.role,
          l.resolver !== 'role',
        )}
        <label ${l.resolver === 'role' ? '' : html`hidden`}><input type="checkbox" name="levels.${i}.withinCaseDepartment" aria-label="${t('ec.levelN.within', { n })}" ${l.withinCaseDepartment ? html`checked` : ''}> ${t('ec.within')}</label>
        ${select(
          `levels.${i}.departmentId`,
          t('ec.levelN.department', { n }),
          [['', ''], ...choices.departments.map((d) => /** @type {[string, string]} */ ([d.id, d.name]))],
          l.departmentId,
          l.resolver !== 'department_manager',
        )}
        ${select(
          `levels.${i}.staffId`,
          t('ec.levelN.staff', { n }),
          [
            ['', ''],
            ...staff.map(
              (s) =>
                /** @type {[string, string]} */ ([
                  s.id,
                  `${s.name}${s.departmentId ? `（${deptName.get(s.departmentId) ?? ''}）` : ''}${s.active ? '' : t('ec.inactive')}`,
                ]),
            ),
          ],
          l.staffId,
          l.resolver !== 'staff',
        )}
        ${warning ? html`<p class="notice ec-warning" id="ec-warning-${i}">${warning}</p>` : ''}</td>
      <td class="ec-order"><button type="button" class="secondary" data-move="${i}" data-by="-1" aria-label="${t('ec.upN', { n })}" ${i === 0 ? html`disabled` : ''}>${t('ec.up')}</button>
        <button type="button" class="secondary" data-move="${i}" data-by="1" aria-label="${t('ec.downN', { n })}" ${i === levels.length - 1 ? html`disabled` : ''}>${t('ec.down')}</button>
        <button type="button" class="secondary" data-remove="${i}" aria-label="${t('ec.removeN', { n })}">${t('ec.remove')}</button></td>
    </tr>`;
  });
}

/** The levels as the form shows them now. @param {HTMLFormElement} form @returns {LevelRow[]} */
function readLevels(form) {
  return $$('tr[data-level]', form).map((tr) => {
    const i = tr.dataset.level;
    const el = (/** @type {string} */ k) => /** @type {HTMLInputElement} */ ($(`[name="levels.${i}.${k}"]`, tr));
    return {
      name: el('name').value,
      resolver: el('resolver').value,
      role: el('role').value,
      withinCaseDepartment: el('withinCaseDepartment').checked,
      departmentId: el('departmentId').value,
      staffId: el('staffId').value,
    };
  });
}

/** PUT's body: each level with only what its way of finding the person needs. @param {LevelRow[]} levels */
function bodyOf(levels) {
  return {
    levels: levels.map((l) =>
      l.resolver === 'role'
        ? { name: l.name, resolver: 'role', role: l.role, withinCaseDepartment: l.withinCaseDepartment }
        : l.resolver === 'department_manager'
          ? { name: l.name, resolver: 'department_manager', departmentId: l.departmentId }
          : { name: l.name, resolver: 'staff', staffId: l.staffId },
    ),
  };
}

/** @param {any} chain GET/PUT answer @returns {LevelRow[]} */
const rowsOf = (chain) =>
  chain.levels.map((/** @type {any} */ l) => ({
    name: l.name,
    resolver: l.resolver,
    role: l.role ?? 'gm',
    withinCaseDepartment: !!l.withinCaseDepartment,
    departmentId: l.departmentId ?? '',
    staffId: l.staffId ?? '',
  }));

/** The answer's warnings by row, in words. @param {any} chain @returns {Map<number, string>} */
function warningsOf(chain) {
  /** @type {Map<number, string>} */
  const out = new Map();
  for (const w of /** @type {Problem[]} */ (chain.warnings ?? [])) {
    const i = Number(/^levels\.(\d+)/.exec(w.field)?.[1]);
    const level = chain.levels[i];
    if (level) out.set(i, warningText(level, i));
  }
  return out;
}

/** @type {import('../lib/types').Page} */
export default {
  path: '/routing/chain',
  roles: ['vice_gm', 'gm'],
  messages: escalationChainMessages,
  async render(main, ctx) {
    ctx.setTitle(t('ec.title'));
    const [chain, responsibilities, staff] = await Promise.all([
      api('escalation-chain'),
      api('routing/responsibilities'),
      api('staff'),
    ]);
    /** @type {Choices} */
    const choices = { departments: responsibilities.departments, staff };
    mount(
      main,
      html`<div class="chain-page"><p><a href="#/routing">← ${t('ec.back')}</a></p>
        <h1 tabindex="-1" id="ec-title">${t('ec.title')}</h1>
        <section class="card" aria-labelledby="ec-title">
          <p class="hint">${t('ec.hint', { max: maxLevels })}</p>
          <form id="ec-form" novalidate>
            <div class="ec-result" tabindex="-1"></div>
            <table class="rt-table ec-table"><thead><tr><th scope="col">${t('ec.level')}</th><th scope="col">${t('ec.name')}</th><th scope="col">${t('ec.who')}</th><th scope="col">${t('ec.order')}</th></tr></thead>
              <tbody id="ec-rows"></tbody></table>
            <div class="actions"><button type="button" class="secondary" id="ec-add">${t('ec.add')}</button>
              <button type="submit">${t('ec.save')}</button></div>
          </form></section></div>`,
    );
    const root = $('.chain-page', main);
    const form = /** @type {HTMLFormElement} */ ($('#ec-form', root));
    const box = $('.ec-result', form);
    const add = /** @type {HTMLButtonElement} */ ($('#ec-add', root));

    /** @type {LevelRow[]} */
    let levels = rowsOf(chain);
    let warnings = warningsOf(chain);
    /** Draws the rows; warnings belong to the saved chain, so they go once the rows are edited. */
    const draw = () => {
      mount($('#ec-rows', root), html`${rows(choices, levels, warnings)}`);
      add.disabled = levels.length >= maxLevels;
    };
    /** @param {(now: LevelRow[]) => LevelRow[]} change @param {...string} focus where the keyboard goes, first found */
    const edit = (change, ...focus) => {
      levels = change(readLevels(form));
      warnings = new Map();
      draw();
      const target = focus
        .map((f) => root.querySelector(`${f}:not([disabled])`))
        .find((el) => el instanceof HTMLElement);
      (target instanceof HTMLElement ? target : add).focus();
    };
    /** The saved chain's warnings as one list above the rows too (announced after a save). @param {any} c */
    const warningList = (c) =>
      warningsOf(c).size > 0
        ? html`<div class="notice ec-warnings" role="status"><p>${t('ec.warnings')}</p><ul>${[...warningsOf(c).values()].map((w) => html`<li>${w}</li>`)}</ul></div>`
        : html``;
    draw();
    mount(box, warningList(chain));

    add.addEventListener('click', () =>
      edit(
        (now) => [
          ...now,
          { name: '', resolver: 'role', role: 'gm', withinCaseDepartment: false, departmentId: '', staffId: '' },
        ],
        `[name="levels.${levels.length}.name"]`,
      ),
    );
    on(form, 'click', '[data-remove]', (button) => {
      const i = Number(button.dataset.remove);
      edit((now) => now.filter((_, j) => j !== i), `[name="levels.${Math.max(0, i - 1)}.name"]`);
    });
    on(form, 'click', '[data-move]', (button) => {
      const i = Number(button.dataset.move);
      const j = i + Number(button.dataset.by);
      edit(
        (now) => {
          const next = [...now];
          [next[i], next[j]] = /** @type {[LevelRow, LevelRow]} */ ([now[j], now[i]]);
          return next;
        },
        `[data-move="${j}"][data-by="${button.dataset.by}"]`,
        `[name="levels.${j}.name"]`,
      );
    });
    on(form, 'change', 'select[name$=".resolver"]', (select) =>
      edit((now) => now, `[name="${select.getAttribute('name')}"]`),
    );

    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const now = readLevels(form);
      const buttons = $$('button', form);
      mount(box, html``);
      clearFieldErrors(form);
      buttons.forEach((b) => b.setAttribute('disabled', ''));
      api('escalation-chain', { method: 'PUT', body: bodyOf(now) })
        .then(
          (saved) => {
            levels = rowsOf(saved);
            warnings = warningsOf(saved);
            draw();
            const message = t('ec.saved', { n: saved.levels.length });
            flash(message);
            mount(box, html`<p class="success" role="status">${message}</p>${warningList(saved)}`);
            box.focus();
          },
          (err) => {
            // The rows as they were sent, so each problem finds its control.
            levels = now;
            warnings = new Map();
            draw();
            showSaveError(form, box, err, {
              prefix: 'ec',
              fix: t('ec.fix'),
              message: fieldMessage,
              where: fieldPlace,
            });
          },
        )
        .finally(() => {
          buttons.forEach((b) => b.removeAttribute('disabled'));
          add.disabled = levels.length >= maxLevels;
        })
        .catch((err) => mount(main, errorBox(err)));
    });
  },
};
