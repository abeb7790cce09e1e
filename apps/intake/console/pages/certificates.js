// @ts-check
import { api, ApiError } from '../lib/api.js';
import { $, formValues } from '../lib/dom.js';
import { date, percent } from '../lib/format.js';
import { html, mount } from '../lib/html.js';
import { t } from '../lib/i18n.js';
import { clearFieldErrors, showFieldErrors } from '../lib/field-errors.js';
import { todayInShanghai } from '../lib/sched-forms.js';
import { postCsv } from '../lib/sched-upload.js';
import { errorBox, flash } from '../lib/ui.js';

/**
 * @typedef {object} Progress
 * @property {number} units
 * @property {number} owners
 * @property {number} notified
 * @property {number} delivered
 * @property {number} lettersSignedFor
 * @property {number} collected
 * @property {number} outstanding
 */
/**
 * A batch as `GET /api/v1/certificate-batches[/:id]` answers it.
 * @typedef {object} Batch
 * @property {string} id
 * @property {string} estateName
 * @property {string | null} reference
 * @property {string} place
 * @property {string} hours
 * @property {string[]} documents
 * @property {string} fromDate
 * @property {string} deadline
 * @property {Progress} progress
 */
/**
 * One unit of a batch (`GET /api/v1/certificate-batches/:id/units`).
 * @typedef {object} BatchUnit
 * @property {string} unitId
 * @property {string} unitLabel
 * @property {number} owners
 * @property {number} notified
 * @property {number} delivered
 * @property {number} lettersSignedFor
 * @property {{ collectedBy: string, relation: string, idNumberMasked: string, collectedOn: string } | null} collection
 */

/** Who may release batches (finance's department manager, the GM's office): the API checks it again. */
const RELEASERS = ['dept_manager', 'vice_gm', 'gm', 'admin'];
const SIGN_OFF = ['cs_rep', 'dept_manager', 'vice_gm', 'gm', 'admin'];
const RELATIONS = ['self', 'spouse', 'relative', 'agent', 'other'];
const ID_TYPES = ['resident_id', 'passport', 'hk_macao_permit', 'taiwan_permit', 'other'];
const FIGURES = /** @type {const} */ ([
  'units',
  'owners',
  'notified',
  'delivered',
  'lettersSignedFor',
  'collected',
  'outstanding',
]);

/** Collected of units, as a bar (a real <progress>, so it is read out) and a percentage. @param {Progress} p */
const bar = (
  p,
) => html`<progress class="sched-progress" max="${Math.max(p.units, 1)}" value="${p.collected}" aria-label="${t('certs.collectedOf', { collected: p.collected, units: p.units })}"></progress>
  <span class="muted">${t('certs.collectedOf', { collected: p.collected, units: p.units })} (${percent(p.units ? p.collected / p.units : 0)})</span>`;

