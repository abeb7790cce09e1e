// @ts-check
import { api, apiObjectUrl } from '../lib/api.js';
import { $, on } from '../lib/dom.js';
import { dateTime } from '../lib/format.js';
import { html, mount } from '../lib/html.js';
import { getLang, label, t } from '../lib/i18n.js';
import { errorBox, flash } from '../lib/ui.js';

/**
 * 本地收件箱 / Local outbox: what `npm start`'s local providers delivered — every SMS (with the statuses the
 * gateway reported back), every email in the local mailboxes, every EMS letter — newest first, like Mailpit.
 * Shown only where local providers run (the API answers 404 elsewhere).
 */

/**
 * @typedef {{ sid: string, to: string, from: string | null, body: string, segments: number, status: string, createdAt: string, history: Array<{ status: string, at: string, errorCode?: number }> }} Sms
 * @typedef {{ id: string, mailbox: string, from: string, to: string, subject: string, date: string, preview: string, dsn?: boolean }} Mail
 * @typedef {{ id: string, reference: string, recipientName: string, postalAddress: string, status: string, createdAt: string }} Letter
 * @typedef {{ kind: 'sms' | 'email' | 'letter', at: string, key: string, item: any }} Entry
 */

let available = /** @type {boolean | null} */ (null);

/** Whether local providers run here (asked once per page load; the nav shows the page only then). */
export async function localOutboxAvailable() {
  if (available !== null) return available;
  try {
    available = Boolean((await api('local-outbox/status')).available);
  } catch {
    return false; // a network blip: ask again next time
  }
  return available;
}

const smsStatusClass = (/** @type {string} */ s) =>
  s === 'delivered' ? 'due-ok' : s === 'undelivered' || s === 'failed' ? 'due-overdue' : 'due-soon';

/** @param {Sms} m */
function smsRow(m) {
  return html`<tr data-kind="sms" data-sid="${m.sid}">
    <td>${dateTime(m.createdAt)}</td>
    <td><span class="badge">${t('outbox.sms')}</span></td>
    <td>${m.to}</td>
    <td class="pre">${m.body}<div class="muted">${t('outbox.segments', { n: m.segments })}</div></td>
    <td><span class="due ${smsStatusClass(m.status)}" data-status>${label('outbox.smsStatus', m.status)}</span>
      <ol class="receipts">${m.history.map(
        (h) =>
          html`<li>${dateTime(h.at)} ${label('outbox.smsStatus', h.status)}${h.errorCode ? html` <span class="muted">(${h.errorCode})</span>` : ''}</li>`,
      )}</ol></td>
    <td></td>
  </tr>`;
}

/** @param {Mail} m */
function mailRow(m) {
  return html`<tr data-kind="email" data-mail="${m.id}">
    <td>${dateTime(m.date)}</td>
    <td><span class="badge">${m.dsn ? t('outbox.bounce') : t('outbox.email')}</span></td>
    <td>${m.to}<div class="muted">${t('outbox.from', { from: m.from })}</div></td>
    <td><strong>${m.subject || t('outbox.noSubject')}</strong><div class="muted pre">${m.preview}</div>
      <div class="mail-body pre" data-body="${m.id}" hidden></div></td>
    <td><span class="due due-ok">${t('outbox.inMailbox', { mailbox: m.mailbox })}</span></td>
    <td><button type="button" class="secondary" data-open="${m.id}" aria-expanded="false">${t('outbox.open')}</button></td>
  </tr>`;
}

/** @param {Letter} l */
function letterRow(l) {
  return html`<tr data-kind="letter" data-letter="${l.id}">
    <td>${dateTime(l.createdAt)}</td>
    <td><span class="badge">${t('outbox.letter')}</span></td>
    <td>${l.recipientName}<div class="muted">${l.postalAddress}</div></td>
    <td>${t('outbox.reference', { reference: l.reference })}</td>
    <td><span class="due due-soon">${label('outbox.letterStatus', l.status)}</span></td>
    <td><button type="button" class="secondary" data-pdf="${l.id}">${t('outbox.pdf')}</button></td>
  </tr>`;
}

