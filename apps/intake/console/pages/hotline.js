// @ts-check
// Hotline: who is calling (looked up as the number is typed or pasted), the call form, the read-back.
import { api, ApiError } from '../lib/api.js';
import { $, formValues, on } from '../lib/dom.js';
import { dateTime, countdown } from '../lib/format.js';
import { clearFieldErrors, showFieldErrors } from '../lib/field-errors.js';
import { beijingLocal, debounce, digitsOf, fromBeijingLocal, newIdempotencyKey } from '../lib/hotline-form.js';
import { html, mount } from '../lib/html.js';
import { label, t } from '../lib/i18n.js';
import { dueBadge, errorBox } from '../lib/ui.js';
import { caseCategories as categories, caseTypes as types } from '../lib/vocab.js';

/**
 * @typedef {{ id: string, label: string, projectCode: string }} CallerUnit
 * @typedef {{ id: string, name: string, relation: string, units: CallerUnit[] }} CallerOwner
 * @typedef {{ id: string, number: string, type: string, status: string, promisedReplyAt: string | null, summary: string }} OpenCase
 * @typedef {{ number: { kind: string, digits: string, display: string } | null, owners: CallerOwner[], openCases: OpenCase[], headline: string }} CallerLookup
 * @typedef {{ created: boolean, case: { id: string, number: string, type: string, promisedReplyAt: string | null }, readBack: string }} LoggedCall
 */

/** Fields of the form by the API's names, for the error summary. */
const fieldLabel = /** @type {Record<string, string>} */ ({
  callerNumber: 'hotline.number',
  type: 'hotline.type',
  category: 'hotline.category',
  severity: 'hotline.severity',
  unitId: 'hotline.unit',
  projectId: 'hotline.estate',
  unitText: 'hotline.unitText',
  reporterName: 'hotline.reporterName',
  summary: 'hotline.summary',
  startedAt: 'hotline.startedAt',
  durationSeconds: 'hotline.duration',
  direction: 'hotline.direction',
  voicemail: 'hotline.voicemail',
});

/** Lookups start once this many digits are there (a landline without area code has 7). */
const MIN_DIGITS = 7;