/** @type {import('../lib/types').Page} */
export default {
  path: '/certificates',
  nav: 'nav.certificates',
  roles: ['cs_rep', 'dept_manager', 'vice_gm', 'gm'],
  messages: {
    zh: {
      'nav.certificates': '办证批次',
      'certs.estate': '楼盘',
      'certs.reference': '批次号',
      'certs.period': '领取期间',
      'certs.progress': '领取进度',
      'certs.collectedOf': '已领取 {collected} / {units} 户',
      'certs.units': '房屋',
      'certs.owners': '业主',
      'certs.notified': '已通知',
      'certs.delivered': '已送达',
      'certs.lettersSignedFor': '信件已签收',
      'certs.collected': '已领取',
      'certs.outstanding': '未领取',
      'certs.none': '还没有办证批次。',
      'certs.open': '查看批次 {name}',
      'certs.back': '← 全部批次',
      'certs.batch': '批次',
      'certs.place': '领取地点',
      'certs.hours': '办理时间',
      'certs.documents': '所需资料',
      'certs.perUnit': '各户情况',
      'certs.unit': '房号',
      'certs.collection': '领取',
      'certs.notYet': '未领取',
      'certs.collectedBy': '{name}（{relation}）{date}，证件 {id}',
      'certs.signOff': '登记领取签收',
      'certs.allCollected': '本批次所有房屋均已领取。',
      'certs.f.unitId': '房号',
      'certs.f.collectedBy': '领取人姓名',
      'certs.f.relation': '与业主关系',
      'certs.f.idType': '证件类型',
      'certs.f.idNumber': '证件号码',
      'certs.f.idHint': '只保存首尾几位，例如 1101**********002X。',
      'certs.f.collectedOn': '领取日期',
      'certs.f.submit': '登记签收',
      'certs.saved': '已登记 {unit} 的领取签收，证件号码保存为 {id}。',
      'certs.relation.self': '本人',
      'certs.relation.spouse': '配偶',
      'certs.relation.relative': '亲属',
      'certs.relation.agent': '受托人',
      'certs.relation.other': '其他',
      'certs.idType.resident_id': '居民身份证',
      'certs.idType.passport': '护照',
      'certs.idType.hk_macao_permit': '港澳居民来往内地通行证',
      'certs.idType.taiwan_permit': '台湾居民来往大陆通行证',
      'certs.idType.other': '其他',
      'certs.import': '导入办证批次（CSV）',
      'certs.importFile': 'CSV 文件',
      'certs.importHint':
        '列：楼盘编码, 楼栋, 单元, 房号, 领取地点, 办理时间, 所需资料（用 ; 分隔）, 开始日期, 截止日期 [, 批次号]。UTF-8 或 Excel 保存的 GBK 均可；有任何一行出错则全部不导入。',
      'certs.importSubmit': '导入并通知业主',
      'certs.importChoose': '请选择一个 CSV 文件。',
      'certs.imported': '已导入 {n} 个批次，业主通知已发出。',
      'certs.importRow': '第 {line} 行',
    },
    en: {
      'nav.certificates': 'Certificate batches',
      'certs.estate': 'Estate',
      'certs.reference': 'Reference',
      'certs.period': 'Collection period',
      'certs.progress': 'Collected',
      'certs.collectedOf': '{collected} of {units} units collected',
      'certs.units': 'Units',
      'certs.owners': 'Owners',
      'certs.notified': 'Notified',
      'certs.delivered': 'Delivered',
      'certs.lettersSignedFor': 'Letters signed for',
      'certs.collected': 'Collected',
      'certs.outstanding': 'Outstanding',
      'certs.none': 'No certificate batches yet.',
      'certs.open': 'Open batch {name}',
      'certs.back': '← All batches',
      'certs.batch': 'Batch',
      'certs.place': 'Where',
      'certs.hours': 'When',
      'certs.documents': 'Documents to bring',
      'certs.perUnit': 'Units',
      'certs.unit': 'Unit',
      'certs.collection': 'Collection',
      'certs.notYet': 'Not collected',
      'certs.collectedBy': '{name} ({relation}) on {date}, ID {id}',
      'certs.signOff': 'Record a collection sign-off',
      'certs.allCollected': 'Every unit of this batch has been collected.',
      'certs.f.unitId': 'Unit',
      'certs.f.collectedBy': 'Collected by',
      'certs.f.relation': 'Relation to the owner',
      'certs.f.idType': 'ID type',
      'certs.f.idNumber': 'ID number',
      'certs.f.idHint': 'Only its ends are kept, e.g. 1101**********002X.',
      'certs.f.collectedOn': 'Collected on',
      'certs.f.submit': 'Record sign-off',
      'certs.saved': 'Collection recorded for {unit}; ID number kept as {id}.',
      'certs.relation.self': 'Owner',
      'certs.relation.spouse': 'Spouse',
      'certs.relation.relative': 'Relative',
      'certs.relation.agent': 'Agent',
      'certs.relation.other': 'Other',
      'certs.idType.resident_id': 'Resident ID card',
      'certs.idType.passport': 'Passport',
      'certs.idType.hk_macao_permit': 'Hong Kong / Macao permit',
      'certs.idType.taiwan_permit': 'Taiwan permit',
      'certs.idType.other': 'Other',
      'certs.import': 'Import batches (CSV)',
      'certs.importFile': 'CSV file',
      'certs.importHint':
        'Columns: estate, building, entrance, room, place, hours, documents (separated by ;), from_date, deadline [, reference], or the Chinese headers. UTF-8 or GBK as Excel saves it; if any row is wrong nothing is imported.',
      'certs.importSubmit': 'Import and notify owners',
      'certs.importChoose': 'Choose a CSV file.',
      'certs.imported': '{n} batches imported; owners are being notified.',
      'certs.importRow': 'Line {line}',
    },
  },
  async render(main, ctx) {
    ctx.setTitle(t('nav.certificates'));
    mount(main, html`<h1>${t('nav.certificates')}</h1><p class="loading">${t('app.loading')}</p>`);
    const batchId = ctx.query.get('batch');
    if (batchId) await detail(main, ctx, batchId);
    else await list(main, ctx);
  },
};

