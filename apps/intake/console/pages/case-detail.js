// @ts-check
import { api, apiObjectUrl } from '../lib/api.js';
import { runTransition } from '../lib/case-actions.js';
import { claimView, runClaimStep } from '../lib/case-claim.js';
import { levelName, timelineItems, timelineView } from '../lib/case-timeline.js';
import { warrantyFacts, withWarrantyCatalogue } from '../lib/case-warranty.js';
import { $, $$, on } from '../lib/dom.js';
import { dateTime, countdown } from '../lib/format.js';
import { html, mount } from '../lib/html.js';
import { label, t } from '../lib/i18n.js';
import { classifierRule, rawKey, slaRuleName } from '../lib/terms.js';
import { dueBadge, errorBox, flash } from '../lib/ui.js';

/** Object URLs of the page on screen (thumbnails, PDFs); revoked when the page is drawn again. @type {string[]} */
let objectUrls = [];
const releaseUrls = () => {
  for (const u of objectUrls) URL.revokeObjectURL(u);
  objectUrls = [];
};

/** @param {string} path */
async function objectUrl(path) {
  const url = await apiObjectUrl(path);
  objectUrls.push(url);
  return url;
}

/** The keyword rules that fired and any override, in words, with the stored keys for support. @param {string[]} keys */
const rules = (keys) =>
  keys.length === 0
    ? '—'
    : html`<ul class="case-rules">${keys.map((k) => html`<li title="${k}">${classifierRule(k)}</li>`)}</ul>${rawKey(keys)}`;

/** @param {any} c */
function facts(c) {
  const due =
    c.promisedReplyAt && ['new', 'accepted', 'assigned'].includes(c.status)
      ? dueBadge(countdown(c.promisedReplyAt))
      : '';
  /** @type {Array<[string, import('../lib/html.js').HtmlValue]>} */
  const rows = [
    ['status', html`<span class="badge case-status-${c.status}">${label('status', c.status)}</span>`],
    ['type', label('type', c.type)],
    ['category', label('category', c.category)],
    [
      'severity',
      html`<span class="badge ${c.severity === 'major' ? 'major' : ''}">${label('severity', c.severity)}</span>`,
    ],
    ['channel', label('channel', c.channel)],
    ['estate', c.projectName ? `${c.projectName}（${c.projectCode}）` : (c.projectCode ?? '—')],
    ['unit', c.unitLabel ?? '—'],
    ['owner', c.ownerName ?? '—'],
    ['reporter', c.reporterName ?? '—'],
    [
      'contact',
      c.contactsHidden
        ? html`${c.reporterContact ?? '—'} <span class="muted" data-testid="contacts-hidden">${t('case-detail.contactsHidden')}</span>`
        : (c.reporterContact ?? '—'),
    ],
    ['received', dateTime(c.receivedAt)],
    [
      'promised',
      html`${dateTime(c.promisedReplyAt)} ${due}${c.replyDateMoves > 0 ? html` <span class="muted">(${t('case-detail.moved', { n: c.replyDateMoves })})</span>` : ''}${c.promisedReplyRule ? html`<div class="muted case-sla-rule">${t('sla.basis', { rule: slaRuleName(c.promisedReplyRule) })} ${rawKey(c.promisedReplyRule)}</div>` : ''}`,
    ],
    ['assignee', [c.departmentName, c.assigneeName].filter(Boolean).join(' · ') || '—'],
    ['escalation', levelName(c.escalationLevel, c.escalationLevelName) ?? t('case-detail.level.staff')],
    ...warrantyFacts(c.warranty),
    ['rules', rules(c.classificationRules ?? [])],
  ];
  return html`<dl class="facts case-facts">${rows.map(([k, v]) => html`<dt>${t(`case-detail.fact.${k}`)}</dt><dd data-fact="${k}">${v}</dd>`)}</dl>`;
}

/** Roles the API lets move a case (cases.controller.ts `handlers`; admin passes every check). */
const handlerRoles = ['cs_rep', 'dept_manager', 'vice_gm', 'gm', 'admin'];

/** Records outside the status workflow; a repair's warranty standing while the case is open. @param {any} c */
const records = (c) =>
  c.type === 'repair' && !['closed', 'rejected'].includes(c.status)
    ? ['addEvidence', 'signedForm', 'correctWarranty']
    : ['addEvidence', 'signedForm'];

