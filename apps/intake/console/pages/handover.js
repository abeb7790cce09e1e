// @ts-check
// 部门受理登记 (003 §9.2.4): a complaint a department received itself, logged with the time the customer made it —
// passed to customer service (not the department's own) or filed after the department handled it (its own).
import { api } from '../lib/api.js';
import { $, formValues } from '../lib/dom.js';
import { clearFieldErrors, showSaveError } from '../lib/field-errors.js';
import { html, mount } from '../lib/html.js';
import { label, t } from '../lib/i18n.js';
import { flash } from '../lib/ui.js';
import { caseCategories as categories, caseTypes as types } from '../lib/vocab.js';

const channels = ['walk_in', 'hotline', 'email', 'fax'];

/** Beijing wall clock "2026-11-30T18:00" for a datetime-local input. @param {Date} d */
const localInput = (d) => new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 16);
/** A datetime-local value read as Beijing time. @param {string} v */
const beijing = (v) => `${v.length === 16 ? `${v}:00` : v}+08:00`;

/** @param {string} id @param {string} text @param {import('../lib/html.js').SafeHtml} control @param {string} [hint] */
function field(id, text, control, hint) {
  return html`<div class="field"><label for="${id}">${text}</label>${hint ? html`<p class="hint" id="${id}-hint">${hint}</p>` : ''}${control}</div>`;
}

function view() {
  const now = localInput(new Date());
  return html`<div class="handover-page"><h1 tabindex="-1">${t('nav.handover')}</h1>
    <p class="hint">${t('handover.intro')}</p>
    <form id="ho-form" novalidate>
      <div class="ho-result" tabindex="-1"></div>
      ${field('ho-receivedAt', t('handover.receivedAt'), html`<input id="ho-receivedAt" name="receivedAt" type="datetime-local" required max="${now}" aria-describedby="ho-receivedAt-hint">`, t('handover.receivedAtHint'))}
      ${field('ho-channel', t('handover.channel'), html`<select id="ho-channel" name="channel">${channels.map((c) => html`<option value="${c}">${label('channel', c)}</option>`)}</select>`)}
      ${field('ho-reporterName', t('handover.reporterName'), html`<input id="ho-reporterName" name="reporterName" maxlength="100">`)}
      ${field('ho-contact', t('handover.contact'), html`<input id="ho-contact" name="contact" maxlength="300" inputmode="tel">`)}
      ${field('ho-description', t('handover.description'), html`<textarea id="ho-description" name="description" rows="4" required minlength="2"></textarea>`)}
      ${field('ho-type', t('handover.type'), html`<select id="ho-type" name="type">${types.map((v) => html`<option value="${v}">${label('type', v)}</option>`)}</select>`)}
      ${field('ho-category', t('handover.category'), html`<select id="ho-category" name="category"><option value="">${t('handover.auto')}</option>${categories.map((v) => html`<option value="${v}">${label('category', v)}</option>`)}</select>`)}
      <fieldset><legend>${t('handover.own')}</legend>
        <label><input type="radio" name="ownResponsibility" value="false" required checked> ${t('handover.notOwn')}</label>
        <label><input type="radio" name="ownResponsibility" value="true"> ${t('handover.isOwn')}</label></fieldset>
      <div class="ho-handled" hidden>
        <div class="field"><label><input type="checkbox" name="wasHandled" value="true" id="ho-wasHandled"> ${t('handover.wasHandled')}</label></div>
        <div class="ho-handled-fields" hidden>
          ${field('ho-handledAt', t('handover.handledAt'), html`<input id="ho-handledAt" name="handled.at" type="datetime-local" max="${now}">`)}
          ${field('ho-result', t('handover.result'), html`<textarea id="ho-result" name="handled.result" rows="3" minlength="2"></textarea>`)}
        </div>
      </div>
      <div class="actions"><button type="submit">${t('handover.submit')}</button></div>
    </form></div>`;
}

