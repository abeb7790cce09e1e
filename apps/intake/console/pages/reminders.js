// @ts-check
import { api, ApiError } from '../lib/api.js';
import { $, on } from '../lib/dom.js';
import { countdown, dateTime } from '../lib/format.js';
import { html, mount } from '../lib/html.js';
import { t } from '../lib/i18n.js';
import { reminderReason, stepName } from '../lib/terms.js';
import { dueBadge, errorBox, flash } from '../lib/ui.js';

/**
 * One reminder as `GET /api/v1/reminders` answers it (scheduler's ReminderView).
 * @typedef {object} Reminder
 * @property {string} id
 * @property {string} caseId
 * @property {string} caseNumber
 * @property {string} step
 * @property {string} stepLabel
 * @property {'before' | 'due' | 'escalation'} kind
 * @property {number} level
 * @property {string} dueAt
 * @property {string} sentAt
 * @property {boolean} late
 * @property {boolean} overdue
 * @property {string | null} ackDueAt
 * @property {string | null} acknowledgedAt
 * @property {{ id: string, name: string } | null} recipient
 * @property {string | null} reason
 */

const STATES = /** @type {const} */ (['unacknowledged', 'overdue', 'due', 'acknowledged', 'all']);
const MANAGERS = ['dept_manager', 'vice_gm', 'gm', 'admin'];

/** @param {Reminder} r */
const ackCell = (r) =>
  r.acknowledgedAt
    ? html`<span class="sched-acked">${t('reminders.acked', { at: dateTime(r.acknowledgedAt) })}</span>`
    : html`<button type="button" class="sched-ack" data-id="${r.id}" aria-label="${t('reminders.ackFor', { number: r.caseNumber, step: stepName(r.step, r.stepLabel) })}">${t('reminders.ack')}</button>`;

/** @param {Reminder} r */
function escalation(r) {
  if (r.kind === 'escalation')
    return html`<span class="badge major">${t('reminders.escalated', { level: r.level })}</span>${r.reason ? html`<br><span class="muted" title="${r.reason}">${reminderReason(r.reason)}</span>` : null}`;
  return html`<span class="muted">${r.kind === 'due' ? t('reminders.kind.due') : t('reminders.kind.before')}</span>`;
}

/** @param {Reminder} r @param {boolean} team */
const row = (r, team) => html`<tr data-row="${r.id}" data-due="${r.dueAt}">
  <td><a href="#/cases/${r.caseId}">${r.caseNumber}</a></td>
  <td>${stepName(r.step, r.stepLabel)}</td>
  ${team ? html`<td>${r.recipient?.name ?? '—'}</td>` : null}
  <td>${dateTime(r.dueAt)}<br>${r.acknowledgedAt ? null : dueBadge(countdown(r.dueAt))}</td>
  <td>${dateTime(r.sentAt)}${r.late ? html` <span class="badge">${t('reminders.late')}</span>` : null}</td>
  <td>${escalation(r)}</td>
  <td class="sched-ack-cell" tabindex="-1">${ackCell(r)}</td>
</tr>`;