/** @param {HTMLElement} main @param {import('../lib/types').PageContext} ctx */
async function list(main, ctx) {
  const batches = /** @type {Batch[]} */ (await api('certificate-batches'));
  const name = (/** @type {Batch} */ b) => `${b.estateName}${b.reference ? ` ${b.reference}` : ''}`;
  mount(
    main,
    html`<h1>${t('nav.certificates')}</h1>
    ${
      batches.length === 0
        ? html`<p class="notice">${t('certs.none')}</p>`
        : html`<table class="sched-batches">
          <thead><tr>
            <th scope="col">${t('certs.batch')}</th><th scope="col">${t('certs.period')}</th>
            ${FIGURES.map((f) => html`<th scope="col" class="num">${t(`certs.${f}`)}</th>`)}
            <th scope="col">${t('certs.progress')}</th>
          </tr></thead>
          <tbody>${batches.map(
            (b) => html`<tr data-batch="${b.id}">
              <td><a href="#/certificates?batch=${encodeURIComponent(b.id)}" aria-label="${t('certs.open', { name: name(b) })}">${b.estateName}</a>${b.reference ? html`<br><span class="muted">${b.reference}</span>` : null}</td>
              <td>${date(b.fromDate)} – ${date(b.deadline)}</td>
              ${FIGURES.map((f) => html`<td class="num" data-figure="${f}">${b.progress[f]}</td>`)}
              <td>${bar(b.progress)}</td>
            </tr>`,
          )}</tbody>
        </table>`
    }
    ${
      RELEASERS.includes(ctx.session.staff.role)
        ? html`<h2 id="import-title">${t('certs.import')}</h2>
        <div id="import-result"></div>
        <form id="cert-import" class="card" novalidate aria-labelledby="import-title">
          <div class="field"><label for="import-file">${t('certs.importFile')}</label><p class="hint" id="import-hint">${t('certs.importHint')}</p>
            <input id="import-file" name="file" type="file" accept=".csv,text/csv" aria-describedby="import-hint" required></div>
          <div class="actions"><button type="submit">${t('certs.importSubmit')}</button></div>
        </form>`
        : null
    }`,
  );
  const form = /** @type {HTMLFormElement | null} */ (main.querySelector('#cert-import'));
  form?.addEventListener('submit', (e) => {
    e.preventDefault();
    void upload(form);
  });

  /** @param {HTMLFormElement} form */
  async function upload(form) {
    const input = /** @type {HTMLInputElement} */ ($('#import-file', form));
    const result = $('#import-result', main);
    const file = input.files?.[0];
    if (!file) {
      mount(result, html`<div class="alert" role="alert"><p>${t('certs.importChoose')}</p></div>`);
      input.focus();
      return;
    }
    const button = $('button[type=submit]', form);
    button.setAttribute('disabled', '');
    try {
      const answer = /** @type {{ batches: Batch[] }} */ (await postCsv('certificate-batches/imports', file));
      const message = t('certs.imported', { n: answer.batches.length });
      flash(message);
      await list(main, ctx);
      const box = $('#import-result', main);
      mount(box, html`<p class="success" tabindex="-1">${message}</p>`);
      $('p', box).focus();
    } catch (err) {
      button.removeAttribute('disabled');
      /** @type {Array<{ line: number, field?: string, message: string }>} */
      const rows = err instanceof ApiError && Array.isArray(err.details?.rows) ? err.details.rows : [];
      mount(
        result,
        html`${errorBox(err)}${
          rows.length > 0
            ? html`<ul class="alert sched-rows">${rows.map((r) => html`<li><strong>${t('certs.importRow', { line: r.line })}</strong>${r.field ? html` · ${r.field}` : null}: ${r.message}</li>`)}</ul>`
            : null
        }`,
      );
      input.focus();
    }
  }
}

