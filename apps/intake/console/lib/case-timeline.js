// @ts-check
// The case detail's timeline: events, messages (intake records with their attachments), calls,
// notifications with their receipts and reminders with their acknowledgements, merged by time.
import { claimStepText } from './case-claim.js';
import { warrantyChange } from './case-warranty.js';
import { html } from './html.js';
import { label, register, t } from './i18n.js';
import { dateTime } from './format.js';
import {
  actorName,
  intakeReasonView,
  outcomeName,
  notificationProblem,
  rawKey,
  receiptProblem,
  reminderReason,
  sourceName,
  stepName,
} from './terms.js';

/**
 * @typedef {{ at: string, order: number, kind: string, body: import('./html.js').SafeHtml }} TimelineItem
 */

/** Bytes for people: 12.3 KB. @param {number | null | undefined} n */
export function fileSize(n) {
  if (n === null || n === undefined) return '—';
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/** Whether the console shows this attachment inline: images as thumbnails, PDFs in a frame. @param {any} a */
export const isImage = (a) => /^image\/(png|jpe?g|gif|webp|bmp)$/i.test(a.contentType ?? '');
/** @param {any} a */
export const isPdf = (a) => /^application\/pdf$/i.test(a.contentType ?? '');

/** A translated label with a fallback to the raw value. @param {string} prefix @param {string | null | undefined} value */
function named(prefix, value) {
  if (value === null || value === undefined || value === '') return '—';
  const key = `case-detail.${prefix}.${value}`;
  const text = t(key);
  return text === key ? value : text;
}

/** One attachment: thumbnail placeholder (filled once its bytes are fetched), PDF viewer button, download. @param {any} a */
export function attachmentView(a) {
  return html`<li class="case-attachment" data-attachment="${a.id}">
    ${isImage(a) ? html`<img class="case-thumb" alt="${a.filename}" data-thumb="${a.id}" width="160" height="120">` : ''}
    <span class="case-file"><strong>${a.filename}</strong>
      <span class="muted">${named('role', a.role)} · ${a.contentType} · ${fileSize(a.size)}${a.pageCount ? html` · ${t('case-detail.pages', { n: a.pageCount })}` : ''}</span></span>
    <span class="actions">
      ${isPdf(a) ? html`<button type="button" class="secondary" data-view-pdf="${a.id}" data-filename="${a.filename}">${t('case-detail.viewPdf')}</button>` : ''}
      <button type="button" class="secondary" data-download="${a.id}" data-filename="${a.filename}">${t('case-detail.download')}</button>
    </span>
  </li>`;
}

/** Escalation levels 0–3 of the default chain, translated (events store a number and the level's name, toLabel). */
const levelKeys = ['staff', 'dept_manager', 'vice_gm', 'gm'];
/** The default chain's names (escalation_levels as seeded): a label that differs is the company's own, shown as is. */
const defaultLevelLabels = ['客服人员', '部门经理', '主管副总', '总经理'];
/**
 * The escalate dialog's hint: the company's own chain by name when it is not the default one, else null.
 * @param {Array<{ level: number, name: string }> | undefined} chain @param {number} level the level it goes to
 */
export const customChainHint = (chain, level) =>
  chain && (chain.length !== 3 || chain.some((l, i) => l.name !== defaultLevelLabels[i + 1]))
    ? t('case-detail.escalateHintChain', {
        level,
        name: chain.find((l) => l.level === level)?.name ?? '—',
        chain: chain.map((l) => l.name).join(' → '),
      })
    : null;
/**
 * A level's name: the company's own name from its escalation chain (e.g. 市场部经理), else the default level translated.
 * @param {number} level @param {string | null | undefined} [label]
 */
export const levelName = (level, label) =>
  label && label !== defaultLevelLabels[level]
    ? label
    : levelKeys[level]
      ? t(`case-detail.level.${levelKeys[level]}`)
      : (label ?? null);

register({
  zh: {
    'case-detail.event.routed': '自动分派',
    'case-detail.field.routedVia': '依据',
    'case-detail.field.routedPerson': '负责人来自',
    'routed.via.named_staff': '被投诉员工的上级',
    'routed.via.rule': '职责规则（{where}）',
    'routed.via.customer_service': '没有对应规则，交客户服务部',
    'routed.rule.estate': '本楼盘',
    'routed.rule.any': '所有楼盘',
    'routed.person.superior': '被投诉员工的上级',
    'routed.person.roster': '{day} 值班表',
    'routed.person.manager': '部门经理（当天无人值班）',
  },
  en: {
    'case-detail.event.routed': 'Routed',
    'case-detail.field.routedVia': 'By',
    'case-detail.field.routedPerson': 'Person from',
    'routed.via.named_staff': "the named staff member's superior",
    'routed.via.rule': 'responsibility rule ({where})',
    'routed.via.customer_service': 'no rule: customer service',
    'routed.rule.estate': 'this estate',
    'routed.rule.any': 'any estate',
    'routed.person.superior': "the named staff member's superior",
    'routed.person.roster': 'duty roster of {day}',
    'routed.person.manager': 'department manager (nobody on duty)',
  },
});

/** How intake routed a new case (routedEventDetailsSql): the rule or fallback, and where the person came from. @param {Record<string, any>} d */
function routedDetails(d) {
  const via =
    d.via === 'rule'
      ? t('routed.via.rule', { where: t(d.rule?.estateSpecific ? 'routed.rule.estate' : 'routed.rule.any') })
      : t(`routed.via.${d.via}`);
  return { via, person: d.person ? t(`routed.person.${d.person}`, { day: d.dutyDay ?? '' }) : null };
}

/** @param {string} kind @param {Record<string, any>} d @param {Record<string, string>} names */
function eventDetails(kind, d, names) {
  /** A reclassified field and its values in words (`类型: 投诉 → 报修`). @param {string} k */
  const change = (k) => `${t(`rule.field.${k}`)}: ${label(k, d.before[k])} → ${label(k, d.after[k])}`;
  /** @type {Array<import('./html.js').SafeHtml>} */
  const parts = [];
  /** @param {string} key @param {unknown} value */
  const line = (key, value) => {
    if (value === null || value === undefined || value === '') return;
    const text = typeof value === 'string' || typeof value === 'number' ? String(value) : JSON.stringify(value);
    parts.push(
      html`<div><span class="muted">${t(`case-detail.field.${key}`)}${t('terms.colon')}</span><span class="pre">${text}</span></div>`,
    );
  };
  if (d.fromStatus && d.toStatus)
    parts.push(html`<div>${label('status', d.fromStatus)} → <strong>${label('status', d.toStatus)}</strong></div>`);
  if (kind.startsWith('claim_')) {
    parts.push(html`<div class="pre">${claimStepText(kind.slice('claim_'.length), d)}</div>`);
    return parts;
  }
  if (d.departmentId) line('department', names[d.departmentId] ?? d.departmentId);
  if (d.assigneeId) line('assignee', names[d.assigneeId] ?? d.assigneeId);
  if (kind === 'routed') {
    const r = routedDetails(d);
    line('routedVia', r.via);
    line('routedPerson', r.person);
    return parts;
  }
  if (kind === 'warranty_overridden') parts.push(html`<div>${warrantyChange(d)}</div>`);
  if (d.via) line('via', named('via', d.via));
  line('content', d.content);
  line('caption', d.caption);
  if (d.formKind) line('formKind', named('formKind', d.formKind));
  if (d.signedAt) line('signedAt', dateTime(d.signedAt));
  line('result', d.result);
  line('analysis', d.analysis);
  line('plan', d.plan);
  if (d.surveyedAt) line('surveyedAt', dateTime(d.surveyedAt));
  line('findings', d.findings);
  if (d.agreedAt) line('agreedAt', dateTime(d.agreedAt));
  if (kind === 'handed_over') {
    line('receivedAt', dateTime(d.receivedAt));
    line('ownResponsibility', t(d.ownResponsibility ? 'case-detail.ownYes' : 'case-detail.ownNo'));
    if (d.handledAt) line('handledAt', dateTime(d.handledAt));
  }
  if (typeof d.satisfied === 'boolean')
    line('satisfied', d.satisfied ? t('case-detail.satisfied') : t('case-detail.unsatisfied'));
  line('comments', d.comments);
  line('openProblems', d.openProblems);
  if (d.to !== undefined && typeof d.to === 'string') line('newDate', dateTime(d.to));
  if (typeof d.to === 'number') line('level', levelName(d.to, d.toLabel) ?? String(d.to));
  line('reason', reminderReason(d.reason));
  line('note', d.note);
  if (d.before && d.after) line('changes', Object.keys(d.after).map(change).join('; '));
  if (d.of) line('duplicateOf', d.of);
  line('subject', d.subject);
  line('text', d.text);
  return parts;
}

/** A receipt's detail: a failure in words with the provider's text for support, anything else as it is. @param {string | null} details */
function receiptDetails(details) {
  if (!details) return '';
  const problem = receiptProblem(details);
  return problem ? html` — ${problem} ${rawKey(details)}` : html` — ${details}`;
}

/** @param {any} n */
function notificationView(n) {
  const letter = n.letter;
  return html`<div><strong>${named('notification', n.kind)}</strong> · ${named('channel', n.channel)} → ${n.recipient?.name ?? named('recipient', n.recipient?.type)}
      ${n.recipient?.address ? html`<span class="muted">(${n.recipient.address})</span>` : ''}
      <span class="badge case-n-${n.status}">${named('nstatus', n.status)}</span></div>
    <div class="muted">${t('case-detail.sentAt')} ${dateTime(n.sentAt)}${n.deliveredAt ? html` · ${t('case-detail.deliveredAt')} ${dateTime(n.deliveredAt)}` : ''}${n.providerId ? html` · ${t('case-detail.providerId')} ${n.providerId}` : ''}${n.fallbackOfId ? html` · ${t('case-detail.fallback')}` : ''}</div>
    ${n.errorCode || n.errorMessage ? html`<div class="case-n-error">${notificationProblem(n.errorCode, n.errorMessage)} ${rawKey([n.errorCode, n.errorMessage].filter(Boolean).join(': '))}</div>` : ''}
    ${letter ? html`<div>${t('case-detail.letter')} ${letter.reference}${letter.waybill ? html` · EMS ${letter.waybill}` : ''} · ${named('nstatus', letter.status)}${letter.signedAt ? html` · <strong>${t('case-detail.signedFor', { who: letter.signer ?? '—', at: dateTime(letter.signedAt) })}</strong>` : ''}</div>` : ''}
    ${
      n.receipts.length > 0
        ? html`<ul class="case-receipts" aria-label="${t('case-detail.receipts')}">${n.receipts.map(
            (/** @type {any} */ r) =>
              html`<li><span class="badge case-n-${r.status}">${named('nstatus', r.status)}</span> ${dateTime(r.at)} <span class="muted" title="${r.source}">${sourceName(r.source)}${r.providerId ? ` · ${r.providerId}` : ''}</span>${receiptDetails(r.details)}</li>`,
          )}</ul>`
        : html`<div class="muted">${t('case-detail.noReceipts')}</div>`
    }`;
}

/** @param {any} r */
function reminderView(r) {
  return html`<div><strong>${r.kind === 'escalation' ? t('case-detail.reminderEscalation', { level: r.escalationLevel }) : t('case-detail.reminder')}</strong> · ${stepName(r.step)}
      · ${t('case-detail.due')} ${dateTime(r.dueAt)} → ${r.recipientName ?? '—'}</div>
    <div class="muted">${r.sentAt ? html`${t('case-detail.sentAt')} ${dateTime(r.sentAt)}` : r.cancelledAt ? t('case-detail.reminderCancelled') : html`${t('case-detail.planned')} ${dateTime(r.sendAt)}`}${r.reason ? ` · ${reminderReason(r.reason)}` : ''}</div>
    ${
      r.acknowledgedAt
        ? html`<div class="case-ack">✔ ${t('case-detail.acknowledged', { who: r.acknowledgedByName ?? '—', at: dateTime(r.acknowledgedAt) })}${r.acknowledgedVia ? html` <span class="muted">(${named('ackVia', r.acknowledgedVia)})</span>` : ''}</div>`
        : r.escalatedAt
          ? html`<div class="case-unack">${t('case-detail.escalatedUnacked', { at: dateTime(r.escalatedAt) })}</div>`
          : r.sentAt && !r.cancelledAt
            ? html`<div class="case-unack">${t('case-detail.unacknowledged')}</div>`
            : ''
    }`;
}

/**
 * Everything that happened to the case, oldest first.
 * @param {any} d the detail answer
 * @returns {TimelineItem[]}
 */
export function timelineItems(d) {
  /** @type {TimelineItem[]} */
  const items = [];
  let order = 0;
  /** @param {string} at @param {string} kind @param {import('./html.js').SafeHtml} body */
  const add = (at, kind, body) => items.push({ at, order: order++, kind, body });
  const names = d.names ?? {};

  for (const e of d.events) {
    add(
      e.at,
      'event',
      html`<div><strong>${e.kind.startsWith('claim_') ? t(`claim.step.${e.kind.slice('claim_'.length)}`) : named('event', e.kind)}</strong> · <span class="case-actor" title="${e.actor}">${actorName(e.actor, e.actorId)}</span></div>${eventDetails(e.kind, e.details ?? {}, names)}`,
    );
  }
  /** @type {Map<string, any[]>} */
  const byRecord = new Map();
  for (const a of d.attachments) {
    if (a.intakeRecordId && d.intakeRecords.some((/** @type {any} */ r) => r.id === a.intakeRecordId))
      byRecord.set(a.intakeRecordId, [...(byRecord.get(a.intakeRecordId) ?? []), a]);
    else
      add(
        a.createdAt,
        'attachment',
        html`<div><strong>${t('case-detail.attachment')}</strong></div><ul class="case-attachments">${attachmentView(a)}</ul>`,
      );
  }
  for (const r of d.intakeRecords) {
    const files = byRecord.get(r.id) ?? [];
    add(
      r.receivedAt,
      'message',
      html`<div><strong>${t('case-detail.message')}</strong> · ${label('channel', r.channel)} <span class="muted" title="${r.source}">${sourceName(r.source)}</span> · ${outcomeName(r.outcome)}</div>
        ${r.outcomeReason ? html`<div class="muted">${intakeReasonView(r.outcomeReason)}</div>` : ''}
        ${files.length > 0 ? html`<ul class="case-attachments">${files.map(attachmentView)}</ul>` : ''}`,
    );
  }
  for (const c of d.calls) {
    add(
      c.startedAt,
      'call',
      html`<div><strong>${c.missed ? t('case-detail.callMissed') : c.voicemail ? t('case-detail.voicemail') : t('case-detail.call')}</strong> · ${t('case-detail.duration', { s: c.durationSeconds })}</div>
        <div class="muted">${t('case-detail.recording')}${t('terms.colon')}${c.recordingRef ?? '—'}${c.recordingKeepUntil ? ` (${t('case-detail.keepUntil')} ${String(c.recordingKeepUntil)})` : ''}</div>`,
    );
  }
  for (const n of d.notifications ?? []) add(n.createdAt, 'notification', notificationView(n));
  for (const r of d.reminders ?? []) add(r.sentAt ?? r.sendAt, 'reminder', reminderView(r));
  return items.sort((a, b) => new Date(a.at).getTime() - new Date(b.at).getTime() || a.order - b.order);
}

/** @param {TimelineItem[]} items */
export function timelineView(items) {
  if (items.length === 0) return html`<p class="muted">${t('app.none')}</p>`;
  return html`<ol class="timeline case-timeline">${items.map(
    (i) =>
      html`<li class="case-tl-${i.kind}"><div class="muted"><time datetime="${i.at}">${dateTime(i.at)}</time> · ${t(`case-detail.kind.${i.kind}`)}</div>${i.body}</li>`,
  )}</ol>`;
}
