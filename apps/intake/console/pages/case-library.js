// @ts-check
import { api, apiObjectUrl } from '../lib/api.js';
import { $ } from '../lib/dom.js';
import { showSaveError } from '../lib/field-errors.js';
import { dateTime } from '../lib/format.js';
import { html, mount } from '../lib/html.js';
import { t } from '../lib/i18n.js';
import { errorBox, flash } from '../lib/ui.js';

/**
 * A typical case's write-up (`/api/v1/case-library/writeups`).
 * @typedef {{ id: string, caseId: string, caseNumber: string, estate: string | null, title: string, problem: string,
 *   cause: string, handling: string, lesson: string, tags: string[], author: string | null, updatedAt: string,
 *   sharedWith: Array<{ departmentId: string, name: string, sharedAt: string }> }} Writeup
 * @typedef {{ caseId: string, number: string, status: string, receivedAt: string, estate: string | null,
 *   excerpt: string, writeupId: string | null, writeupTitle: string | null }} Hit
 */

const ROLES = /** @type {import('../lib/types').Role[]} */ (['cs_rep', 'dept_manager', 'vice_gm', 'gm']);
const FIELDS = ['title', 'problem', 'cause', 'handling', 'lesson'];

const zh = {
  'nav.caseLibrary': '案例库',
  'cl.search': '搜索',
  'cl.q': '搜索词（案例写作与全部案件文字）',
  'cl.typical': '只看典型案例',
  'cl.words': '分词：{words}，共 {n} 件',
  'cl.none': '没有找到。',
  'cl.col.case': '案件',
  'cl.col.estate': '楼盘',
  'cl.col.received': '受理时间',
  'cl.col.text': '内容',
  'cl.typicalBadge': '典型',
  'cl.writeups': '典型案例',
  'cl.noWriteups': '还没有典型案例：在案件详情中点「写成典型案例」。',
  'cl.exportCsv': '导出 CSV',
  'cl.exportXlsx': '导出 Excel',
  'cl.f.title': '标题',
  'cl.f.problem': '问题',
  'cl.f.cause': '原因',
  'cl.f.handling': '处理',
  'cl.f.lesson': '经验教训',
  'cl.f.tags': '标签（以逗号或空格分隔）',
  'cl.write': '写成典型案例 {number}',
  'cl.save': '保存',
  'cl.saved': '已保存。',
  'cl.fix': '请修改以下内容：',
  'cl.share': '分享给部门',
  'cl.shareBtn': '分享并通知',
  'cl.shared': '已分享给 {d} 个部门，通知 {n} 人。',
  'cl.sharedWith': '已分享：{names}',
  'cl.edit': '修改',
  'cl.remove': '取消典型',
  'cl.removeConfirm': '确定取消该案件的典型案例吗？',
  'cl.back': '返回案例库',
};
const en = {
  'nav.caseLibrary': 'Case library',
  'cl.search': 'Search',
  'cl.q': 'Search words (write-ups and all case texts)',
  'cl.typical': 'Typical cases only',
  'cl.words': 'Words: {words}; {n} cases',
  'cl.none': 'Nothing found.',
  'cl.col.case': 'Case',
  'cl.col.estate': 'Estate',
  'cl.col.received': 'Received',
  'cl.col.text': 'Text',
  'cl.typicalBadge': 'Typical',
  'cl.writeups': 'Typical cases',
  'cl.noWriteups': 'No typical cases yet: use “Write up as a typical case” on a case.',
  'cl.exportCsv': 'Export CSV',
  'cl.exportXlsx': 'Export Excel',
  'cl.f.title': 'Title',
  'cl.f.problem': 'Problem',
  'cl.f.cause': 'Cause',
  'cl.f.handling': 'Handling',
  'cl.f.lesson': 'Lesson',
  'cl.f.tags': 'Tags (comma or space separated)',
  'cl.write': 'Write up {number} as a typical case',
  'cl.save': 'Save',
  'cl.saved': 'Saved.',
  'cl.fix': 'Please correct:',
  'cl.share': 'Share with departments',
  'cl.shareBtn': 'Share and notify',
  'cl.shared': 'Shared with {d} departments; {n} people notified.',
  'cl.sharedWith': 'Shared with: {names}',
  'cl.edit': 'Edit',
  'cl.remove': 'No longer typical',
  'cl.removeConfirm': 'Remove this typical case write-up?',
  'cl.back': 'Back to the case library',
};

/** A form field's text ('' for a file or nothing). @param {FormData} data @param {string} k */
const text = (data, k) => {
  const v = data.get(k);
  return typeof v === 'string' ? v : '';
};

