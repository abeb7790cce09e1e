import { addressOf, cleanDiagnostic, normaliseAction, statusOf } from './delivery-status';
import type { DeliveryReportRecipient } from './delivery-report.types';

/**
 * Amazon SES event notifications (mailed by SNS as JSON): notificationType/eventType Bounce, Complaint
 * or Delivery, with RFC 3464 fields (action, status, diagnosticCode) per recipient.
 */
export interface SesReport {
  kind: 'bounce' | 'feedback';
  recipients: DeliveryReportRecipient[];
  feedbackType: string | null;
  originalMessageId: string | null;
}

type Json = Record<string, unknown>;
const obj = (v: unknown): Json | null => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : null);
const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() ? v.trim() : null);
const list = (v: unknown): Json[] => (Array.isArray(v) ? v.map(obj).filter((x): x is Json => !!x) : []);

function parseJson(text: string): Json | null {
  const start = text.indexOf('{');
  const end = text.lastIndexOf('}');
  if (start < 0 || end <= start) return null;
  try {
    // SNS folds long lines as "!" CRLF SP (RFC 5322's 998-character limit); other line breaks are whitespace.
    const json = text
      .slice(start, end + 1)
      .replace(/!\r?\n /g, '')
      .replace(/\r?\n/g, ' ');
    const v = obj(JSON.parse(json));
    const inner = str(v?.Message); // an SNS envelope carries the notification as a string
    return inner?.startsWith('{') ? parseJson(inner) : v;
  } catch {
    return null;
  }
}

export function parseSesNotification(text: string): SesReport | null {
  if (!/"(?:notificationType|eventType)"\s*:/.test(text)) return null;
  const n = parseJson(text);
  const type = str(n?.notificationType) ?? str(n?.eventType);
  if (!n || !type) return null;
  const mail = obj(n.mail);
  const headers = obj(mail?.commonHeaders);
  const originalMessageId = str(headers?.messageId)?.replace(/^<|>$/g, '') ?? null;
  if (type === 'Bounce') {
    const b = obj(n.bounce);
    const mta = str(b?.remoteMtaIp) ?? null;
    const recipients = list(b?.bouncedRecipients).flatMap((r): DeliveryReportRecipient[] => {
      const address = addressOf(str(r.emailAddress));
      if (!address) return [];
      const diagnostic = cleanDiagnostic(str(r.diagnosticCode)) ?? cleanDiagnostic(str(b?.bounceSubType));
      const status = statusOf(str(r.status)) ?? statusOf(diagnostic);
      const action = normaliseAction(str(r.action) ?? (b?.bounceType === 'Transient' ? 'delayed' : 'failed'), status);
      return [{ address, action, status, diagnostic, remoteMta: mta }];
    });
    return recipients.length ? { kind: 'bounce', recipients, feedbackType: null, originalMessageId } : null;
  }
  if (type === 'Complaint') {
    const c = obj(n.complaint);
    const feedbackType = str(c?.complaintFeedbackType)?.toLowerCase() ?? 'abuse';
    const recipients = list(c?.complainedRecipients).flatMap((r): DeliveryReportRecipient[] => {
      const address = addressOf(str(r.emailAddress));
      const diagnostic = `Feedback-Type: ${feedbackType}`;
      return address ? [{ address, action: 'complained', status: null, diagnostic, remoteMta: null }] : [];
    });
    return recipients.length ? { kind: 'feedback', recipients, feedbackType, originalMessageId } : null;
  }
  if (type === 'Delivery') {
    const d = obj(n.delivery);
    const diagnostic = cleanDiagnostic(str(d?.smtpResponse));
    const recipients = (Array.isArray(d?.recipients) ? d.recipients : []).flatMap((r): DeliveryReportRecipient[] => {
      const address = addressOf(str(r));
      const status = statusOf(diagnostic);
      return address ? [{ address, action: 'delivered', status, diagnostic, remoteMta: str(d?.remoteMtaIp) }] : [];
    });
    return recipients.length ? { kind: 'bounce', recipients, feedbackType: null, originalMessageId } : null;
  }
  return null;
}