/** @param {any} d @param {boolean} mayAct @param {any} claim a claim's report (or why it failed); null for other cases @param {string} role */
function view(d, mayAct, claim, role) {
  const c = d.case;
  return html`<div class="case-page"><p><a href="#/cases">← ${t('case-detail.back.queue')}</a>${
    role === 'operator' ? '' : html` · <a href="#/case-library/write/${c.id}">${t('case-detail.writeup')}</a>`
  }</p>
    <h1 tabindex="-1" id="case-title">${t('case-detail.title')} ${c.number}</h1>
    <section class="card" aria-labelledby="case-actions-h">
      <h2 id="case-actions-h" class="case-h">${t('case-detail.actions')}</h2>
      ${
        !mayAct
          ? html`<p class="muted">${t('case-detail.viewOnly')}</p>`
          : d.availableTransitions.length > 0
            ? html`<div class="actions case-transitions">${d.availableTransitions.map(
                (/** @type {any} */ tr) =>
                  html`<button type="button" class="${['reject', 'close', 'escalate', 'coordinate'].includes(tr.name) ? 'secondary case-danger' : ''}" data-transition="${tr.name}">${t(`case-detail.tr.${tr.name}`)}</button>`,
              )}</div>`
            : html`<p class="muted">${t('case-detail.noActions')}</p>`
      }
      ${
        mayAct
          ? html`<div class="actions case-records">${records(c).map(
              (name) =>
                html`<button type="button" class="secondary" data-transition="${name}">${t(`case-detail.tr.${name}`)}</button>`,
            )}</div>`
          : ''
      }
    </section>
    ${claim ? claimView(claim, { status: c.status, mayAct, role }) : ''}
    <div class="case-columns">
      <section class="card" aria-labelledby="case-facts-h"><h2 id="case-facts-h" class="case-h">${t('case-detail.facts')}</h2>${facts(c)}</section>
      <section class="card" aria-labelledby="case-desc-h"><h2 id="case-desc-h" class="case-h">${t('case-detail.description')}</h2>
        <p class="pre">${c.description}</p>
        ${
          d.possibleDuplicates.length > 0
            ? html`<h3>${t('case-detail.duplicates')}</h3><ul>${d.possibleDuplicates.map(
                (/** @type {any} */ p) =>
                  html`<li><a href="#/cases/${p.caseId}">${p.number}</a> <span class="muted">(${t(`case-detail.dup.${p.direction}`)}, ${Math.round(Number(p.score) * 100)}%)</span></li>`,
              )}</ul>`
            : ''
        }
        ${
          d.calls.length > 0
            ? html`<h3>${t('case-detail.calls')}</h3><ul>${d.calls.map(
                (/** @type {any} */ call) =>
                  html`<li>${dateTime(call.startedAt)} · ${t('case-detail.duration', { s: call.durationSeconds })} · ${t('case-detail.recording')}${t('terms.colon')}${call.recordingRef ?? '—'}</li>`,
              )}</ul>`
            : ''
        }
      </section>
    </div>
    <section aria-labelledby="case-tl-h"><h2 id="case-tl-h">${t('case-detail.timeline')}</h2>${timelineView(timelineItems(d))}</section>
    <section class="card case-pdf" id="case-pdf" hidden aria-labelledby="case-pdf-h">
      <h2 id="case-pdf-h" class="case-h"></h2>
      <iframe id="case-pdf-frame" title="${t('case-detail.pdfViewer')}"></iframe>
      <div class="actions"><button type="button" class="secondary" id="case-pdf-close">${t('case-detail.closePdf')}</button></div>
    </section>
    <dialog id="case-dialog" class="case-dialog"></dialog></div>`;
}

/** Fetches each image attachment and shows it as a thumbnail (bytes need the staff token, so no plain src). @param {HTMLElement} main @param {string} caseId */
function loadThumbnails(main, caseId) {
  for (const img of $$('img[data-thumb]', main)) {
    const id = img.dataset.thumb ?? '';
    objectUrl(`cases/${caseId}/attachments/${id}`)
      .then((url) => img.setAttribute('src', url))
      .catch(() => img.replaceWith(document.createTextNode(t('case-detail.thumbFailed'))));
  }
}