/** @param {Entry} e */
const entryRow = (e) => (e.kind === 'sms' ? smsRow(e.item) : e.kind === 'email' ? mailRow(e.item) : letterRow(e.item));

/** @type {import('../lib/types').Page} */
export default {
  path: '/outbox',
  nav: 'nav.outbox',
  messages: {
    zh: {
      'nav.outbox': '本地收件箱',
      'outbox.intro':
        '本机运行的是本地短信网关和邮件系统，代替真实的短信服务商和邮件服务器：业主和员工本应收到的每条短信、邮件和 EMS 信件都列在这里，最新的在前。',
      'outbox.when': '时间',
      'outbox.kind': '类型',
      'outbox.to': '收件人',
      'outbox.content': '内容',
      'outbox.state': '状态 / 回执',
      'outbox.sms': '短信',
      'outbox.email': '邮件',
      'outbox.bounce': '退信',
      'outbox.letter': 'EMS 信件',
      'outbox.segments': '{n} 条计费短信',
      'outbox.from': '发件人：{from}',
      'outbox.noSubject': '（无主题）',
      'outbox.inMailbox': '已投递到 {mailbox}',
      'outbox.open': '查看全文',
      'outbox.close': '收起',
      'outbox.pdf': '查看 PDF',
      'outbox.reference': '参考号 {reference}',
      'outbox.empty': '还没有发出任何消息。登记一个热线来电或提交一条网上投诉试试。',
      'outbox.refresh': '刷新',
      'outbox.smsStatus.queued': '排队中',
      'outbox.smsStatus.accepted': '已接收',
      'outbox.smsStatus.sent': '已发出',
      'outbox.smsStatus.delivered': '已送达',
      'outbox.smsStatus.undelivered': '未送达',
      'outbox.smsStatus.failed': '发送失败',
      'outbox.letterStatus.generated': '已生成，待交寄',
      'outbox.letterStatus.manifested': '已列入交寄清单',
      'outbox.letterStatus.posted': '已交寄',
      'outbox.letterStatus.accepted': '邮局已收寄',
      'outbox.letterStatus.in_transit': '运输中',
      'outbox.letterStatus.out_for_delivery': '派送中',
      'outbox.letterStatus.undelivered': '未妥投',
      'outbox.letterStatus.signed_for': '已签收',
      'outbox.letterStatus.returned': '已退回',
      'outbox.testMail': '发一封测试邮件给客服',
      'outbox.testMailIntro':
        '邮件经本地邮件系统投递到客服邮箱 {address}，几秒内成为一个案件，受理回执会回到发件人的本地邮箱。',
      'outbox.testFrom': '发件人邮箱',
      'outbox.testSubject': '主题',
      'outbox.testText': '正文',
      'outbox.testSubjectDefault': '3栋楼道灯坏了',
      'outbox.testTextDefault': '您好，3栋2单元楼道的灯坏了一个星期了，晚上很黑，请尽快安排维修。',
      'outbox.send': '发送',
      'outbox.sent': '测试邮件已发出，稍后刷新即可看到案件和回执。',
      'outbox.magic': '特殊号码（模拟失败）',
      'outbox.magicIntro': '发往这些号码的短信会按下面的方式失败，其他号码都会送达。',
      'outbox.forbiddenLetters': '您的角色看不到信件。',
    },
    en: {
      'nav.outbox': 'Local outbox',
      'outbox.intro':
        'This machine runs a local SMS gateway and mail system in place of the real SMS provider and mail servers: every SMS, email and EMS letter owners and staff would have received is listed here, newest first.',
      'outbox.when': 'When',
      'outbox.kind': 'Kind',
      'outbox.to': 'To',
      'outbox.content': 'Content',
      'outbox.state': 'Status / receipts',
      'outbox.sms': 'SMS',
      'outbox.email': 'Email',
      'outbox.bounce': 'Bounce',
      'outbox.letter': 'EMS letter',
      'outbox.segments': '{n} billed segment(s)',
      'outbox.from': 'From: {from}',
      'outbox.noSubject': '(no subject)',
      'outbox.inMailbox': 'in mailbox {mailbox}',
      'outbox.open': 'Read',
      'outbox.close': 'Hide',
      'outbox.pdf': 'View PDF',
      'outbox.reference': 'Reference {reference}',
      'outbox.empty': 'Nothing has been sent yet. Log a hotline call or submit a web complaint to try.',
      'outbox.refresh': 'Refresh',
      'outbox.smsStatus.queued': 'queued',
      'outbox.smsStatus.accepted': 'accepted',
      'outbox.smsStatus.sent': 'sent',
      'outbox.smsStatus.delivered': 'delivered',
      'outbox.smsStatus.undelivered': 'undelivered',
      'outbox.smsStatus.failed': 'failed',
      'outbox.letterStatus.generated': 'made, to be posted',
      'outbox.letterStatus.manifested': 'in a manifest',
      'outbox.letterStatus.posted': 'posted',
      'outbox.letterStatus.accepted': 'accepted by the post office',
      'outbox.letterStatus.in_transit': 'in transit',
      'outbox.letterStatus.out_for_delivery': 'out for delivery',
      'outbox.letterStatus.undelivered': 'delivery attempt failed',
      'outbox.letterStatus.signed_for': 'signed for',
      'outbox.letterStatus.returned': 'returned',
      'outbox.testMail': 'Send a test email to customer service',
      'outbox.testMailIntro':
        'The mail goes through the local mail system to the customer-service mailbox {address}; within seconds it becomes a case and the acknowledgement comes back to the sender’s local mailbox.',
      'outbox.testFrom': 'Sender’s email',
      'outbox.testSubject': 'Subject',
      'outbox.testText': 'Text',
      'outbox.testSubjectDefault': '3栋楼道灯坏了',
      'outbox.testTextDefault': '您好，3栋2单元楼道的灯坏了一个星期了，晚上很黑，请尽快安排维修。',
      'outbox.send': 'Send',
      'outbox.sent': 'Test email sent: refresh in a moment to see the case and the acknowledgement.',
      'outbox.magic': 'Magic numbers (simulated failures)',
      'outbox.magicIntro': 'SMS to these numbers fail as described; every other number is delivered.',
      'outbox.forbiddenLetters': 'Your role cannot see letters.',
    },
  },
  async render(main, ctx) {
    ctx.setTitle(t('nav.outbox'));
    // Letters are for the staff who post them (the notifier's roles); an operator sees SMS and mail only.
    const letters =
      ctx.session.staff.role === 'operator' ? Promise.resolve(null) : api('letters', { query: { pageSize: 100 } });
    const [outbox, letterList] = await Promise.all([api('local-outbox', { query: { limit: 200 } }), letters]);
    /** @type {Entry[]} */
    const entries = [
      ...outbox.sms.map((/** @type {Sms} */ m) => ({ kind: 'sms', at: m.createdAt, key: m.sid, item: m })),
      ...outbox.mail.map((/** @type {Mail} */ m) => ({ kind: 'email', at: m.date, key: m.id, item: m })),
      ...(letterList?.items ?? []).map((/** @type {Letter} */ l) => ({
        kind: 'letter',
        at: l.createdAt,
        key: l.id,
        item: l,
      })),
    ];
    entries.sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));
    mount(
      main,
      html`<div class="ob-page"><h1>${t('nav.outbox')}</h1>
        <p class="muted">${t('outbox.intro')}</p>
        <p class="actions"><button type="button" class="secondary" id="ob-refresh">${t('outbox.refresh')}</button></p>
        ${letterList === null ? html`<p class="muted">${t('outbox.forbiddenLetters')}</p>` : ''}
        ${
          entries.length === 0
            ? html`<p class="notice">${t('outbox.empty')}</p>`
            : html`<table class="ob-list">
              <thead><tr><th scope="col">${t('outbox.when')}</th><th scope="col">${t('outbox.kind')}</th><th scope="col">${t('outbox.to')}</th>
                <th scope="col">${t('outbox.content')}</th><th scope="col">${t('outbox.state')}</th><th scope="col"></th></tr></thead>
              <tbody>${entries.map(entryRow)}</tbody></table>`
        }
        ${
          outbox.csAddress
            ? html`<section class="card" aria-labelledby="ob-test-title"><h2 id="ob-test-title">${t('outbox.testMail')}</h2>
              <p class="muted">${t('outbox.testMailIntro', { address: outbox.csAddress })}</p>
              <form id="ob-test" novalidate>
                <div class="field"><label for="ob-from">${t('outbox.testFrom')}</label>
                  <input id="ob-from" name="from" type="email" required value="${outbox.testSender ?? ''}"></div>
                <div class="field"><label for="ob-subject">${t('outbox.testSubject')}</label>
                  <input id="ob-subject" name="subject" required maxlength="200" value="${t('outbox.testSubjectDefault')}"></div>
                <div class="field"><label for="ob-text">${t('outbox.testText')}</label>
                  <textarea id="ob-text" name="text" rows="4" required maxlength="20000">${t('outbox.testTextDefault')}</textarea></div>
                <div id="ob-test-result" role="status"></div>
                <button type="submit">${t('outbox.send')}</button>
              </form></section>`
            : ''
        }
        <details class="card"><summary>${t('outbox.magic')}</summary><p class="muted">${t('outbox.magicIntro')}</p>
          <table><tbody>${outbox.magicNumbers.map(
            (/** @type {{ number: string, effect: { zh: string, en: string } }} */ m) =>
              html`<tr><th scope="row">${m.number}</th><td>${m.effect[getLang()]}</td></tr>`,
          )}</tbody></table></details>
      </div>`,
    );
    const root = $('.ob-page', main);
    $('#ob-refresh', root).addEventListener('click', () => void this.render(main, ctx));

    on(root, 'click', '[data-open]', (button) => {
      const id = button.dataset.open ?? '';
      const body = $(`[data-body="${CSS.escape(id)}"]`, root);
      if (!body.hidden) {
        body.hidden = true;
        button.textContent = t('outbox.open');
        button.setAttribute('aria-expanded', 'false');
        return;
      }
      api(`local-outbox/mail/${encodeURIComponent(id)}`).then(
        (/** @type {any} */ m) => {
          body.textContent = m.text ?? '';
          body.hidden = false;
          button.textContent = t('outbox.close');
          button.setAttribute('aria-expanded', 'true');
        },
        (err) => flash(err instanceof Error ? err.message : String(err)),
      );
    });

    on(root, 'click', '[data-pdf]', (button) => {
      void apiObjectUrl(`/api/v1/letters/${button.dataset.pdf ?? ''}/pdf`).then(
        (url) => {
          window.open(url, '_blank', 'noopener');
          setTimeout(() => URL.revokeObjectURL(url), 60_000);
        },
        (err) => flash(err instanceof Error ? err.message : String(err)),
      );
    });

    const form = /** @type {HTMLFormElement | null} */ (root.querySelector('#ob-test'));
    form?.addEventListener('submit', (e) => {
      e.preventDefault();
      const data = new FormData(form);
      const result = $('#ob-test-result', root);
      api('local-outbox/test-mail', {
        method: 'POST',
        body: { from: data.get('from'), subject: data.get('subject'), text: data.get('text') },
      }).then(
        () => mount(result, html`<p class="success">${t('outbox.sent')}</p>`),
        (err) => mount(result, errorBox(err)),
      );
    });
  },
};