/** @type {import('../lib/types').Page} */
export default {
  path: '/reminders',
  nav: 'nav.reminders',
  messages: {
    zh: {
      'nav.reminders': '我的提醒',
      'reminders.counts': '未到期 {due} 条，已逾期 {overdue} 条',
      'reminders.state': '状态',
      'reminders.state.unacknowledged': '待确认',
      'reminders.state.overdue': '已逾期',
      'reminders.state.due': '未到期',
      'reminders.state.acknowledged': '已确认',
      'reminders.state.all': '全部',
      'reminders.scope': '范围',
      'reminders.scope.mine': '我的',
      'reminders.scope.team': '我的团队',
      'reminders.case': '案件编号',
      'reminders.step': '环节',
      'reminders.recipient': '接收人',
      'reminders.due': '时限',
      'reminders.sent': '发送时间',
      'reminders.escalation': '类型 / 升级',
      'reminders.status': '确认',
      'reminders.ack': '确认',
      'reminders.ackFor': '确认提醒：{number} {step}',
      'reminders.acked': '已确认 {at}',
      'reminders.ackedFlash': '已确认 {number} 的提醒。',
      'reminders.escalated': '升级第 {level} 级',
      'reminders.kind.before': '到期前提醒',
      'reminders.kind.due': '到期提醒',
      'reminders.late': '补发',
      'reminders.none': '没有这类提醒。',
    },
    en: {
      'nav.reminders': 'My reminders',
      'reminders.counts': '{due} due, {overdue} overdue',
      'reminders.state': 'State',
      'reminders.state.unacknowledged': 'To acknowledge',
      'reminders.state.overdue': 'Overdue',
      'reminders.state.due': 'Due',
      'reminders.state.acknowledged': 'Acknowledged',
      'reminders.state.all': 'All',
      'reminders.scope': 'Scope',
      'reminders.scope.mine': 'Mine',
      'reminders.scope.team': 'My team',
      'reminders.case': 'Case',
      'reminders.step': 'Step',
      'reminders.recipient': 'Recipient',
      'reminders.due': 'Due',
      'reminders.sent': 'Sent',
      'reminders.escalation': 'Kind / escalation',
      'reminders.status': 'Acknowledgement',
      'reminders.ack': 'Acknowledge',
      'reminders.ackFor': 'Acknowledge reminder: {number} {step}',
      'reminders.acked': 'Acknowledged {at}',
      'reminders.ackedFlash': 'Reminder for {number} acknowledged.',
      'reminders.escalated': 'Escalation level {level}',
      'reminders.kind.before': 'Before the deadline',
      'reminders.kind.due': 'At the deadline',
      'reminders.late': 'late',
      'reminders.none': 'No reminders of this kind.',
    },
  },
  async render(main, ctx) {
    ctx.setTitle(t('nav.reminders'));
    const asked = ctx.query.get('state');
    const state = STATES.find((s) => s === asked) ?? 'unacknowledged';
    const manager = MANAGERS.includes(ctx.session.staff.role);
    const scope = manager && ctx.query.get('scope') === 'team' ? 'team' : 'mine';
    const team = scope === 'team';
    /** @param {string} s @param {string} sc */
    const href = (s, sc) => `#/reminders?state=${s}${sc === 'team' ? '&scope=team' : ''}`;

    mount(main, html`<h1>${t('nav.reminders')}</h1><p class="loading">${t('app.loading')}</p>`);
    const open = /** @type {Reminder[]} */ (
      await api('reminders', { query: { state: 'unacknowledged', scope, limit: 500 } })
    );
    // Worked through from the most overdue: by deadline, not by when the reminders went out (a catch-up sends many at once).
    const list = (
      state === 'unacknowledged'
        ? [...open]
        : /** @type {Reminder[]} */ (await api('reminders', { query: { state, scope, limit: 500 } }))
    ).sort((a, b) => Date.parse(a.dueAt) - Date.parse(b.dueAt));
    const counts = { due: open.filter((r) => !r.overdue).length, overdue: open.filter((r) => r.overdue).length };

    mount(
      main,
      html`<div class="sched-page" id="reminders-page"><h1>${t('nav.reminders')} <span class="sched-counts" id="reminder-counts">${t('reminders.counts', counts)}</span></h1>
      <nav class="sched-tabs" aria-label="${t('reminders.state')}"><ul>
        ${STATES.map(
          (s) =>
            html`<li><a href="${href(s, scope)}" ${s === state ? html`aria-current="page"` : null}>${t(`reminders.state.${s}`)}${
              s === 'overdue'
                ? html` <span class="badge">${counts.overdue}</span>`
                : s === 'due'
                  ? html` <span class="badge">${counts.due}</span>`
                  : null
            }</a></li>`,
        )}
      </ul></nav>
      ${
        manager
          ? html`<nav class="sched-tabs" aria-label="${t('reminders.scope')}"><ul>
            ${['mine', 'team'].map((sc) => html`<li><a href="${href(state, sc)}" ${sc === scope ? html`aria-current="page"` : null}>${t(`reminders.scope.${sc}`)}</a></li>`)}
          </ul></nav>`
          : null
      }
      <div id="reminders-error"></div>
      ${
        list.length === 0
          ? html`<p class="notice">${t('reminders.none')}</p>`
          : html`<table class="sched-reminders">
            <caption class="muted">${t(`reminders.state.${state}`)} · ${t(`reminders.scope.${scope}`)}</caption>
            <thead><tr>
              <th scope="col">${t('reminders.case')}</th><th scope="col">${t('reminders.step')}</th>
              ${team ? html`<th scope="col">${t('reminders.recipient')}</th>` : null}
              <th scope="col">${t('reminders.due')}</th><th scope="col">${t('reminders.sent')}</th>
              <th scope="col">${t('reminders.escalation')}</th><th scope="col">${t('reminders.status')}</th>
            </tr></thead>
            <tbody>${list.map((r) => row(r, team))}</tbody>
          </table>`
      }</div>`,
    );

    const errors = $('#reminders-error', main);
    // On this render's own element: `main` outlives the page, so a listener there would pile up per visit.
    on($('#reminders-page', main), 'click', 'button.sched-ack', (button) => void acknowledge(button));

    /** One click: POST, then the row says acknowledged (with the time) where the button was. @param {HTMLElement} button */
    async function acknowledge(button) {
      const id = button.dataset.id ?? '';
      const r = list.find((x) => x.id === id);
      if (!r || button.hasAttribute('disabled')) return;
      button.setAttribute('disabled', '');
      mount(errors, html``);
      try {
        const done = /** @type {{ id: string, acknowledgedAt: string }} */ (
          await api(`reminders/${encodeURIComponent(id)}/ack`, { method: 'POST' })
        );
        r.acknowledgedAt = done.acknowledgedAt;
        const wasOpen = open.find((x) => x.id === id);
        if (wasOpen) {
          wasOpen.acknowledgedAt = done.acknowledgedAt;
          if (wasOpen.overdue) counts.overdue--;
          else counts.due--;
        }
        $('#reminder-counts', main).textContent = t('reminders.counts', counts);
        const tr = $(`tr[data-row="${CSS.escape(id)}"]`, main);
        const cell = $('.sched-ack-cell', tr);
        // Focus goes to the next row still waiting for a click, else stays on this row's (now text) cell.
        const next = /** @type {HTMLElement | null} */ (
          tr.parentElement?.querySelector(
            `tr[data-row]:not([data-row="${CSS.escape(id)}"]) button.sched-ack:not([disabled])`,
          ) ?? null
        );
        mount(cell, ackCell(r));
        tr.classList.add('sched-done');
        (next ?? cell).focus();
        flash(t('reminders.ackedFlash', { number: r.caseNumber }));
      } catch (err) {
        button.removeAttribute('disabled');
        mount(errors, errorBox(err));
        if (!(err instanceof ApiError) || err.status !== 401) button.focus();
      }
    }
  },
};
