import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { maskText } from '@kefu/shared';

/**
 * What was sent about a case: the notifier's notifications with their receipts and letters, and the scheduler's
 * reminders. Read-only SQL on the shared database: intake never imports notifier or scheduler code.
 */
@Injectable()
export class CaseMessagesQuery {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  /**
   * The case's rows of the notifier's `notifications` table with their receipts and, for letters, the EMS
   * letter (waybill, sign-off). Read-only SQL on the shared database: intake never imports notifier code.
   * Recipients are owners' (or staff's) personal data and leave masked; the rendered text and variables
   * (which hold acknowledgement links) are not exposed at all.
   */
  async notifications(caseId: string): Promise<CaseNotification[]> {
    const rows = await this.ds.query<
      Array<
        Omit<CaseNotification, 'recipient' | 'receipts' | 'letter'> & {
          toAddress: string | null;
          staffName: string | null;
        }
      >
    >(
      `SELECT n.id, n.kind, n.channel, n.recipient_type AS "recipientType", n.to_address AS "toAddress", s.name AS "staffName", n.status, n.attempts,
              n.provider_id AS "providerId", n.error_code AS "errorCode", n.error_message AS "errorMessage", n.fallback_of_id AS "fallbackOfId",
              n.created_at AS "createdAt", n.sent_at AS "sentAt", n.delivered_at AS "deliveredAt"
         FROM notifications n LEFT JOIN staff s ON s.id = n.staff_id
        WHERE n.case_id = $1 ORDER BY n.created_at, n.id`,
      [caseId],
    );
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    const [receipts, letters] = await Promise.all([
      this.ds.query<
        Array<{
          notificationId: string;
          at: string;
          status: string;
          source: string;
          detail: string | null;
          providerId: string | null;
        }>
      >(
        `SELECT notification_id AS "notificationId", occurred_at AS at, status, source, detail,
                COALESCE(raw->>'MessageSid', raw->>'SmsSid', raw->>'messageId', raw->>'reportMessageId', raw->>'waybill') AS "providerId"
           FROM notification_receipts WHERE notification_id = ANY($1::uuid[]) ORDER BY occurred_at, id`,
        [ids],
      ),
      this.ds.query<Array<CaseNotificationLetter & { notificationId: string }>>(
        `SELECT notification_id AS "notificationId", reference, waybill, status, posted_at AS "postedAt", last_event_at AS "lastEventAt", signed_at AS "signedAt", signer
           FROM letters WHERE notification_id = ANY($1::uuid[])`,
        [ids],
      ),
    ]);
    return rows.map(({ toAddress, staffName, errorMessage, ...n }) => {
      const letter = letters.find((l) => l.notificationId === n.id);
      return {
        ...n,
        errorMessage: errorMessage === null ? null : maskText(errorMessage),
        recipient: { type: n.recipientType, name: staffName, address: maskRecipient(n.channel, toAddress) },
        receipts: receipts
          .filter((r) => r.notificationId === n.id)
          .map((r) => ({
            at: r.at,
            status: r.status,
            source: r.source,
            providerId: r.providerId,
            details: r.detail === null ? null : summary(maskText(r.detail)),
          })),
        letter: letter
          ? {
              reference: letter.reference,
              waybill: letter.waybill,
              status: letter.status,
              postedAt: letter.postedAt,
              lastEventAt: letter.lastEventAt,
              signedAt: letter.signedAt,
              signer: letter.signer,
            }
          : null,
      };
    });
  }

  /** The scheduler's reminders about this case's deadlines (read-only SQL): whom, when sent, who acknowledged, how far escalated. */
  reminders(caseId: string): Promise<CaseReminder[]> {
    return this.ds.query<CaseReminder[]>(
      `SELECT r.id, d.step, d.round, d.due_at AS "dueAt", d.state AS "deadlineState", r.kind, r.level AS "escalationLevel", r.reason,
              r.send_at AS "sendAt", r.sent_at AS "sentAt", r.recipient_staff_id AS "recipientId", rs.name AS "recipientName",
              r.ack_due_at AS "ackDueAt", r.acknowledged_at AS "acknowledgedAt", r.acknowledged_by_id AS "acknowledgedById", ab.name AS "acknowledgedByName",
              r.acknowledged_via AS "acknowledgedVia", r.escalated_at AS "escalatedAt", r.cancelled_at AS "cancelledAt"
         FROM reminders r
         JOIN case_deadlines d ON d.id = r.deadline_id
         LEFT JOIN staff rs ON rs.id = r.recipient_staff_id
         LEFT JOIN staff ab ON ab.id = r.acknowledged_by_id
        WHERE r.case_id = $1
        ORDER BY COALESCE(r.sent_at, r.send_at), r.level, r.id`,
      [caseId],
    );
  }
}

export interface CaseNotificationLetter {
  reference: string;
  waybill: string | null;
  status: string;
  postedAt: string | null;
  lastEventAt: string | null;
  signedAt: string | null;
  /** Who signed for the letter, as EMS reported it. */
  signer: string | null;
}

export interface CaseNotification {
  id: string;
  kind: string;
  channel: string | null;
  recipientType: string;
  /** Masked: 138****1234, l***@example.com, the first characters of a postal address. */
  recipient: { type: string; name: string | null; address: string | null };
  status: string;
  attempts: number;
  providerId: string | null;
  errorCode: string | null;
  errorMessage: string | null;
  fallbackOfId: string | null;
  createdAt: string;
  sentAt: string | null;
  deliveredAt: string | null;
  receipts: Array<{ at: string; status: string; source: string; providerId: string | null; details: string | null }>;
  letter: CaseNotificationLetter | null;
}

export interface CaseReminder {
  id: string;
  step: string;
  round: number;
  dueAt: string;
  deadlineState: string;
  kind: string;
  escalationLevel: number;
  reason: string | null;
  sendAt: string;
  sentAt: string | null;
  recipientId: string | null;
  recipientName: string | null;
  ackDueAt: string | null;
  acknowledgedAt: string | null;
  acknowledgedById: string | null;
  acknowledgedByName: string | null;
  acknowledgedVia: string | null;
  escalatedAt: string | null;
  cancelledAt: string | null;
}

/** A notification's address as staff may see it: phones and emails masked, a postal address cut to its first characters. */
function maskRecipient(channel: string | null, address: string | null): string | null {
  if (address === null) return null;
  const masked = maskText(address);
  if (channel !== 'letter' || masked !== address) return masked;
  const chars = [...address];
  return chars.length <= 6 ? '****' : `${chars.slice(0, 6).join('')}****`;
}

/** A receipt's detail, short enough for a timeline line. */
const summary = (text: string) => (text.length > 200 ? `${text.slice(0, 199)}…` : text);