/** @type {import('../lib/types').Page} */
export default {
  path: '/hotline',
  nav: 'nav.hotline',
  roles: ['operator', 'cs_rep'],
  messages: {
    zh: {
      'nav.hotline': '热线登记',
      'hotline.keys': '快捷键：Ctrl+Enter 保存；在号码框按 Enter 跳到类型；Alt+Shift+N 回到号码框 / 下一个来电。',
      'hotline.number': '来电号码',
      'hotline.numberHint': '可直接粘贴：+86 138-0013-8000、0086…、0755-8334 5678 均可。',
      'hotline.caller': '来电人',
      'hotline.callerIdle': '输入号码后显示业主、房产和未结案件。',
      'hotline.looking': '正在查找…',
      'hotline.unreadable': '号码无法识别，请核对或手工查找。',
      'hotline.unknown': '未登记的号码：没有找到业主。',
      'hotline.openCases': '此来电人已有 {n} 件未结案件',
      'hotline.noOpenCases': '此来电人没有未结案件。',
      'hotline.relation.owner': '业主',
      'hotline.relation.co_owner': '共有人',
      'hotline.form': '来电登记',
      'hotline.type': '类型',
      'hotline.category': '分类',
      'hotline.auto': '自动（按内容判断）',
      'hotline.severity': '严重程度',
      'hotline.unit': '房产',
      'hotline.otherUnit': '其他房产（下方填写）',
      'hotline.estate': '楼盘',
      'hotline.noEstate': '未知 / 不涉及',
      'hotline.unitText': '房号',
      'hotline.unitTextHint': '如 3栋2单元1502，在所选楼盘中查找。',
      'hotline.reporterName': '来电人姓名',
      'hotline.summary': '来电内容',
      'hotline.facts': '通话信息',
      'hotline.startedAt': '开始时间（北京时间）',
      'hotline.duration': '通话时长（秒）',
      'hotline.durationHint': '留空则按开始时间到保存时计算。',
      'hotline.direction': '方向',
      'hotline.direction.in': '来电',
      'hotline.direction.out': '去电',
      'hotline.voicemail': '语音留言',
      'hotline.optional': '（可选）',
      'hotline.save': '保存并复述',
      'hotline.saving': '正在保存…',
      'hotline.saved': '已登记，请向来电人复述：',
      'hotline.again': '这张表已经保存过，没有重复登记。',
      'hotline.caseNumber': '案件编号',
      'hotline.promised': '承诺答复时间',
      'hotline.noPromise': '无（不需答复期限）',
      'hotline.openCase': '查看案件',
      'hotline.next': '下一个来电',
      'hotline.fix': '请更正以下内容后再保存：',
    },
    en: {
      'nav.hotline': 'Hotline',
      'hotline.keys':
        'Shortcuts: Ctrl+Enter saves; Enter in the number box moves on to the type; Alt+Shift+N goes back to the number / next call.',
      'hotline.number': 'Caller number',
      'hotline.numberHint': 'Paste as it comes: +86 138-0013-8000, 0086…, 0755-8334 5678 all work.',
      'hotline.caller': 'Caller',
      'hotline.callerIdle': 'Type the number to see the owners, their units and open cases.',
      'hotline.looking': 'Looking up…',
      'hotline.unreadable': 'This number cannot be read; check it or search by hand.',
      'hotline.unknown': 'Unknown number: no owner found.',
      'hotline.openCases': 'This caller already has {n} open case(s)',
      'hotline.noOpenCases': 'This caller has no open cases.',
      'hotline.relation.owner': 'owner',
      'hotline.relation.co_owner': 'co-owner',
      'hotline.form': 'Call',
      'hotline.type': 'Type',
      'hotline.category': 'Category',
      'hotline.auto': 'Automatic (from the text)',
      'hotline.severity': 'Severity',
      'hotline.unit': 'Unit',
      'hotline.otherUnit': 'Another unit (below)',
      'hotline.estate': 'Estate',
      'hotline.noEstate': 'Unknown / none',
      'hotline.unitText': 'Unit as said',
      'hotline.unitTextHint': 'e.g. 3栋2单元1502; looked up in the chosen estate.',
      'hotline.reporterName': 'Caller name',
      'hotline.summary': 'What the caller said',
      'hotline.facts': 'Call details',
      'hotline.startedAt': 'Started at (Beijing time)',
      'hotline.duration': 'Duration (seconds)',
      'hotline.durationHint': 'Left empty: from the start time until saving.',
      'hotline.direction': 'Direction',
      'hotline.direction.in': 'Incoming',
      'hotline.direction.out': 'Outgoing',
      'hotline.voicemail': 'Voicemail',
      'hotline.optional': '(optional)',
      'hotline.save': 'Save and read back',
      'hotline.saving': 'Saving…',
      'hotline.saved': 'Logged. Read this back to the caller:',
      'hotline.again': 'This form had already been saved; nothing was logged twice.',
      'hotline.caseNumber': 'Case number',
      'hotline.promised': 'Promised reply',
      'hotline.noPromise': 'None (no reply deadline)',
      'hotline.openCase': 'Open the case',
      'hotline.next': 'Next call',
      'hotline.fix': 'Please correct the following, then save again:',
    },
  },
  async render(main, ctx) {
    ctx.setTitle(t('nav.hotline'));
    /** @type {Array<{ id: string, name: string }>} */
    let estates = [];
    try {
      estates = await api('web-complaints/estates');
    } catch {
      // the estate list only helps the unit text; the call can be logged without it
    }
    // The call starts when the operator starts typing its number (a fresh form may wait a while for the
    // phone to ring); until the start field is edited by hand, that moment is sent to the second.
    let startedAt = new Date();
    let startTouched = false;
    const idempotencyKey = newIdempotencyKey();

    mount(
      main,
      html`<h1>${t('nav.hotline')}</h1>
      <p class="hint">${t('hotline.keys')}</p>
      <div id="hl-done" hidden></div>
      <div class="hl-layout">
        <form id="hl-form" class="card hl-form" novalidate aria-labelledby="hl-form-title">
          <h2 id="hl-form-title" class="hl-title">${t('hotline.form')}</h2>
          <div id="hl-errors" tabindex="-1"></div>
          <div class="field">
            <label for="hl-callerNumber">${t('hotline.number')}</label>
            <p class="hint" id="hl-callerNumber-hint">${t('hotline.numberHint')}</p>
            <input id="hl-callerNumber" name="callerNumber" type="tel" inputmode="tel" autocomplete="off" accesskey="n" aria-describedby="hl-callerNumber-hint" aria-controls="hl-caller" class="hl-number">
          </div>
          <div class="grid">
            <div class="field">
              <label for="hl-type">${t('hotline.type')}</label>
              <select id="hl-type" name="type"><option value="">${t('hotline.auto')}</option>${types.map((v) => html`<option value="${v}">${label('type', v)}</option>`)}</select>
            </div>
            <div class="field">
              <label for="hl-category">${t('hotline.category')}</label>
              <select id="hl-category" name="category"><option value="">${t('hotline.auto')}</option>${categories.map((v) => html`<option value="${v}">${label('category', v)}</option>`)}</select>
            </div>
            <fieldset class="hl-radios">
              <legend>${t('hotline.severity')}</legend>
              <label><input type="radio" name="severity" value="" checked> ${t('hotline.auto')}</label>
              <label><input type="radio" name="severity" value="minor"> ${label('severity', 'minor')}</label>
              <label><input type="radio" name="severity" value="major"> ${label('severity', 'major')}</label>
            </fieldset>
          </div>
          <div class="field" id="hl-unit-field" hidden>
            <label for="hl-unitId">${t('hotline.unit')}</label>
            <select id="hl-unitId" name="unitId"></select>
          </div>
          <div class="grid" id="hl-free-unit">
            <div class="field">
              <label for="hl-projectId">${t('hotline.estate')} <span class="opt">${t('hotline.optional')}</span></label>
              <select id="hl-projectId" name="projectId"><option value="">${t('hotline.noEstate')}</option>${estates.map((e) => html`<option value="${e.id}">${e.name}</option>`)}</select>
            </div>
            <div class="field">
              <label for="hl-unitText">${t('hotline.unitText')} <span class="opt">${t('hotline.optional')}</span></label>
              <input id="hl-unitText" name="unitText" autocomplete="off" aria-describedby="hl-unitText-hint">
              <p class="hint" id="hl-unitText-hint">${t('hotline.unitTextHint')}</p>
            </div>
            <div class="field">
              <label for="hl-reporterName">${t('hotline.reporterName')} <span class="opt">${t('hotline.optional')}</span></label>
              <input id="hl-reporterName" name="reporterName" autocomplete="off">
            </div>
          </div>
          <div class="field">
            <label for="hl-summary">${t('hotline.summary')}</label>
            <textarea id="hl-summary" name="summary" rows="4"></textarea>
          </div>
          <fieldset>
            <legend>${t('hotline.facts')}</legend>
            <div class="grid">
              <div class="field">
                <label for="hl-startedAt">${t('hotline.startedAt')}</label>
                <input id="hl-startedAt" name="startedAt" type="datetime-local" value="${beijingLocal(startedAt)}">
              </div>
              <div class="field">
                <label for="hl-durationSeconds">${t('hotline.duration')}</label>
                <input id="hl-durationSeconds" name="durationSeconds" type="number" min="0" max="86400" inputmode="numeric" aria-describedby="hl-duration-hint">
                <p class="hint" id="hl-duration-hint">${t('hotline.durationHint')}</p>
              </div>
              <fieldset class="hl-radios">
                <legend>${t('hotline.direction')}</legend>
                <label><input type="radio" name="direction" value="in" checked> ${t('hotline.direction.in')}</label>
                <label><input type="radio" name="direction" value="out"> ${t('hotline.direction.out')}</label>
              </fieldset>
              <div class="field hl-check">
                <label><input type="checkbox" id="hl-voicemail" name="voicemail" value="true"> ${t('hotline.voicemail')}</label>
              </div>
            </div>
          </fieldset>
          <div class="actions"><button type="submit" id="hl-save" accesskey="s">${t('hotline.save')}</button></div>
        </form>
        <section class="card hl-caller" id="hl-caller" aria-labelledby="hl-caller-title" aria-live="polite">
          <h2 id="hl-caller-title" class="hl-title">${t('hotline.caller')}</h2>
          <div id="hl-caller-body"><p class="muted">${t('hotline.callerIdle')}</p></div>
        </section>
      </div>`,
    );

    const form = /** @type {HTMLFormElement} */ ($('#hl-form', main));
    const numberInput = /** @type {HTMLInputElement} */ ($('#hl-callerNumber', form));
    const unitField = $('#hl-unit-field', form);
    const unitSelect = /** @type {HTMLSelectElement} */ ($('#hl-unitId', form));
    const freeUnit = $('#hl-free-unit', form);
    const callerBody = $('#hl-caller-body', main);
    // After the shell has moved focus to <main> (it does so once the page has rendered).
    setTimeout(() => numberInput.focus(), 0);

    // ---- who is calling
    let lookupSeq = 0;
    /** @type {string | null} */
    let lastLooked = null;
    const lookup = debounce(() => void lookupNow(), 250);
    const lookupNow = async () => {
      const value = numberInput.value.trim();
      if (!form.isConnected || value === lastLooked) return;
      lastLooked = value;
      const mine = ++lookupSeq;
      if (digitsOf(value).length < MIN_DIGITS) {
        showCaller(null);
        return;
      }
      mount(callerBody, html`<p class="muted">${t('hotline.looking')}</p>`);
      try {
        /** @type {CallerLookup} */
        const found = await api(`hotline/callers/${encodeURIComponent(value)}`);
        if (mine === lookupSeq && form.isConnected) showCaller(found);
      } catch (err) {
        if (mine === lookupSeq && form.isConnected) mount(callerBody, errorBox(err));
      }
    };

    /** @param {CallerLookup | null} found */
    const showCaller = (found) => {
      const units = found ? found.owners.flatMap((o) => o.units) : [];
      setUnits(units);
      const reporter = /** @type {HTMLInputElement} */ ($('#hl-reporterName', form));
      if (found && found.owners.length === 1 && !reporter.dataset.touched) reporter.value = found.owners[0]?.name ?? '';
      else if (!reporter.dataset.touched) reporter.value = '';
      if (!found) return mount(callerBody, html`<p class="muted">${t('hotline.callerIdle')}</p>`);
      if (!found.number) return mount(callerBody, html`<p class="notice">${t('hotline.unreadable')}</p>`);
      mount(
        callerBody,
        html`<p class="hl-display">${found.number.display}</p>
        ${
          found.owners.length === 0
            ? html`<p>${t('hotline.unknown')}</p>`
            : html`<ul class="hl-owners">${found.owners.map(
                (
                  o,
                ) => html`<li><strong>${o.name}</strong> <span class="badge">${label('hotline.relation', o.relation)}</span>
                ${o.units.length > 0 && html`<ul>${o.units.map((u) => html`<li>${u.label}</li>`)}</ul>`}</li>`,
              )}</ul>`
        }
        ${
          found.openCases.length === 0
            ? html`<p class="muted">${t('hotline.noOpenCases')}</p>`
            : html`<p class="hl-open"><strong>${t('hotline.openCases', { n: found.openCases.length })}</strong></p>
            <ul class="hl-cases">${found.openCases.map(
              (
                c,
              ) => html`<li><a href="#/cases/${c.id}">${c.number}</a> · ${label('type', c.type)} · ${label('status', c.status)}
                ${c.promisedReplyAt && ['new', 'accepted', 'assigned'].includes(c.status) ? dueBadge(countdown(c.promisedReplyAt)) : ''}
                <br><span class="muted">${c.summary}</span></li>`,
            )}</ul>`
        }`,
      );
    };

    /** The caller's units to choose from; "another unit" opens the estate + unit text fields. @param {CallerUnit[]} units */
    const setUnits = (units) => {
      unitField.hidden = units.length === 0;
      mount(
        unitSelect,
        html`${units.map((u, i) => html`<option value="${u.id}" ${i === 0 ? 'selected' : ''}>${u.label}</option>`)}<option value="">${t('hotline.otherUnit')}</option>`,
      );
      if (units.length === 0) unitSelect.value = '';
      syncUnit();
    };
    /** A chosen unit of the caller's says the estate: the free fields are then off (and not sent). */
    const syncUnit = () => {
      const chosen = !unitField.hidden && unitSelect.value !== '';
      freeUnit.hidden = false;
      for (const name of ['projectId', 'unitText']) {
        const el = /** @type {HTMLInputElement | HTMLSelectElement} */ ($(`[name=${name}]`, form));
        el.disabled = chosen;
        el.closest('.field')?.classList.toggle('hl-off', chosen);
      }
    };

    const startInput = /** @type {HTMLInputElement} */ ($('#hl-startedAt', form));
    startInput.addEventListener('input', () => (startTouched = true));
    numberInput.addEventListener(
      'input',
      () => {
        if (startTouched) return;
        startedAt = new Date();
        startInput.value = beijingLocal(startedAt);
      },
      { once: true },
    );
    numberInput.addEventListener('input', lookup);
    numberInput.addEventListener('keydown', (e) => {
      // Enter in the number box: on to the form, not a half-filled save.
      if (e.key === 'Enter' && !e.ctrlKey && !e.metaKey) {
        e.preventDefault();
        $('#hl-type', form).focus();
      }
    });
    unitSelect.addEventListener('change', syncUnit);
    $('#hl-reporterName', form).addEventListener('input', (e) => {
      /** @type {HTMLInputElement} */ (e.target).dataset.touched = '1';
    });
    form.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
        e.preventDefault();
        form.requestSubmit();
      }
    });
    on(form, 'click', '[data-focus]', (el) => document.getElementById(el.dataset.focus ?? '')?.focus());
    setUnits([]);

    // ---- saving
    let saving = false;
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      if (!saving) void save();
    });

    const save = async () => {
      saving = true;
      const button = /** @type {HTMLButtonElement} */ ($('#hl-save', form));
      button.disabled = true;
      button.textContent = t('hotline.saving');
      const v = formValues(form);
      const started = startTouched ? fromBeijingLocal(v.startedAt ?? '') : startedAt.toISOString();
      const startedMs = Date.parse(started);
      /** @type {Record<string, unknown>} */
      const body = {
        callerNumber: v.callerNumber ?? '',
        startedAt: started,
        durationSeconds:
          v.durationSeconds !== undefined
            ? Number(v.durationSeconds)
            : Number.isNaN(startedMs)
              ? 0
              : Math.max(0, Math.round((Date.now() - startedMs) / 1000)),
        direction: v.direction ?? 'in',
        voicemail: v.voicemail === 'true',
        summary: v.summary ?? '',
        idempotencyKey,
      };
      for (const k of ['type', 'category', 'severity', 'unitId', 'projectId', 'unitText', 'reporterName'])
        if (v[k]) body[k] = v[k];
      try {
        /** @type {LoggedCall} */
        const done = await api('hotline/calls', { body });
        showDone(done);
      } catch (err) {
        showErrors(err);
      } finally {
        saving = false;
        button.disabled = false;
        button.textContent = t('hotline.save');
      }
    };

    /** @param {unknown} err */
    const showErrors = (err) => {
      const box = $('#hl-errors', form);
      if (!(err instanceof ApiError) || err.fields.length === 0) {
        clearFieldErrors(form);
        mount(box, errorBox(err));
      } else {
        const shown = showFieldErrors(form, err.fields, (name) => `hl-${name}-error`).map((f) => ({
          ...f,
          controlId: f.control?.id || null,
        }));
        mount(
          box,
          html`<div class="alert" role="alert"><p>${t('hotline.fix')}</p><ul>${shown.map(
            (f) =>
              html`<li>${f.controlId ? html`<button type="button" class="link" data-focus="${f.controlId}">${fieldLabel[f.field] ? t(fieldLabel[f.field] ?? '') : f.field}</button>` : html`<strong>${f.field}</strong>`}: ${f.message}</li>`,
          )}</ul></div>`,
        );
      }
      box.focus();
    };

    /** @param {LoggedCall} done */
    const showDone = (done) => {
      const box = $('#hl-done', main);
      const link = `#/cases/${done.case.id}`;
      mount(
        box,
        html`<section class="card hl-done" aria-labelledby="hl-done-title">
          <h2 id="hl-done-title" class="hl-title">${t('hotline.saved')}</h2>
          <div class="readback hl-readback" id="hl-readback" tabindex="-1">
            <p lang="zh-CN">${done.readBack}</p>
            <dl class="facts">
              <dt>${t('hotline.caseNumber')}</dt><dd><a href="${link}" id="hl-case-number">${done.case.number}</a></dd>
              <dt>${t('hotline.promised')}</dt><dd id="hl-promised">${done.case.promisedReplyAt ? dateTime(done.case.promisedReplyAt) : t('hotline.noPromise')}</dd>
            </dl>
          </div>
          ${!done.created && html`<p class="notice">${t('hotline.again')}</p>`}
          <div class="actions">
            <button type="button" id="hl-next" accesskey="n">${t('hotline.next')}</button>
            <a class="button secondary" href="${link}">${t('hotline.openCase')}</a>
          </div>
        </section>`,
      );
      box.hidden = false;
      $('.hl-layout', main).hidden = true;
      $('#hl-next', box).addEventListener('click', () => void this.render(main, ctx));
      $('#hl-readback', box).focus();
    };
  },
};
