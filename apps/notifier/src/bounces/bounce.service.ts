import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import {
  isForwardTransition,
  NotificationEntity,
  notificationStatuses,
  parseDeliveryReport,
  type DeliveryReport,
} from '@kefu/shared';
import { NotificationDispatcher, updateReturning } from '../notifications/notification-dispatcher.service';
import { uuidOf, verpNotificationId } from './verp';
import { optOutOwner } from '../notifications/notification-writes';

export type BounceOutcome =
  | {
      outcome: 'bounced' | 'delayed' | 'complained' | 'recorded';
      notificationId: string;
      matchedBy: MatchedBy;
      duplicate: boolean;
    }
  | { outcome: 'unmatched' | 'not_a_report' | 'missing' };
export type MatchedBy = 'return_path' | 'envelope_id' | 'message_id';

const bouncedFrom = notificationStatuses.filter((s) => isForwardTransition(s, 'bounced'));

/**
 * `delivery-report-received`: a DSN stored as an intake record (by intake from the customer-service
 * mailbox, or by our bounce mailbox) is matched to the email notification it is about and recorded.
 * Matching: the per-message return path first (VERP `<local>+<notificationId>@<domain>`, which the
 * report is addressed to), then the ENVID we may have set, then the original Message-ID, which is
 * notifications.provider_id for email (without brackets). A failure marks the notification bounced
 * (forward-only) with the diagnostic, and a notice that must arrive falls back to a letter; `delayed` is a receipt only. The receipt's dedupe key makes a
 * report processed twice (a retried job, the same report in two mailboxes) change nothing.
 */
@Injectable()
export class BounceService {
  private readonly logger = new Logger(BounceService.name);

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly dispatcher: NotificationDispatcher,
  ) {}

  async handleIntakeRecord(intakeRecordId: string): Promise<BounceOutcome> {
    // Intake parsed the report when it decided the mail; the raw bytes are read only for a record decided
    // before that (a job queued across the upgrade), and parsed by the same parser.
    const rows = await this.ds.query<Array<{ delivery_report: DeliveryReport | null; raw_bytes: Buffer | null }>>(
      `SELECT delivery_report, CASE WHEN delivery_report IS NULL THEN raw_bytes END AS raw_bytes FROM intake_records WHERE id = $1`,
      [intakeRecordId],
    );
    const row = rows[0];
    if (!row || (!row.delivery_report && !row.raw_bytes)) {
      this.logger.warn({ intakeRecordId }, 'delivery report: intake record or its report not found');
      return { outcome: 'missing' };
    }
    const report = row.delivery_report ?? parseDeliveryReport(row.raw_bytes!);
    if (!report) {
      this.logger.warn({ intakeRecordId }, 'delivery report: not a delivery-status report; ignored');
      return { outcome: 'not_a_report' };
    }
    return this.apply(report, intakeRecordId);
  }

  async apply(report: DeliveryReport, intakeRecordId: string | null): Promise<BounceOutcome> {
    const match = await this.match(report);
    if (!match) {
      // The logger masks the addresses; nothing here is ours to retry.
      this.logger.warn(
        {
          intakeRecordId,
          format: report.format,
          originalMessageId: report.originalMessageId,
          finalRecipient: report.finalRecipient,
        },
        'delivery report matches no notification',
      );
      return { outcome: 'unmatched' };
    }
    const action = report.kind === 'feedback' ? 'complained' : report.action;
    const delayed = action === 'delayed';
    const receiptStatus = delayed ? 'delayed' : action === 'failed' ? 'bounced' : action;
    const dedupeKey = `dsn:${match.id}:${report.messageId ?? report.sha256}:${action}`.slice(0, 300);
    const detail = [report.status, report.diagnostic].filter(Boolean).join(' ').slice(0, 1000) || null;
    const raw = {
      kind: report.kind,
      format: report.format,
      feedbackType: report.feedbackType,
      action,
      status: report.status,
      diagnosticCode: report.diagnostic,
      finalRecipient: report.finalRecipient,
      originalEnvelopeId: report.originalEnvelopeId,
      originalMessageId: report.originalMessageId,
      reportMessageId: report.messageId,
      intakeRecordId,
      matchedBy: match.by,
    };
    return this.ds.transaction(async (m) => {
      const inserted = await m.query<Array<{ id: string }>>(
        `INSERT INTO notification_receipts (notification_id, occurred_at, status, source, detail, raw, dedupe_key)
         VALUES ($1, now(), $2, $6, $3, $4, $5) ON CONFLICT (dedupe_key) WHERE dedupe_key IS NOT NULL DO NOTHING RETURNING id`,
        [match.id, receiptStatus, detail, JSON.stringify(raw), dedupeKey, report.kind === 'feedback' ? 'arf' : 'dsn'],
      );
      const duplicate = inserted.length === 0;
      if (!duplicate && action === 'failed') {
        const moved = await updateReturning(
          m,
          `UPDATE notifications SET status = 'bounced', error_code = $3, error_message = $4, updated_at = now() WHERE id = $1 AND status = ANY($2::text[]) RETURNING id`,
          [
            match.id,
            bouncedFrom,
            `dsn_${report.status ?? 'failed'}`.slice(0, 40),
            detail ?? 'bounced (no diagnostic given)',
          ],
        );
        // A notice that must arrive goes on by letter (the dispatcher's chain: … → email → letter), once.
        if (moved.length)
          await this.dispatcher.fallback(m, await m.findOneByOrFail(NotificationEntity, { id: match.id }), 'email');
      }
      // Marked as spam: the mail arrived (no status change), but the owner gets no more email from us.
      if (!duplicate && action === 'complained') {
        await optOutOwner(m, await m.findOneByOrFail(NotificationEntity, { id: match.id }), 'email');
      }
      if (!duplicate)
        this.logger.log(
          { notificationId: match.id, action, status: report.status, matchedBy: match.by },
          'delivery report recorded',
        );
      const outcome = delayed
        ? 'delayed'
        : action === 'failed'
          ? 'bounced'
          : action === 'complained'
            ? 'complained'
            : 'recorded';
      return { outcome, notificationId: match.id, matchedBy: match.by, duplicate };
    });
  }

  private async match(report: DeliveryReport): Promise<{ id: string; by: MatchedBy } | null> {
    const email = async (id: string | null) =>
      id
        ? ((
            await this.ds.query<Array<{ id: string }>>(
              `SELECT id FROM notifications WHERE id = $1 AND channel = 'email'`,
              [id],
            )
          )[0]?.id ?? null)
        : null;
    for (const address of report.addressedTo) {
      const id = await email(verpNotificationId(address));
      if (id) return { id, by: 'return_path' };
    }
    const byEnvelope = await email(uuidOf(report.originalEnvelopeId));
    if (byEnvelope) return { id: byEnvelope, by: 'envelope_id' };
    if (report.originalMessageId) {
      const rows = await this.ds.query<Array<{ id: string }>>(
        `SELECT id FROM notifications WHERE provider_id = $1 AND channel = 'email' ORDER BY created_at DESC LIMIT 1`,
        [report.originalMessageId],
      );
      if (rows[0]) return { id: rows[0].id, by: 'message_id' };
    }
    return null;
  }
}
