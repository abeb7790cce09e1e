// @ts-check
// Words for the stable keys the APIs send and store (SLA rules, classifier rules, deadline steps, actors,
// notification errors): the API keeps the key, the console says it in the staff member's language and keeps
// the key within reach for support (rawKey). Type, category and severity words come from i18n.js's labels.
// test/console/terms.spec.ts proves every key the TypeScript source can produce has words here.
import { html } from './html.js';
import { getLang, label, register, t } from './i18n.js';

/**
 * The scheduler's own Chinese step labels (apps/scheduler/src/reminders/steps.ts `stepLabel`; the spec holds them
 * equal), so a step reads the same in the reminder list, the case page and the scheduler's sentences.
 * @type {Record<string, string>}
 */
const stepsZh = {
  firstReply: '答复客户（承诺答复日期）',
  departmentPlan: '责任部门答复并提出处理方案',
  departmentAnalysis: '责任部门分析并填写处理方案',
  reportToHead: '重大投诉上报部门负责人',
  solution: '与客户商定解决方案',
  engineerContact: '工程师联系业主',
  siteSurvey: '现场查勘',
};
/** The scheduler's default escalation reason (reminder-sender.service.ts). */
const NOT_ACKED_ZH = '未在时限内确认';

register({
  zh: {
    'terms.rawKey': '代码',
    'terms.colon': '：',
    'terms.original': '原文',
    'sla.minor.firstFeedback': '一般投诉首次反馈时限',
    'sla.major.solution': '重大事件商定解决方案时限',
    'sla.repair.engineerContact': '报修工程师联系业主时限',
    'sla.departmentPlan': '责任部门答复并提出处理方案时限',
    'sla.basis': '依据：{rule}',
    'rule.keyword': '关键词「{keyword}」→ {value}',
    'rule.hint': '指定类型 → {value}',
    'rule.default': '没有类型关键词，默认 → {value}',
    'rule.manual': '{field}由员工指定',
    'rule.channel': '{field}按来源渠道填写',
    'rule.field.type': '类型',
    'rule.field.category': '类别',
    'rule.field.severity': '严重程度',
    ...Object.fromEntries(Object.entries(stepsZh).map(([k, v]) => [`step.${k}`, v])),
    'reason.notAcked': NOT_ACKED_ZH,
    'reason.missedReplies': '第{n}次错过承诺答复日期，直接升级至总经理',
    'reason.pastStep': '已超过{step}时限',
    'reason.movedTooOften': '答复日期已变更{n}次，再次申请变更：直接升级至总经理',
    'actor.owner': '业主',
    'actor.system': '系统',
    'actor.email': '邮件收件',
    'actor.fax': '传真收件',
    'actor.scheduler': '催办程序',
    'actor.cdr': '话单导入（{name}）',
    'source.hotline': '热线登记',
    'source.web': '网上表单',
    'source.cdr': '话单导入',
    'source.suggestion_box': '意见箱',
    'source.imap': '邮箱 {name}',
    'source.fax': '传真 {name}',
    'source.twilio': '短信网关',
    'source.smtp': '邮件服务器',
    'source.ems': 'EMS',
    'source.notifier': '通知服务',
    'source.dsn': '退信报告',
    'source.arf': '垃圾邮件投诉',
    'outcome.pending': '待处理',
    'outcome.case_created': '已登记为案件',
    'outcome.added_to_case': '已并入案件',
    'outcome.duplicate': '重复收件',
    'outcome.auto_reply': '自动回复',
    'outcome.bounce': '退信',
    'outcome.quarantined': '已隔离',
    'ireason.oversized': '邮件过大',
    'ireason.charset': '无法识别的字符编码',
    'ireason.unparseable': '无法解析的邮件',
    'ireason.processing': '处理出错',
    'ireason.empty': '空邮件：没有主题、正文或附件',
    'ireason.spam': '疑似垃圾提交',
    'ireason.notReport': '退信邮箱中不是退信或投诉报告的邮件：已记录，不处理',
    'ireason.duplicate': '与已收到的邮件相同（Message-ID 和内容一致）',
    'ireason.gaveUp': '尝试 {n} 次后放弃：{last}',
    'nerror.no_sender': '没有配置这个渠道的发送服务，消息未发出',
    'nerror.no_address': '收件人在这个渠道没有联系方式（手机号、邮箱或地址）',
    'nerror.no_recipient': '收件人已不存在',
    'nerror.opted_out': '收件人已退订这个渠道',
    'nerror.rate_limited': '发送过于频繁，被服务商限流',
    'nerror.duplicate_limit': '24 小时内同一号码已收到 3 次相同内容，不再重复发送',
    'nerror.bad_variables': '通知内容缺少必要信息，无法生成',
    'nerror.sender_error': '发送服务出错',
    'nerror.unconfirmed': '发送中断，无法确认是否已发出；可重发',
    'nerror.rejected': '邮件服务器拒收这个地址',
    'nerror.letter_font_missing': '信函缺少中文字体，无法生成 PDF',
    'nerror.network': '无法连接发送服务（网络错误）',
    'nerror.http_429': '请求过多，被服务商限流',
    'nerror.http_5xx': '服务商暂时故障',
    'nerror.smtp_5xx': '邮件服务器拒绝投递',
    'nerror.smtp_4xx': '邮件服务器暂时无法接收',
    'nerror.dsn_5.1.1': '邮件被退回：收件邮箱不存在',
    'nerror.dsn_5.2.2': '邮件被退回：收件邮箱已满',
    'nerror.dsn_5': '邮件被退回：无法投递',
    'nerror.dsn_4': '邮件延迟：暂时无法投递',
    'nerror.dsn_failed': '邮件被退回',
    'nerror.21211': '手机号码无效',
    'nerror.21614': '这个号码不能接收短信',
    'nerror.21610': '收件人已回复 STOP 退订短信',
    'nerror.21408': '短信服务未开通发往这个地区',
    'nerror.21612': '短信无法发往这个号码',
    'nerror.20003': '短信服务账号认证失败',
    'nerror.20429': '请求过多，被短信服务限流',
    'nerror.20500': '短信服务内部错误',
    'nerror.30001': '短信排队过多，未能发出',
    'nerror.30002': '短信服务账号已停用',
    'nerror.30003': '手机无法接通（关机或不在服务区）',
    'nerror.30004': '短信被拦截（号码已屏蔽）',
    'nerror.30005': '号码不存在或已停用',
    'nerror.30006': '固定电话或运营商无法送达',
    'nerror.30007': '被运营商当作垃圾短信过滤',
    'nerror.30008': '运营商未说明原因，短信未送达',
    'nerror.carrier': '运营商未能送达短信',
    'nerror.unknown': '发送未成功，服务商返回了未识别的错误',
    'nerror.attempts': '（已尝试 {n} 次）',
  },
  en: {
    'terms.rawKey': 'Code',
    'terms.colon': ': ',
    'terms.original': 'Original text',
    'sla.minor.firstFeedback': 'First feedback on a minor complaint',
    'sla.major.solution': 'Solution agreed on a major case',
    'sla.repair.engineerContact': 'Engineer contacts the owner (repair)',
    'sla.departmentPlan': 'Department reply and plan',
    'sla.basis': 'Rule: {rule}',
    'rule.keyword': 'keyword “{keyword}” → {value}',
    'rule.hint': 'type given → {value}',
    'rule.default': 'no type keyword, default → {value}',
    'rule.manual': '{field} set by staff',
    'rule.channel': '{field} as given by the channel',
    'rule.field.type': 'type',
    'rule.field.category': 'category',
    'rule.field.severity': 'severity',
    'step.firstReply': 'Reply to the customer (promised date)',
    'step.departmentPlan': 'Department reply and plan',
    'step.departmentAnalysis': 'Department analysis and plan',
    'step.reportToHead': 'Report a major complaint to the head',
    'step.solution': 'Agree a solution with the customer',
    'step.engineerContact': 'Engineer contacts the owner',
    'step.siteSurvey': 'Site survey',
    'reason.notAcked': 'Not acknowledged in time',
    'reason.missedReplies': 'Promised reply date missed {n} times: straight to the GM',
    'reason.pastStep': 'Past the deadline: {step}',
    'reason.movedTooOften': 'Reply date already moved {n} times and asked again: straight to the GM',
    'actor.owner': 'Owner',
    'actor.system': 'System',
    'actor.email': 'Email intake',
    'actor.fax': 'Fax intake',
    'actor.scheduler': 'Reminder scheduler',
    'actor.cdr': 'CDR import by {name}',
    'source.hotline': 'Hotline entry',
    'source.web': 'Web form',
    'source.cdr': 'CDR import',
    'source.suggestion_box': 'Suggestion box',
    'source.imap': 'Mailbox {name}',
    'source.fax': 'Fax {name}',
    'source.twilio': 'SMS gateway',
    'source.smtp': 'Mail server',
    'source.ems': 'EMS',
    'source.notifier': 'Notifier',
    'source.dsn': 'Bounce report',
    'source.arf': 'Spam complaint',
    'outcome.pending': 'not processed yet',
    'outcome.case_created': 'became a case',
    'outcome.added_to_case': 'added to the case',
    'outcome.duplicate': 'a duplicate',
    'outcome.auto_reply': 'auto-reply',
    'outcome.bounce': 'a bounce report',
    'outcome.quarantined': 'held in quarantine',
    'ireason.oversized': 'Message too large',
    'ireason.charset': 'Unknown character set',
    'ireason.unparseable': 'Message cannot be read',
    'ireason.processing': 'Processing failed',
    'ireason.empty': 'Empty message: no subject, no text, no attachment',
    'ireason.spam': 'Looks like spam',
    'ireason.notReport': 'Not a bounce or complaint report (bounce mailbox): recorded, ignored',
    'ireason.duplicate': 'Same message as one already received (Message-ID and content)',
    'ireason.gaveUp': 'Gave up after {n} attempts: {last}',
    'nerror.no_sender': 'No provider is configured for this channel, so nothing was sent',
    'nerror.no_address': 'The recipient has no address on this channel (mobile, email or postal address)',
    'nerror.no_recipient': 'The recipient no longer exists',
    'nerror.opted_out': 'The recipient opted out of this channel',
    'nerror.rate_limited': 'Too many messages: the provider is holding them back',
    'nerror.duplicate_limit': 'The same text already went to this number 3 times in 24 hours',
    'nerror.bad_variables': 'The message could not be written: some details are missing',
    'nerror.sender_error': 'The provider reported an error',
    'nerror.unconfirmed': 'Sending was cut off and may not have happened; it can be sent again',
    'nerror.rejected': 'The mail server refused this address',
    'nerror.letter_font_missing': 'The letter PDF cannot be made: the Chinese font is missing',
    'nerror.network': 'The provider could not be reached (network error)',
    'nerror.http_429': 'Too many requests: the provider is holding them back',
    'nerror.http_5xx': 'The provider is failing for the moment',
    'nerror.smtp_5xx': 'The mail server refused the message',
    'nerror.smtp_4xx': 'The mail server cannot take the message for the moment',
    'nerror.dsn_5.1.1': 'Bounced: the mailbox does not exist',
    'nerror.dsn_5.2.2': 'Bounced: the mailbox is full',
    'nerror.dsn_5': 'Bounced: the mail could not be delivered',
    'nerror.dsn_4': 'Delayed: the mail cannot be delivered for the moment',
    'nerror.dsn_failed': 'Bounced',
    'nerror.21211': 'Invalid mobile number',
    'nerror.21614': 'This number cannot receive SMS',
    'nerror.21610': 'The recipient replied STOP and opted out of SMS',
    'nerror.21408': 'SMS to this region is not enabled',
    'nerror.21612': 'SMS cannot be sent to this number',
    'nerror.20003': 'The SMS account was refused (authentication)',
    'nerror.20429': 'Too many requests: the SMS provider is holding them back',
    'nerror.20500': 'The SMS provider had an internal error',
    'nerror.30001': 'Too many SMS queued; this one was not sent',
    'nerror.30002': 'The SMS account is suspended',
    'nerror.30003': 'The phone cannot be reached (switched off or out of coverage)',
    'nerror.30004': 'The SMS was blocked',
    'nerror.30005': 'The number does not exist or is no longer in use',
    'nerror.30006': 'A landline, or the carrier cannot deliver to it',
    'nerror.30007': 'The carrier filtered it as spam',
    'nerror.30008': 'The carrier did not deliver it and gave no reason',
    'nerror.carrier': 'The carrier did not deliver the SMS',
    'nerror.unknown': 'Sending failed with an error we do not recognise',
    'nerror.attempts': ' (after {n} attempts)',
  },
});