/** @param {HTMLElement} main @param {import('../lib/types').PageContext} ctx @param {string} batchId */
async function detail(main, ctx, batchId) {
  const id = encodeURIComponent(batchId);
  const [batch, units] = /** @type {[Batch, BatchUnit[]]} */ (
    await Promise.all([api(`certificate-batches/${id}`), api(`certificate-batches/${id}/units`)])
  );
  ctx.setTitle(`${t('nav.certificates')} · ${batch.estateName}`);
  const open = units.filter((u) => !u.collection);
  const canSign = SIGN_OFF.includes(ctx.session.staff.role);
  mount(
    main,
    html`<div class="sched-page" id="cert-page">
    <p><a href="#/certificates">${t('certs.back')}</a></p>
    <h1>${batch.estateName}${batch.reference ? html` · ${batch.reference}` : null}</h1>
    <div class="card"><dl class="facts">
      <dt>${t('certs.period')}</dt><dd>${date(batch.fromDate)} – ${date(batch.deadline)}</dd>
      <dt>${t('certs.place')}</dt><dd>${batch.place}</dd>
      <dt>${t('certs.hours')}</dt><dd>${batch.hours}</dd>
      <dt>${t('certs.documents')}</dt><dd>${batch.documents.join('、')}</dd>
    </dl></div>
    <div class="cards" id="cert-figures">${FIGURES.map(
      (f) =>
        html`<div class="card"><div class="muted" id="fig-${f}">${t(`certs.${f}`)}</div><div class="figure" aria-labelledby="fig-${f}" data-figure="${f}">${batch.progress[f]}</div></div>`,
    )}</div>
    <p>${bar(batch.progress)}</p>
    <h2>${t('certs.perUnit')}</h2>
    <table class="sched-units">
      <thead><tr>
        <th scope="col">${t('certs.unit')}</th><th scope="col" class="num">${t('certs.owners')}</th><th scope="col" class="num">${t('certs.notified')}</th>
        <th scope="col" class="num">${t('certs.delivered')}</th><th scope="col" class="num">${t('certs.lettersSignedFor')}</th><th scope="col">${t('certs.collection')}</th>
      </tr></thead>
      <tbody>${units.map(
        (u) => html`<tr>
          <th scope="row">${u.unitLabel}</th><td class="num">${u.owners}</td><td class="num">${u.notified}</td><td class="num">${u.delivered}</td><td class="num">${u.lettersSignedFor}</td>
          <td>${
            u.collection
              ? html`<span class="badge sched-collected">${t('certs.collected')}</span> ${t('certs.collectedBy', { name: u.collection.collectedBy, relation: t(`certs.relation.${u.collection.relation}`), date: date(u.collection.collectedOn), id: u.collection.idNumberMasked })}`
              : html`<span class="badge">${t('certs.notYet')}</span>`
          }</td>
        </tr>`,
      )}</tbody>
    </table>
    ${
      canSign
        ? html`<h2 id="signoff-title">${t('certs.signOff')}</h2>
        <div id="signoff-result"></div>
        ${
          open.length === 0
            ? html`<p class="success">${t('certs.allCollected')}</p>`
            : html`<form id="signoff" class="card" novalidate aria-labelledby="signoff-title">
          <div class="grid">
            <div class="field"><label for="co-unit">${t('certs.f.unitId')}</label>
              <select id="co-unit" name="unitId" required>${open.map((u) => html`<option value="${u.unitId}">${u.unitLabel}</option>`)}</select></div>
            <div class="field"><label for="co-by">${t('certs.f.collectedBy')}</label><input id="co-by" name="collectedBy" required maxlength="100" autocomplete="off"></div>
            <div class="field"><label for="co-relation">${t('certs.f.relation')}</label>
              <select id="co-relation" name="relation">${RELATIONS.map((r) => html`<option value="${r}">${t(`certs.relation.${r}`)}</option>`)}</select></div>
            <div class="field"><label for="co-idtype">${t('certs.f.idType')}</label>
              <select id="co-idtype" name="idType">${ID_TYPES.map((r) => html`<option value="${r}">${t(`certs.idType.${r}`)}</option>`)}</select></div>
            <div class="field"><label for="co-id">${t('certs.f.idNumber')}</label><p class="hint" id="co-id-hint">${t('certs.f.idHint')}</p>
              <input id="co-id" name="idNumber" required maxlength="40" autocomplete="off" spellcheck="false" aria-describedby="co-id-hint"></div>
            <div class="field"><label for="co-on">${t('certs.f.collectedOn')}</label><input id="co-on" name="collectedOn" type="date" required value="${todayInShanghai()}"></div>
          </div>
          <div class="actions"><button type="submit">${t('certs.f.submit')}</button></div>
        </form>`
        }`
        : null
    }
    </div>`,
  );
  const form = /** @type {HTMLFormElement | null} */ (main.querySelector('#signoff'));
  if (!form) return;
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void submit(form);
  });

  /** @param {HTMLFormElement} form */
  async function submit(form) {
    const button = $('button[type=submit]', form);
    const result = $('#signoff-result', main);
    button.setAttribute('disabled', '');
    mount(result, html``);
    clearFieldErrors(form);
    try {
      const saved = /** @type {{ unitId: string, idNumberMasked: string }} */ (
        await api(`certificate-batches/${id}/collections`, { body: formValues(form) })
      );
      const unit = units.find((u) => u.unitId === saved.unitId)?.unitLabel ?? '';
      const message = t('certs.saved', { unit, id: saved.idNumberMasked });
      flash(message);
      // Figures, the unit table and the choice of units all change: draw the batch again, then say so.
      await detail(main, ctx, batchId);
      const box = $('#signoff-result', main);
      mount(box, html`<p class="success" tabindex="-1">${message}</p>`);
      $('p', box).focus();
    } catch (err) {
      button.removeAttribute('disabled');
      const shown = err instanceof ApiError ? showFieldErrors(form, err.fields, (name) => `fielderr-${name}`) : [];
      shown.find((f) => f.control)?.control?.focus();
      const unmatched = shown.filter((f) => !f.control);
      // The box says what went wrong overall; field problems also sit next to their fields.
      mount(result, errorBox(err));
      if (unmatched.length === 0 && !form.querySelector('[aria-invalid]')) $('.alert', result).focus();
    }
  }
}