/** @param {string} path @param {string} name */
async function download(path, name) {
  const url = await apiObjectUrl(path);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** @param {Hit[]} hits */
const hitsTable = (hits) =>
  html`<table id="cl-hits"><thead><tr><th scope="col">${t('cl.col.case')}</th><th scope="col">${t('cl.col.estate')}</th>
  <th scope="col">${t('cl.col.received')}</th><th scope="col">${t('cl.col.text')}</th></tr></thead><tbody>${hits.map(
    (h) => html`<tr><td><a href="#/cases/${h.caseId}">${h.number}</a>${
      h.writeupId ? html` <a class="badge" href="#/case-library/${h.writeupId}">${t('cl.typicalBadge')}</a>` : ''
    }</td><td>${h.estate ?? '—'}</td><td>${dateTime(h.receivedAt)}</td>
    <td>${h.writeupTitle ? html`<strong>${h.writeupTitle}</strong> ` : ''}${h.excerpt}</td></tr>`,
  )}</tbody></table>`;

/** @type {import('../lib/types').Page} */
const library = {
  path: '/case-library',
  nav: 'nav.caseLibrary',
  roles: ROLES,
  messages: { zh, en },
  async render(main, ctx) {
    ctx.setTitle(t('nav.caseLibrary'));
    const q = ctx.query.get('q') ?? '';
    const typical = ctx.query.get('typical') === 'true';
    const [found, list] = await Promise.all([
      q ? api(`case-library/search?${new URLSearchParams({ q, typical: String(typical), limit: '50' })}`) : null,
      /** @type {Promise<{ writeups: Writeup[] }>} */ (api('case-library/writeups')),
    ]);
    mount(
      main,
      html`<div class="sched-page" id="case-library-page"><h1>${t('nav.caseLibrary')}</h1>
      <form id="cl-search" role="search">
        <div class="field"><label for="cl-q">${t('cl.q')}</label>
          <input id="cl-q" name="q" maxlength="100" value="${q}"></div>
        <label class="inline"><input type="checkbox" name="typical" ${typical ? 'checked' : ''}>
          ${t('cl.typical')}</label>
        <button type="submit">${t('cl.search')}</button>
      </form>
      ${
        found
          ? html`<p id="cl-words">${t('cl.words', { words: found.words.join(' / '), n: found.total })}</p>
            ${found.hits.length ? hitsTable(found.hits) : html`<p class="notice">${t('cl.none')}</p>`}`
          : ''
      }
      <section aria-labelledby="cl-w-h"><h2 id="cl-w-h">${t('cl.writeups')}</h2>
        <p><button type="button" class="secondary" id="cl-csv">${t('cl.exportCsv')}</button>
        <button type="button" class="secondary" id="cl-xlsx">${t('cl.exportXlsx')}</button></p>
        ${
          list.writeups.length
            ? html`<ul id="cl-writeups">${list.writeups.map(
                (w) => html`<li><a href="#/case-library/${w.id}">${w.title}</a> <span class="muted">${w.caseNumber}
                  ${w.tags.map((tag) => html`<span class="badge">${tag}</span>`)}</span></li>`,
              )}</ul>`
            : html`<p class="notice">${t('cl.noWriteups')}</p>`
        }
      </section><div id="cl-error" tabindex="-1"></div></div>`,
    );
    const form = /** @type {HTMLFormElement} */ ($('#cl-search', main));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const data = new FormData(form);
      const params = new URLSearchParams({ q: text(data, 'q') });
      if (data.get('typical')) params.set('typical', 'true');
      ctx.navigate(`/case-library?${params}`);
    });
    const day = new Date().toISOString().slice(0, 10);
    for (const format of ['csv', 'xlsx'])
      $(`#cl-${format}`, main).addEventListener('click', () => {
        download(`case-library/writeups?format=${format}`, `case-library-${day}.${format}`).catch((err) =>
          mount($('#cl-error', main), errorBox(err)),
        );
      });
  },
};