/** The words for `key`, or null when the dictionary has none. @param {string} key @param {Record<string, string | number>} [vars] */
function known(key, vars) {
  const text = t(key, vars);
  return text === key ? null : text;
}

/**
 * The raw keys behind what is shown, for support: a small muted line that opens to show them.
 * @param {string | string[]} keys
 * @param {'terms.rawKey' | 'terms.original'} [summary] what the line is called: a code, or the original text
 */
export const rawKey = (keys, summary = 'terms.rawKey') =>
  html`<details class="raw-key"><summary>${t(summary)}</summary><code>${Array.isArray(keys) ? keys.join(', ') : keys}</code></details>`;

/** The SLA rule that set a promised reply date (`minor.firstFeedback`…), or the key itself. @param {string} rule */
export const slaRuleName = (rule) => known(`sla.${rule}`) ?? rule;

/** A deadline step (`departmentPlan`…): our words, else the API's own label, else the key. @param {string} step @param {string | null} [apiLabel] */
export const stepName = (step, apiLabel) => known(`step.${step}`) ?? apiLabel ?? step;

/** A type, category or severity in the middle of a sentence (English lowers it: "→ repair"). @param {string} field @param {string} value */
function valueWord(field, value) {
  const text = label(field, value);
  return getLang() === 'en' ? text.toLowerCase() : text;
}