/** @param {HTMLFormElement} form */
function bodyOf(form) {
  const v = formValues(form);
  const own = v.ownResponsibility === 'true';
  const handled = own && v.wasHandled === 'true';
  return {
    receivedAt: v.receivedAt ? beijing(v.receivedAt) : undefined,
    channel: v.channel,
    reporterName: v.reporterName ?? null,
    contact: v.contact ?? null,
    description: v.description ?? '',
    type: v.type,
    ...(v.category ? { category: v.category } : {}),
    ownResponsibility: own,
    handled: handled
      ? { at: v['handled.at'] ? beijing(v['handled.at']) : undefined, result: v['handled.result'] ?? '' }
      : null,
  };
}

/** @type {import('../lib/types').Page} */
export default {
  path: '/handover',
  nav: 'nav.handover',
  roles: ['cs_rep', 'dept_manager', 'vice_gm', 'gm'],
  messages: {
    zh: {
      'nav.handover': '部门受理登记',
      'handover.intro':
        '本部门直接接到的投诉在此登记（003 §9.2.4）：不属于本部门责任的，一个工作日内移交客户服务部；属于本部门责任并已处理的，处理完成后两个工作日内移交客户服务部备案。',
      'handover.receivedAt': '客户投诉时间',
      'handover.receivedAtHint': '客户向本部门提出投诉的时间，期限从此时起算。',
      'handover.channel': '客户如何提出',
      'handover.reporterName': '客户姓名',
      'handover.contact': '联系电话',
      'handover.description': '投诉内容',
      'handover.type': '类型',
      'handover.category': '类别',
      'handover.auto': '自动判断',
      'handover.own': '是否属于本部门责任',
      'handover.notOwn': '不属于本部门责任，移交客户服务部',
      'handover.isOwn': '属于本部门责任',
      'handover.wasHandled': '本部门已处理完毕',
      'handover.handledAt': '处理完成时间',
      'handover.result': '处理结果',
      'handover.submit': '登记并移交',
      'handover.done': '已登记为案件 {number}',
      'handover.fix': '请更正以下内容：',
    },
    en: {
      'nav.handover': 'Department intake',
      'handover.intro':
        "Log a complaint your department received itself here (003 §9.2.4): not your department's responsibility — to customer service within 1 working day; your own and handled — filed with customer service within 2 working days of completion.",
      'handover.receivedAt': 'When the customer complained',
      'handover.receivedAtHint': 'The time the customer came to your department: the deadlines count from it.',
      'handover.channel': 'How the customer came',
      'handover.reporterName': 'Customer name',
      'handover.contact': 'Phone',
      'handover.description': 'Complaint',
      'handover.type': 'Type',
      'handover.category': 'Category',
      'handover.auto': 'Automatic',
      'handover.own': "Is it your department's responsibility?",
      'handover.notOwn': 'No: hand it to customer service',
      'handover.isOwn': 'Yes',
      'handover.wasHandled': 'Already handled by the department',
      'handover.handledAt': 'Handled at',
      'handover.result': 'Result',
      'handover.submit': 'Log and hand over',
      'handover.done': 'Logged as case {number}',
      'handover.fix': 'Please correct:',
    },
  },
  render(main, ctx) {
    ctx.setTitle(t('nav.handover'));
    mount(main, view());
    const form = /** @type {HTMLFormElement} */ ($('#ho-form', main));
    const box = $('.ho-result', main);
    const handled = $('.ho-handled', main);
    const handledFields = $('.ho-handled-fields', main);
    const sync = () => {
      const v = formValues(form);
      handled.hidden = v.ownResponsibility !== 'true';
      handledFields.hidden = handled.hidden || v.wasHandled !== 'true';
      for (const el of handledFields.querySelectorAll('input, textarea'))
        el.toggleAttribute('required', !handledFields.hidden);
    };
    form.addEventListener('change', sync);
    sync();
    const submit = async () => {
      mount(box, html``);
      clearFieldErrors(form);
      if (!form.checkValidity()) {
        form.reportValidity();
        return;
      }
      const button = $('button[type="submit"]', form);
      button.setAttribute('disabled', '');
      try {
        const res = await api('handovers', { method: 'POST', body: bodyOf(form) });
        flash(t('handover.done', { number: res.case.number }));
        ctx.navigate(`/cases/${res.case.id}`);
      } catch (err) {
        showSaveError(form, box, err, { prefix: 'ho', fix: t('handover.fix') });
      } finally {
        button.removeAttribute('disabled');
      }
    };
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      void submit();
    });
    $('#ho-receivedAt', main).focus();
  },
};
