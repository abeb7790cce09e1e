/**
 * WARNING: a DeliveryReport is stored as jsonb (intake writes it, the notifier reads it back): add optional
 * fields freely, never rename or retype one without migrating the stored rows.
 */
export type DeliveryReportAction = 'failed' | 'delayed' | 'delivered' | 'relayed' | 'expanded' | 'complained';

export interface DeliveryReportRecipient {
  /** Lower case, no brackets. */
  address: string;
  action: DeliveryReportAction;
  /** RFC 3463 enhanced status code, e.g. '5.1.1'; null when the report states none. */
  status: string | null;
  /** Readable text, trimmed, at most 1000 characters. */
  diagnostic: string | null;
  remoteMta: string | null;
}

export interface DeliveryReport {
  /** feedback = an ARF complaint: the recipient marked our mail as spam. */
  kind: 'bounce' | 'feedback';
  /**
   * rfc3464: delivery-status fields (in a message/(global-)delivery-status part, or quoted in the text);
   * arf: a feedback report (or Hotmail's JMRP); x-failed-recipients: Exim's header names the recipients;
   * free-text: everything else, Amazon SES JSON notifications included (see source).
   */
  format: 'rfc3464' | 'arf' | 'x-failed-recipients' | 'free-text';
  /** The report's own Message-ID, no brackets. */
  messageId: string | null;
  /**
   * At least one, except for a report that names nobody yet is unmistakably one (an ARF whose provider
   * redacts the recipient, a daemon's bounce that prints no address): then [] and finalRecipient null, and
   * the caller matches by originalMessageId or addressedTo (VERP).
   */
  recipients: DeliveryReportRecipient[];
  /** Of the first 'failed' (or 'complained') recipient, else the first. */
  action: DeliveryReportAction;
  status: string | null;
  diagnostic: string | null;
  finalRecipient: string | null;
  originalEnvelopeId: string | null;
  /** Message-ID of the mail that bounced, no brackets (returned headers or quoted copy; never the report's own). */
  originalMessageId: string | null;
  /** To, Delivered-To, X-Original-To, Envelope-To of the report: a VERP return path shows here. */
  addressedTo: string[];
  /** ARF Feedback-Type (abuse, fraud, ...) for kind 'feedback'. */
  feedbackType: string | null;
  /** sha256 (hex) of the raw bytes. */
  sha256: string;
  /** Optional: which reader produced it ('delivery-status', 'amazon-ses-json', 'text', ...), for diagnosis. */
  source?: string;
  /** Optional: the report's subject (decoded). */
  subject?: string | null;
}