/**
 * A classifier rule as it is stored in cases.classification_rules: `<field>.<value>:<keyword>` (a keyword fired),
 * `type.hint:<type>`, `type.default:<type>`, `manual.<field>` (staff set it), `channel.<field>` (the channel did).
 * Unknown forms come back as they are.
 * @param {string} rule
 */
export function classifierRule(rule) {
  const fired = /^(type|category|severity)\.([a-z_]+):(.+)$/.exec(rule);
  if (fired) {
    const [, field = '', value = '', rest = ''] = fired;
    if (field === 'type' && value === 'hint') return t('rule.hint', { value: valueWord('type', rest) });
    if (field === 'type' && value === 'default') return t('rule.default', { value: valueWord('type', rest) });
    const word = label(field, value);
    if (word === value) return rule;
    return t('rule.keyword', { keyword: rest, value: valueWord(field, value) });
  }
  const override = /^(manual|channel)\.(type|category|severity)$/.exec(rule);
  if (override) return t(`rule.${override[1]}`, { field: t(`rule.field.${override[2]}`) });
  return rule;
}

/**
 * Who did something on the timeline: a staff member's name as it is; the system actors intake and the
 * scheduler write (`owner`, `system`, `email`, `fax`, `scheduler`, `CDR import by <name>`) in words.
 * @param {string | null | undefined} actor
 * @param {string | null | undefined} actorId set when a staff member acted
 */