/** @type {import('../lib/types').Page} */
export default {
  path: '/cases/:id',
  messages: {
    zh: {
      'case-detail.title': '案件',
      'case-detail.back.queue': '返回案件队列',
      'case-detail.writeup': '写成典型案例',
      'case-detail.actions': '可执行的操作',
      'case-detail.noActions': '此案件当前没有可执行的操作。',
      'case-detail.viewOnly': '您的角色只能查看案件，不能办理。',
      'case-detail.facts': '基本信息',
      'case-detail.description': '诉求内容',
      'case-detail.duplicates': '可能重复的案件',
      'case-detail.dup.earlier': '较早',
      'case-detail.dup.later': '较晚',
      'case-detail.calls': '来电',
      'case-detail.timeline': '处理经过',
      'case-detail.fact.status': '状态',
      'case-detail.fact.type': '类型',
      'case-detail.fact.category': '类别',
      'case-detail.fact.severity': '严重程度',
      'case-detail.fact.channel': '来源渠道',
      'case-detail.fact.estate': '楼盘',
      'case-detail.fact.unit': '房号',
      'case-detail.fact.owner': '业主',
      'case-detail.fact.reporter': '反映人',
      'case-detail.fact.contact': '联系方式',
      'case-detail.fact.received': '登记时间',
      'case-detail.fact.promised': '承诺答复时间',
      'case-detail.fact.assignee': '处理部门 / 负责人',
      'case-detail.fact.escalation': '升级层级',
      'case-detail.fact.rules': '分类规则',
      'case-detail.moved': '已变更 {n} 次',
      'case-detail.contactsHidden': '（话务员只能查看近 30 天电话案件的联系方式和附件）',
      'case-detail.level.staff': '经办人',
      'case-detail.level.dept_manager': '部门经理',
      'case-detail.level.vice_gm': '副总经理',
      'case-detail.level.gm': '总经理',
      'case-detail.kind.event': '操作',
      'case-detail.kind.message': '来信 / 来件',
      'case-detail.kind.attachment': '附件',
      'case-detail.kind.call': '来电',
      'case-detail.kind.notification': '通知',
      'case-detail.kind.reminder': '催办提醒',
      'case-detail.event.created': '登记',
      'case-detail.event.possible_duplicate': '发现可能重复',
      'case-detail.event.message_received': '收到客户来信',
      'case-detail.event.accept': '受理',
      'case-detail.event.reject': '判为无效',
      'case-detail.event.assign': '分派',
      'case-detail.event.reply': '答复客户',
      'case-detail.event.reply_date_moved': '变更答复日期',
      'case-detail.event.escalated': '升级',
      'case-detail.event.handling_plan': '处理方案',
      'case-detail.event.handed_over': '部门受理移交',
      'case-detail.event.site_survey': '现场查勘',
      'case-detail.event.survey_appointment': '约定查勘时间',
      'case-detail.event.resolve': '记录处理结果',
      'case-detail.event.return_visit': '回访',
      'case-detail.event.close': '结案',
      'case-detail.event.reclassified': '修改分类',
      'case-detail.event.evidence_added': '添加证据',
      'case-detail.event.signed_form': '客户签字表单',
      'case-detail.field.caption': '证据说明',
      'case-detail.field.formKind': '表单',
      'case-detail.field.signedAt': '签字时间',
      'case-detail.formKind.reply': '当面答复（客户签字）',
      'case-detail.formKind.evaluation': '客户评价（客户签字）',
      'case-detail.formKind.repair_signoff': '维修验收（客户签字）',
      'case-detail.field.department': '部门',
      'case-detail.field.assignee': '负责人',
      'case-detail.field.via': '答复方式',
      'case-detail.field.content': '答复内容',
      'case-detail.field.result': '处理结果',
      'case-detail.field.analysis': '原因分析',
      'case-detail.field.plan': '处理方案',
      'case-detail.field.surveyedAt': '查勘时间',
      'case-detail.field.findings': '查勘情况',
      'case-detail.field.agreedAt': '约定查勘时间',
      'case-detail.field.receivedAt': '客户投诉时间',
      'case-detail.field.ownResponsibility': '本部门责任',
      'case-detail.field.handledAt': '处理完成时间',
      'case-detail.ownYes': '是（本部门处理）',
      'case-detail.ownNo': '否（移交客户服务部）',
      'case-detail.field.satisfied': '客户是否满意',
      'case-detail.field.comments': '客户意见',
      'case-detail.field.openProblems': '遗留问题',
      'case-detail.field.newDate': '新的答复时间（北京时间）',
      'case-detail.field.customerAgreed': '客户已同意变更答复日期',
      'case-detail.field.level': '升级至',
      'case-detail.field.reason': '原因',
      'case-detail.field.rejectReason': '判为无效的理由',
      'case-detail.field.escalateReason': '升级原因',
      'case-detail.field.note': '备注',
      'case-detail.field.changes': '变更',
      'case-detail.field.duplicateOf': '可能重复于',
      'case-detail.field.subject': '主题',
      'case-detail.field.text': '内容',
      'case-detail.satisfied': '满意',
      'case-detail.unsatisfied': '不满意',
      'case-detail.unsatisfiedReopens': '不满意（案件重新处理）',
      'case-detail.via.phone': '电话',
      'case-detail.via.sms': '短信',
      'case-detail.via.email': '邮件',
      'case-detail.via.letter': '信函',
      'case-detail.via.in_person': '当面',
      'case-detail.message': '来件',
      'case-detail.attachment': '附件',
      'case-detail.pages': '{n} 页',
      'case-detail.viewPdf': '查看',
      'case-detail.download': '下载',
      'case-detail.pdfViewer': 'PDF 文件',
      'case-detail.closePdf': '关闭文件',
      'case-detail.thumbFailed': '图片无法加载',
      'case-detail.call': '来电',
      'case-detail.callMissed': '未接来电',
      'case-detail.voicemail': '语音留言',
      'case-detail.duration': '{s} 秒',
      'case-detail.recording': '录音',
      'case-detail.keepUntil': '保存至',
      'case-detail.role.fax_document': '传真文件',
      'case-detail.role.photo': '照片',
      'case-detail.role.slip_photo': '意见卡照片',
      'case-detail.role.attachment': '附件',
      'case-detail.role.inline': '正文图片',
      'case-detail.role.evidence_photo': '证据照片',
      'case-detail.role.evidence_recording': '证据录音',
      'case-detail.role.evidence_document': '证据文件',
      'case-detail.role.signed_form': '签字表单照片',
      'case-detail.notification.case_acknowledgement': '受理回执',
      'case-detail.notification.case_reply': '答复通知',
      'case-detail.notification.staff_reminder': '催办提醒',
      'case-detail.notification.escalation': '升级通知',
      'case-detail.notification.return_visit_request': '回访通知',
      'case-detail.notification.staff_digest': '待办汇总',
      'case-detail.notification.warranty_expiry': '保修到期通知',
      'case-detail.notification.certificate_collection': '领证通知',
      'case-detail.channel.sms': '短信',
      'case-detail.channel.email': '邮件',
      'case-detail.channel.letter': 'EMS 信函',
      'case-detail.recipient.owner': '业主',
      'case-detail.recipient.staff': '员工',
      'case-detail.recipient.case_reporter': '反映人',
      'case-detail.nstatus.pending': '待发送',
      'case-detail.nstatus.sending': '发送中',
      'case-detail.nstatus.sent': '已发送',
      'case-detail.nstatus.delivered': '已送达',
      'case-detail.nstatus.undelivered': '未送达',
      'case-detail.nstatus.failed': '发送失败',
      'case-detail.nstatus.bounced': '被退回',
      'case-detail.nstatus.returned': '信函退回',
      'case-detail.nstatus.signed_for': '已签收',
      'case-detail.nstatus.cancelled': '已取消',
      'case-detail.nstatus.delayed': '延迟',
      'case-detail.nstatus.retry': '重试',
      'case-detail.nstatus.generated': '已生成',
      'case-detail.nstatus.manifested': '已交寄清单',
      'case-detail.nstatus.posted': '已寄出',
      'case-detail.nstatus.accepted': '已收寄',
      'case-detail.nstatus.in_transit': '运输中',
      'case-detail.nstatus.out_for_delivery': '派送中',
      'case-detail.nstatus.queued': '排队中',
      'case-detail.nstatus.reconciled': '已核对',
      'case-detail.nstatus.unconfirmed': '待确认（服务商未应答，核对前不重发）',
      'case-detail.nstatus.complained': '被标为垃圾邮件',
      'case-detail.sentAt': '发送',
      'case-detail.deliveredAt': '送达',
      'case-detail.providerId': '回执号',
      'case-detail.fallback': '改用其他渠道补发',
      'case-detail.letter': '信函',
      'case-detail.signedFor': '{who} 于 {at} 签收',
      'case-detail.receipts': '回执',
      'case-detail.noReceipts': '尚无回执。',
      'case-detail.reminder': '催办提醒',
      'case-detail.reminderEscalation': '升级提醒（第 {level} 级）',
      'case-detail.reminderCancelled': '已取消',
      'case-detail.planned': '计划于',
      'case-detail.due': '期限',
      'case-detail.acknowledged': '{who} 已于 {at} 确认',
      'case-detail.unacknowledged': '尚未确认',
      'case-detail.escalatedUnacked': '未确认，已于 {at} 升级',
      'case-detail.ackVia.link': '短信/邮件链接',
      'case-detail.ackVia.console': '控制台',
      'case-detail.ackVia.api': '接口',
      'case-detail.tr.accept': '受理',
      'case-detail.tr.reject': '判为无效',
      'case-detail.tr.assign': '分派',
      'case-detail.tr.reply': '答复客户',
      'case-detail.tr.moveReplyDate': '变更答复日期',
      'case-detail.tr.escalate': '升级',
      'case-detail.tr.coordinate': '多部门协调',
      'case-detail.tr.addEvidence': '添加证据',
      'case-detail.tr.signedForm': '上传客户签字表单',
      'case-detail.tr.handlingPlan': '填写处理方案',
      'case-detail.tr.siteSurvey': '登记现场查勘',
      'case-detail.tr.surveyAppointment': '约定查勘时间',
      'case-detail.tr.resolve': '记录处理结果',
      'case-detail.tr.returnVisit': '回访',
      'case-detail.tr.close': '结案',
      'case-detail.optional': '（选填）',
      'case-detail.assignHint': '请选择部门或负责人（至少一项）；只选负责人时，部门取其所属部门。',
      'case-detail.newDateHint': '须征得客户同意，最多变更两次（已变更 {n} 次）；第三次申请将直接升级至总经理。',
      'case-detail.escalateHint': '升级至第 {level} 级（经办人 → 部门经理 → 副总经理 → 总经理）。',
      'case-detail.escalateHintChain': '升级至第 {level} 级「{name}」（经办人 → {chain}）。',
      'case-detail.next': '下一步',
      'case-detail.back': '返回修改',
      'case-detail.cannotUndo': '此操作不可撤销。',
      'case-detail.confirmDo': '确定{action}',
      'case-detail.confirm.reject': '确定将案件 {number} 判为无效投诉吗？',
      'case-detail.confirm.close': '确定将案件 {number} 结案吗？',
      'case-detail.confirm.escalate': '确定将案件 {number} 升级吗？',
      'case-detail.confirm.coordinate': '确定将案件 {number} 直接交总经理协调吗？',
      'case-detail.done': '案件 {number}：已{action}。',
    },
    en: {
      'case-detail.title': 'Case',
      'case-detail.back.queue': 'Back to the case queue',
      'case-detail.writeup': 'Write up as a typical case',
      'case-detail.actions': 'What can be done',
      'case-detail.noActions': 'Nothing can be done with this case now.',
      'case-detail.viewOnly': 'Your role may view cases but not handle them.',
      'case-detail.facts': 'Facts',
      'case-detail.description': 'What the customer said',
      'case-detail.duplicates': 'Possible duplicates',
      'case-detail.dup.earlier': 'earlier',
      'case-detail.dup.later': 'later',
      'case-detail.calls': 'Calls',
      'case-detail.timeline': 'Timeline',
      'case-detail.fact.status': 'Status',
      'case-detail.fact.type': 'Type',
      'case-detail.fact.category': 'Category',
      'case-detail.fact.severity': 'Severity',
      'case-detail.fact.channel': 'Channel',
      'case-detail.fact.estate': 'Estate',
      'case-detail.fact.unit': 'Unit',
      'case-detail.fact.owner': 'Owner',
      'case-detail.fact.reporter': 'Reported by',
      'case-detail.fact.contact': 'Contact',
      'case-detail.fact.received': 'Received',
      'case-detail.fact.promised': 'Promised reply',
      'case-detail.fact.assignee': 'Department / assignee',
      'case-detail.fact.escalation': 'Escalation level',
      'case-detail.fact.rules': 'Classification rules',
      'case-detail.moved': 'moved {n} times',
      'case-detail.contactsHidden':
        '(operators see contact details and attachments of phone cases of the last 30 days only)',
      'case-detail.level.staff': 'Handler',
      'case-detail.level.dept_manager': 'Department manager',
      'case-detail.level.vice_gm': 'Vice GM',
      'case-detail.level.gm': 'General manager',
      'case-detail.kind.event': 'Action',
      'case-detail.kind.message': 'Message',
      'case-detail.kind.attachment': 'Attachment',
      'case-detail.kind.call': 'Call',
      'case-detail.kind.notification': 'Notification',
      'case-detail.kind.reminder': 'Reminder',
      'case-detail.event.created': 'Logged',
      'case-detail.event.possible_duplicate': 'Possible duplicate found',
      'case-detail.event.message_received': 'Message from the customer',
      'case-detail.event.accept': 'Accepted',
      'case-detail.event.reject': 'Rejected as invalid',
      'case-detail.event.assign': 'Assigned',
      'case-detail.event.reply': 'Replied to the customer',
      'case-detail.event.reply_date_moved': 'Reply date moved',
      'case-detail.event.escalated': 'Escalated',
      'case-detail.event.handling_plan': 'Handling plan',
      'case-detail.event.handed_over': 'Handed over by a department',
      'case-detail.event.site_survey': 'Site survey',
      'case-detail.event.survey_appointment': 'Survey time agreed',
      'case-detail.event.resolve': 'Result recorded',
      'case-detail.event.return_visit': 'Return visit',
      'case-detail.event.close': 'Closed',
      'case-detail.event.reclassified': 'Reclassified',
      'case-detail.event.evidence_added': 'Evidence added',
      'case-detail.event.signed_form': 'Form signed by the customer',
      'case-detail.field.caption': 'What it shows',
      'case-detail.field.formKind': 'Form',
      'case-detail.field.signedAt': 'Signed at',
      'case-detail.formKind.reply': 'Face-to-face reply (signed)',
      'case-detail.formKind.evaluation': 'Customer evaluation (signed)',
      'case-detail.formKind.repair_signoff': 'Repair sign-off (signed)',
      'case-detail.field.department': 'Department',
      'case-detail.field.assignee': 'Person',
      'case-detail.field.via': 'Replied by',
      'case-detail.field.content': 'Reply',
      'case-detail.field.result': 'Result',
      'case-detail.field.analysis': 'Analysis',
      'case-detail.field.plan': 'Plan',
      'case-detail.field.surveyedAt': 'Surveyed at',
      'case-detail.field.findings': 'Findings',
      'case-detail.field.agreedAt': 'Agreed survey time',
      'case-detail.field.receivedAt': 'Customer complained at',
      'case-detail.field.ownResponsibility': "The department's own",
      'case-detail.field.handledAt': 'Handled at',
      'case-detail.ownYes': 'Yes (handled by the department)',
      'case-detail.ownNo': 'No (handed to customer service)',
      'case-detail.field.satisfied': 'Was the customer satisfied?',
      'case-detail.field.comments': 'Customer comments',
      'case-detail.field.openProblems': 'Open problems',
      'case-detail.field.newDate': 'New reply date (Beijing time)',
      'case-detail.field.customerAgreed': 'The customer agreed to the new date',
      'case-detail.field.level': 'Escalated to',
      'case-detail.field.reason': 'Reason',
      'case-detail.field.rejectReason': 'Why the case is invalid',
      'case-detail.field.escalateReason': 'Why escalate',
      'case-detail.field.note': 'Note',
      'case-detail.field.changes': 'Changes',
      'case-detail.field.duplicateOf': 'Possible duplicate of',
      'case-detail.field.subject': 'Subject',
      'case-detail.field.text': 'Text',
      'case-detail.satisfied': 'Satisfied',
      'case-detail.unsatisfied': 'Unsatisfied',
      'case-detail.unsatisfiedReopens': 'Unsatisfied (the case is reopened)',
      'case-detail.via.phone': 'Phone',
      'case-detail.via.sms': 'SMS',
      'case-detail.via.email': 'Email',
      'case-detail.via.letter': 'Letter',
      'case-detail.via.in_person': 'In person',
      'case-detail.message': 'Message',
      'case-detail.attachment': 'Attachment',
      'case-detail.pages': '{n} pages',
      'case-detail.viewPdf': 'View',
      'case-detail.download': 'Download',
      'case-detail.pdfViewer': 'PDF document',
      'case-detail.closePdf': 'Close document',
      'case-detail.thumbFailed': 'The image could not be loaded',
      'case-detail.call': 'Call',
      'case-detail.callMissed': 'Missed call',
      'case-detail.voicemail': 'Voicemail',
      'case-detail.duration': '{s} s',
      'case-detail.recording': 'Recording',
      'case-detail.keepUntil': 'kept until',
      'case-detail.role.fax_document': 'Fax document',
      'case-detail.role.photo': 'Photo',
      'case-detail.role.slip_photo': 'Suggestion slip photo',
      'case-detail.role.attachment': 'Attachment',
      'case-detail.role.inline': 'Inline image',
      'case-detail.role.evidence_photo': 'Evidence photo',
      'case-detail.role.evidence_recording': 'Evidence recording',
      'case-detail.role.evidence_document': 'Evidence document',
      'case-detail.role.signed_form': 'Photo of a signed form',
      'case-detail.notification.case_acknowledgement': 'Acknowledgement',
      'case-detail.notification.case_reply': 'Reply',
      'case-detail.notification.staff_reminder': 'Staff reminder',
      'case-detail.notification.escalation': 'Escalation',
      'case-detail.notification.return_visit_request': 'Return visit',
      'case-detail.notification.staff_digest': 'Daily digest',
      'case-detail.notification.warranty_expiry': 'Warranty expiry notice',
      'case-detail.notification.certificate_collection': 'Certificate collection notice',
      'case-detail.channel.sms': 'SMS',
      'case-detail.channel.email': 'Email',
      'case-detail.channel.letter': 'EMS letter',
      'case-detail.recipient.owner': 'Owner',
      'case-detail.recipient.staff': 'Staff',
      'case-detail.recipient.case_reporter': 'Reporter',
      'case-detail.nstatus.pending': 'Pending',
      'case-detail.nstatus.sending': 'Sending',
      'case-detail.nstatus.sent': 'Sent',
      'case-detail.nstatus.delivered': 'Delivered',
      'case-detail.nstatus.undelivered': 'Undelivered',
      'case-detail.nstatus.failed': 'Failed',
      'case-detail.nstatus.bounced': 'Bounced',
      'case-detail.nstatus.returned': 'Returned',
      'case-detail.nstatus.signed_for': 'Signed for',
      'case-detail.nstatus.cancelled': 'Cancelled',
      'case-detail.nstatus.delayed': 'Delayed',
      'case-detail.nstatus.retry': 'Retry',
      'case-detail.nstatus.generated': 'Generated',
      'case-detail.nstatus.manifested': 'On a manifest',
      'case-detail.nstatus.posted': 'Posted',
      'case-detail.nstatus.accepted': 'Accepted by EMS',
      'case-detail.nstatus.in_transit': 'In transit',
      'case-detail.nstatus.out_for_delivery': 'Out for delivery',
      'case-detail.nstatus.queued': 'Queued',
      'case-detail.nstatus.reconciled': 'Reconciled',
      'case-detail.nstatus.unconfirmed': 'Unconfirmed (no answer from the provider; not resent until checked)',
      'case-detail.nstatus.complained': 'Marked as spam',
      'case-detail.sentAt': 'Sent',
      'case-detail.deliveredAt': 'delivered',
      'case-detail.providerId': 'provider id',
      'case-detail.fallback': 'fallback on another channel',
      'case-detail.letter': 'Letter',
      'case-detail.signedFor': 'signed for by {who} at {at}',
      'case-detail.receipts': 'Receipts',
      'case-detail.noReceipts': 'No receipts yet.',
      'case-detail.reminder': 'Reminder',
      'case-detail.reminderEscalation': 'Escalation reminder (level {level})',
      'case-detail.reminderCancelled': 'Cancelled',
      'case-detail.planned': 'Planned for',
      'case-detail.due': 'due',
      'case-detail.acknowledged': 'Acknowledged by {who} at {at}',
      'case-detail.unacknowledged': 'Not acknowledged yet',
      'case-detail.escalatedUnacked': 'Not acknowledged; escalated at {at}',
      'case-detail.ackVia.link': 'link in SMS/email',
      'case-detail.ackVia.console': 'console',
      'case-detail.ackVia.api': 'API',
      'case-detail.tr.accept': 'Accept',
      'case-detail.tr.reject': 'Reject as invalid',
      'case-detail.tr.assign': 'Assign',
      'case-detail.tr.reply': 'Reply to the customer',
      'case-detail.tr.moveReplyDate': 'Move the reply date',
      'case-detail.tr.escalate': 'Escalate',
      'case-detail.tr.coordinate': 'Several departments: to the GM',
      'case-detail.tr.addEvidence': 'Add evidence',
      'case-detail.tr.signedForm': 'Upload a signed form',
      'case-detail.tr.handlingPlan': 'Record handling plan',
      'case-detail.tr.siteSurvey': 'Record site survey',
      'case-detail.tr.surveyAppointment': 'Agree survey time',
      'case-detail.tr.resolve': 'Record the result',
      'case-detail.tr.returnVisit': 'Return visit',
      'case-detail.tr.close': 'Close',
      'case-detail.optional': '(optional)',
      'case-detail.assignHint': 'Choose a department, a person or both; a person alone brings their department.',
      'case-detail.newDateHint':
        "Only with the customer's agreement, at most twice (moved {n} times so far); a third request goes straight to the GM.",
      'case-detail.escalateHint': 'Escalates to level {level} (handler → department manager → vice GM → GM).',
      'case-detail.escalateHintChain': 'Escalates to level {level}, “{name}” (handler → {chain}).',
      'case-detail.next': 'Next',
      'case-detail.back': 'Go back',
      'case-detail.cannotUndo': 'This cannot be undone.',
      'case-detail.confirmDo': '{action}: confirm',
      'case-detail.confirm.reject': 'Reject case {number} as an invalid complaint?',
      'case-detail.confirm.close': 'Close case {number}?',
      'case-detail.confirm.escalate': 'Escalate case {number}?',
      'case-detail.confirm.coordinate': 'Hand case {number} straight to the GM to coordinate the departments?',
      'case-detail.done': 'Case {number}: {action} done.',
    },
  },
  async render(main, ctx) {
    const id = ctx.params.id ?? '';
    ctx.setTitle(t('case-detail.title'));

    /** Draws the case afresh (after each transition too); `focus` selects where the keyboard goes next. @param {string | null} [focus] */
    const load = async (focus = null) => {
      const d = await api(`cases/${encodeURIComponent(id)}`);
      // A claim's report is its own call: the case page still shows when it fails.
      const claim =
        d.case.type === 'claim'
          ? await api(`cases/${encodeURIComponent(id)}/claim`).catch((/** @type {unknown} */ err) => err)
          : null;
      releaseUrls();
      ctx.setTitle(`${t('case-detail.title')} ${d.case.number}`);
      const role = ctx.session.staff.role;
      mount(main, view(d, handlerRoles.includes(role), claim, role));
      // Leaving the page lets go of the thumbnails' and documents' bytes.
      addEventListener('hashchange', releaseUrls, { once: true });
      loadThumbnails(main, d.case.id);
      // Listeners on this drawing's own root: `main` outlives the page, so nothing piles up on it.
      const root = $('.case-page', main);
      const dialog = /** @type {HTMLDialogElement} */ ($('#case-dialog', root));

      on(root, 'click', '[data-transition]', (button) => {
        const name = button.dataset.transition ?? '';
        // The warranty dialog offers the catalogue's items: fetched when it opens.
        const ready = name === 'correctWarranty' ? withWarrantyCatalogue(d) : Promise.resolve(d);
        void ready
          .then((detail) => runTransition(dialog, { name, detail, opener: button }))
          .then(async (ok) => {
            if (!ok) return;
            flash(t('case-detail.done', { number: d.case.number, action: t(`case-detail.tr.${name}`) }));
            try {
              await load(`[data-transition="${CSS.escape(name)}"]`);
            } catch (err) {
              mount(main, errorBox(err));
            }
          });
      });
      on(root, 'click', '[data-claim-step]', (button) => {
        const step = button.dataset.claimStep ?? '';
        const o = { step, caseId: d.case.id, number: d.case.number, report: claim, opener: button };
        void runClaimStep(dialog, o).then(async (ok) => {
          if (!ok) return;
          flash(t('claim.done', { number: d.case.number, step: t(`claim.step.${step}`) }));
          try {
            await load(`[data-claim-step="${CSS.escape(step)}"]`);
          } catch (err) {
            mount(main, errorBox(err));
          }
        });
      });
      on(root, 'click', '[data-download]', (button) => {
        void objectUrl(`cases/${d.case.id}/attachments/${button.dataset.download ?? ''}`).then(
          (url) => {
            const a = document.createElement('a');
            a.href = url;
            a.download = button.dataset.filename ?? 'attachment';
            document.body.append(a);
            a.click();
            a.remove();
          },
          (err) => flash(err instanceof Error ? err.message : String(err)),
        );
      });
      on(root, 'click', '[data-view-pdf]', (button) => {
        void objectUrl(`cases/${d.case.id}/attachments/${button.dataset.viewPdf ?? ''}`).then(
          (url) => {
            const box = $('#case-pdf', main);
            $('#case-pdf-h', main).textContent = button.dataset.filename ?? '';
            $('#case-pdf-frame', main).setAttribute('src', url);
            box.hidden = false;
            box.scrollIntoView({ block: 'nearest' });
            $('#case-pdf-close', main).focus();
            $('#case-pdf-close', main).onclick = () => {
              box.hidden = true;
              $('#case-pdf-frame', main).removeAttribute('src');
              button.focus();
            };
          },
          (err) => flash(err instanceof Error ? err.message : String(err)),
        );
      });

      if (focus) {
        // The same action may still be possible (assign again, a second charge-back); otherwise the case's title.
        const again = main.querySelector(focus);
        (again instanceof HTMLElement ? again : $('#case-title', main)).focus();
      }
    };
    await load();
  },
};
