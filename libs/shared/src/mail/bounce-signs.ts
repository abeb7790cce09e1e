import { headerValue, type Header } from './mime-parts';

/**
 * How a bounce without a machine-readable part shows itself: who sent it (an MTA daemon, a bounce handler,
 * a mailing-list owner, or a null return path), its subject, and the wording of its first lines. Intake's
 * rules are kept: From bounce(s)@, subjects "delivery failure", 系统退信, 發送失敗, 退回 from a daemon.
 */

// Who sends bounces: MTA daemons, bounce handlers and mailing-list owners (fml's neko-admin@).
const DAEMON = new RegExp(
  String.raw`^(?:mailer-?daemon|postmaster|post_master|mail-?daemon|mdaemon|bounces?|mail-?delivery(?:-?system)?` +
    String.raw`|owner-[^@]+|[^@]+-(?:admin|owner|errors?))@`,
  'i',
);
const DAEMON_NAME =
  /mail delivery|mailer-?daemon|postmaster|system administrator|mail ?system|interscan|e-?mail interconnect/i;
const BOUNCE_SUBJECT = new RegExp(
  [
    'undeliver(?:able|ed)',
    'delivery status notification',
    'returned mail',
    'failure notice',
    'mail delivery failed',
    'delivery (?:has )?failed',
    'delivery failure',
    'could not be delivered',
    'non-?delivery',
    'not delivered',
    'nondeliverable',
    'delivery notification',
    'mail system error',
    'delivery (?:problem|error)',
    'returning message to sender',
    'warning: could not send',
    'delayed mail',
    'delivery delayed',
    'email delivery failure',
    'unzustellbar',
    'non remis',
    'returning to sender',
    'mail failed',
    'error sending',
    'errors from',
    'loop alert',
    '(?:message|mail) .{0,80}delayed',
    'メールエラー',
    '配信できません',
    '配信エラー',
    '送信エラー',
    '未配達',
    '系统退信',
    '退信',
    '投递失败',
    '未能送达',
    '无法投递',
    '發送失敗',
    '无法传递',
    '無法傳遞',
    '退回',
  ].join('|'),
  'i',
);
// Opening sentences of a human-readable bounce.
const BOUNCE_BODY = new RegExp(
  [
    'could not be delivered',
    "wasn't able to deliver",
    'was not delivered',
    'permanent(?:ly)? (?:fatal )?error',
    'delivery has failed',
    'did not reach the following recipient',
    'following addresses had',
    'unable to deliver',
    'undeliverable',
    'delivery to the following recipient',
    'error (?:occurred )?(?:while )?(?:trying to )?deliver',
    'no such user',
    'has not yet been delivered',
    'trouble delivering',
    'transcript of session follows',
    'invalid user',
    'user unknown',
    'unknown user',
    'mailbox (?:is )?(?:full|unavailable)',
    '送信できませんでした',
    '送信に失敗',
    '配信できませんでした',
    '退信',
    '无法送达',
    '未能送达',
    '投递失败',
    '发送失败',
    '發送失敗',
    '無法傳遞',
    '传递到这些收件人或组失败',
  ].join('|'),
  'i',
);

/** 'certain': a daemon (or null sender) with a bounce subject; 'likely': one of them plus bounce wording. */
export function looksLikeBounce(top: Header[], subject: string, from: string, fromAddress: string, head: string) {
  const returnPath = headerValue(top, 'return-path');
  const nullSender = returnPath !== null && /^<?\s*>?$/.test(returnPath.trim());
  const daemon = DAEMON.test(fromAddress) || DAEMON_NAME.test(from.replace(/<[^>]*>/g, '')) || nullSender;
  // No Auto-Submitted test: NDRs carry "auto-replied" too (Exchange), so it tells nothing here.
  if (BOUNCE_SUBJECT.test(subject)) return daemon ? 'certain' : BOUNCE_BODY.test(head) && 'likely';
  return daemon && BOUNCE_BODY.test(head) && 'likely';
}