export function actorName(actor, actorId) {
  if (!actor) return '—';
  if (actorId) return actor;
  const cdr = /^CDR import by (.+)$/.exec(actor);
  if (cdr) return t('actor.cdr', { name: cdr[1] ?? '' });
  return known(`actor.${actor}`) ?? known(`role.${actor}`) ?? actor;
}

/** Where an intake record or a receipt came from: `hotline`, `imap:cs`, `twilio`, `dsn`… @param {string | null | undefined} source */
export function sourceName(source) {
  if (!source) return '—';
  const named = /^(imap|fax):(.+)$/.exec(source);
  if (named) return t(`source.${named[1]}`, { name: named[2] ?? '' });
  return known(`source.${source}`) ?? source;
}

/** The dictionary key for a notification error code (`no_sender`, Twilio's `30003`, `smtp_550`, `dsn_5.1.1`…). @param {string} code */
function errorKey(code) {
  if (known(`nerror.${code}`)) return `nerror.${code}`;
  if (/^smtp_5\d\d$/.test(code)) return 'nerror.smtp_5xx';
  if (/^smtp_4\d\d$/.test(code)) return 'nerror.smtp_4xx';
  if (/^http_5\d\d$/.test(code)) return 'nerror.http_5xx';
  if (/^dsn_5\./.test(code)) return 'nerror.dsn_5';
  if (/^dsn_4\./.test(code)) return 'nerror.dsn_4';
  if (/^300\d\d$/.test(code)) return 'nerror.carrier';
  if (code === 'network_error' || /^E[A-Z_]+$/.test(code)) return 'nerror.network';
  return 'nerror.unknown';
}