/** @type {import('../lib/types').Page} */
const write = {
  path: '/case-library/write/:caseId',
  roles: ROLES,
  messages: { zh: {}, en: {} },
  async render(main, ctx) {
    const caseId = ctx.params.caseId ?? '';
    const [{ writeup }, detail] = await Promise.all([
      /** @type {Promise<{ writeup: Writeup | null }>} */ (api(`case-library/cases/${caseId}/writeup`)),
      api(`cases/${caseId}`),
    ]);
    const number = detail.case.number;
    ctx.setTitle(t('cl.write', { number }));
    /** @param {string} f */
    const value = (f) => (writeup ? String(/** @type {any} */ (writeup)[f]) : '');
    mount(
      main,
      html`<div class="sched-page"><p><a href="#/cases/${caseId}">← ${number}</a></p>
      <h1>${t('cl.write', { number })}</h1>
      <form id="cl-write" novalidate>
        ${FIELDS.map((f) =>
          f === 'title'
            ? html`<div class="field"><label for="cl-${f}">${t(`cl.f.${f}`)}</label>
                <input id="cl-${f}" name="${f}" maxlength="100" value="${value(f)}"></div>`
            : html`<div class="field"><label for="cl-${f}">${t(`cl.f.${f}`)}</label>
                <textarea id="cl-${f}" name="${f}" rows="3">${value(f)}</textarea></div>`,
        )}
        <div class="field"><label for="cl-tags">${t('cl.f.tags')}</label>
          <input id="cl-tags" name="tags" value="${writeup ? writeup.tags.join(' ') : ''}"></div>
        <div id="cl-write-error" tabindex="-1"></div>
        <button type="submit">${t('cl.save')}</button>
      </form></div>`,
    );
    const form = /** @type {HTMLFormElement} */ ($('#cl-write', main));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const data = new FormData(form);
      /** @type {Record<string, unknown>} */
      const body = Object.fromEntries(FIELDS.map((f) => [f, text(data, f)]));
      body.tags = text(data, 'tags')
        .split(/[\s,，、]+/)
        .filter(Boolean);
      void (async () => {
        try {
          const w = /** @type {Writeup} */ (await api(`case-library/cases/${caseId}/writeup`, { method: 'PUT', body }));
          flash(t('cl.saved'));
          ctx.navigate(`/case-library/${w.id}`);
        } catch (err) {
          showSaveError(form, $('#cl-write-error', main), err, { prefix: 'cl', fix: t('cl.fix') });
        }
      })();
    });
  },
};

/** @type {import('../lib/types').Page} */
const detail = {
  path: '/case-library/:id',
  roles: ROLES,
  messages: { zh: {}, en: {} },
  async render(main, ctx) {
    const id = ctx.params.id ?? '';
    const [w, { departments }] = await Promise.all([
      /** @type {Promise<Writeup>} */ (api(`case-library/writeups/${id}`)),
      /** @type {Promise<{ departments: Array<{ id: string, name: string }> }>} */ (api('case-library/departments')),
    ]);
    ctx.setTitle(w.title);
    const shared = w.sharedWith.map((s) => s.name).join('、');
    mount(
      main,
      html`<div class="sched-page" id="cl-detail"><p><a href="#/case-library">← ${t('cl.back')}</a></p>
      <h1>${w.title}</h1><p><a href="#/cases/${w.caseId}">${w.caseNumber}</a> ${w.estate ?? ''}
        ${w.tags.map((tag) => html`<span class="badge">${tag}</span>`)}</p>
      <dl class="facts">${FIELDS.slice(1).map(
        (f) => html`<dt>${t(`cl.f.${f}`)}</dt><dd data-field="${f}">${/** @type {any} */ (w)[f]}</dd>`,
      )}</dl>
      <p class="muted">${w.author ?? ''} ${dateTime(w.updatedAt)}${
        shared ? html` · ${t('cl.sharedWith', { names: shared })}` : ''
      }</p>
      <p><a href="#/case-library/write/${w.caseId}">${t('cl.edit')}</a>
        <button type="button" class="secondary" id="cl-remove">${t('cl.remove')}</button></p>
      <form id="cl-share"><fieldset class="field"><legend>${t('cl.share')}</legend>
        ${departments.map(
          (d) =>
            html`<label class="inline"><input type="checkbox" name="departmentIds" value="${d.id}"> ${d.name}</label>`,
        )}
      </fieldset><div id="cl-share-error" tabindex="-1"></div>
      <button type="submit">${t('cl.shareBtn')}</button></form></div>`,
    );
    const form = /** @type {HTMLFormElement} */ ($('#cl-share', main));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const departmentIds = new FormData(form).getAll('departmentIds').map(String);
      void (async () => {
        try {
          const r = await api(`case-library/writeups/${id}/share`, { method: 'POST', body: { departmentIds } });
          flash(t('cl.shared', { d: r.departments, n: r.notified }));
          await detail.render(main, ctx);
        } catch (err) {
          showSaveError(form, $('#cl-share-error', main), err, { prefix: 'cl', fix: t('cl.fix') });
        }
      })();
    });
    $('#cl-remove', main).addEventListener('click', () => {
      if (!confirm(t('cl.removeConfirm'))) return;
      api(`case-library/writeups/${id}`, { method: 'DELETE' }).then(
        () => ctx.navigate('/case-library'),
        (err) => mount($('#cl-share-error', main), errorBox(err)),
      );
    });
  },
};

export default library;
export { text as formText, write as caseLibraryWrite, detail as caseLibraryDetail };
