// @ts-check
// Words for the stable keys the APIs send and store (SLA rules, classifier rules, deadline steps, actors,
// notification errors): the API keeps the key, the console says it in the staff member's language and keeps
// the key within reach for support (rawKey). The words are in terms-messages.js; type, category and severity
// words come from i18n.js's labels.
// test/console/terms.spec.ts proves every key the TypeScript source can produce has words here.
import { html } from './html.js';
import { getLang, label, register, t } from './i18n.js';
import { NOT_ACKED_ZH, stepsZh, termsMessages } from './terms-messages.js';

register(termsMessages);

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
  // Alibaba Cloud (isv.MOBILE_NUMBER_ILLEGAL) and Tencent Cloud (FailedOperation.PhoneNumberInBlacklist) codes.
  if (/^(isv|[A-Z][A-Za-z]+)\.[A-Za-z_.]+$/.test(code)) return 'nerror.domestic';
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

/**
 * A sentence the API writes in Chinese with an English gloss in brackets (`请填写赔偿方案 (the plan is required)`,
 * claims.service.ts and claim.dto.ts do) in the staff member's language only; any other message as it is.
 * @param {string} message
 */
export function oneLanguage(message) {
  const both = /^(.*[\u4e00-\u9fff][^()]*?)\s*\(([^()\u4e00-\u9fff]+)\)\s*$/s.exec(message);
  if (!both) return message;
  return getLang() === 'en' ? (both[2] ?? message) : (both[1] ?? message);
}