/**
 * Why a notification did not go (its errorCode), in plain words; a code we do not know gets a generic phrase.
 * The provider's own message stays for the raw-key line.
 * @param {string | null | undefined} code
 * @param {string | null | undefined} [message]
 */
export function notificationProblem(code, message) {
  const text = t(errorKey(code ?? ''));
  const tries = /^gave up after (\d+) attempts/.exec(message ?? '');
  return tries ? text + t('nerror.attempts', { n: tries[1] ?? '' }) : text;
}

/** Whether a notification error code has its own words (not the generic phrase). @param {string} code */
export const isKnownProblem = (code) => errorKey(code) !== 'nerror.unknown';

/**
 * A receipt's detail line: failures are written `<code>: <message>` (or Twilio's `error <code>`) by the
 * notifier, shown as words; anything else (a provider's response) as it is. Null when it is not a failure.
 * @param {string | null | undefined} details
 */
export function receiptProblem(details) {
  const m = /^(?:error (\d+)$|([A-Za-z0-9_.]+): )/.exec(details ?? '');
  const code = m ? (m[1] ?? m[2] ?? '') : '';
  if (!code || !isKnownProblem(code)) return null;
  return notificationProblem(code, details?.slice(code.length + 2));
}

const missedReplies = /^第(\d+)次错过承诺答复日期，直接升级至总经理$/;
// case-workflow.service.ts moveReplyDate: Chinese, then an English gloss in brackets.
const movedTooOften = /^答复日期已变更(\d+)次，再次申请变更：直接升级至总经理/;
const pastStep = /^已超过(.+)时限$/;

/**
 * Why a case was escalated (`reminders.reason`, events' reason; written in Chinese by the scheduler and intake): the known sentences
 * in the staff member's language; a reason a person typed stays as it is.
 * @param {string | null | undefined} reason
 */
export function reminderReason(reason) {
  if (!reason) return '';
  if (reason === NOT_ACKED_ZH) return t('reason.notAcked');
  const moved = movedTooOften.exec(reason);
  if (moved) return t('reason.movedTooOften', { n: moved[1] ?? '' });
  const missed = missedReplies.exec(reason);
  if (missed) return t('reason.missedReplies', { n: missed[1] ?? '' });
  const past = pastStep.exec(reason);
  if (past) {
    const step = Object.keys(stepsZh).find((k) => stepsZh[k] === past[1]);
    if (step) return t('reason.pastStep', { step: stepName(step) });
  }
  return reason;
}

/** What became of an inbound item (intake_records.outcome). @param {string | null | undefined} outcome */
export const outcomeName = (outcome) => (outcome ? (known(`outcome.${outcome}`) ?? outcome) : '—');

/** The leading words intake writes before the detail of why an item was not a case (mail-decision.ts and others). */
const intakeReasons = /** @type {Array<[RegExp, string]>} */ ([
  [/^oversized: /, 'ireason.oversized'],
  [/^unknown charset: /, 'ireason.charset'],
  [/^unparseable: /, 'ireason.unparseable'],
  [/^processing error: /, 'ireason.processing'],
  [/^empty message: /, 'ireason.empty'],
  [/^spam: /, 'ireason.spam'],
  [/^not a delivery or feedback report /, 'ireason.notReport'],
  [/^same Message-ID and content as intake record /, 'ireason.duplicate'],
]);

/**
 * Why an inbound item was quarantined or set aside, in words, or null when intake wrote something we have no words
 * for (a parser's own message): the caller then shows it as it is. The detail stays for the raw-key line.
 * @param {string | null | undefined} reason
 * @returns {string | null}
 */
export function intakeReason(reason) {
  if (!reason) return null;
  const gaveUp = /^gave up after (\d+) attempts, last: (.*)$/s.exec(reason);
  if (gaveUp) return t('ireason.gaveUp', { n: gaveUp[1] ?? '', last: intakeReason(gaveUp[2]) ?? gaveUp[2] ?? '' });
  const hit = intakeReasons.find(([re]) => re.test(reason));
  return hit ? t(hit[1]) : null;
}

/** An intake reason for the page: the words with the full text behind a key line, or the text itself. @param {string | null | undefined} reason */
export function intakeReasonView(reason) {
  if (!reason) return html`—`;
  const words = intakeReason(reason);
  return words ? html`${words} ${rawKey(reason, 'terms.original')}` : html`<span class="pre">${reason}</span>`;
}
