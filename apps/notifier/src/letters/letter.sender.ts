import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import {
  APP_CONFIG,
  CLOCK,
  PdfFontMissingError,
  type AppConfig,
  type Clock,
  type NotificationEntity,
} from '@kefu/shared';
import type { ChannelSender, Destination, RenderedMessage, SendOutcome } from '../channels/channel-sender';
import { letterQrUrl } from '../notifications/templates';
import { renderLetterPdf } from './letter-pdf';

/** The reference printed on the letter and in the manifest: stable per notification, so a re-send finds its letter. */
export function letterReference(notificationId: string): string {
  return `KF${notificationId.replace(/-/g, '').slice(0, 12).toUpperCase()}`;
}

/**
 * EMS letters. `send` makes the letter (PDF + `letters` row) and hands it to the letter pipeline:
 * staff put it in a manifest, the post office gives it a waybill number, tracking imports move the
 * notification on (signed_for, returned). "sent" here means "in the pipeline"; the provider id is the
 * reference. Idempotent per notification: a second call (a retried job, a crash after the insert)
 * returns the letter already made.
 */
@Injectable()
export class LetterSender implements ChannelSender {
  readonly channel = 'letter' as const;
  private readonly logger = new Logger(LetterSender.name);

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async send(n: NotificationEntity, to: Destination, message: RenderedMessage): Promise<SendOutcome> {
    const existing = await this.ds.query<Array<{ reference: string }>>(
      `SELECT reference FROM letters WHERE notification_id = $1`,
      [n.id],
    );
    if (existing[0]) return { kind: 'sent', providerId: existing[0].reference, detail: 'letter already made' };
    const address = to.address?.trim();
    if (!address)
      return { kind: 'failed', code: 'no_address', message: 'The recipient has no postal address for a letter.' };
    const name = to.name?.trim() || '业主';
    const postcode = to.postcode?.trim() || null;
    const reference = letterReference(n.id);
    let pdf: Buffer;
    try {
      pdf = await renderLetterPdf(
        {
          letterhead: {
            companyName: this.config.LETTER_COMPANY_NAME,
            address: this.config.LETTER_COMPANY_ADDRESS,
            hotline: this.config.LETTER_COMPANY_HOTLINE,
          },
          recipient: { name, address, postcode },
          subject: message.subject,
          body: message.body,
          reference,
          date: this.clock.now(),
          timeZone: this.config.BUSINESS_TIME_ZONE,
          qrUrl: letterQrUrl(n.kind, n.variables),
        },
        { path: this.config.LETTER_FONT_PATH, family: this.config.LETTER_FONT_FAMILY },
      );
    } catch (err) {
      // An installation problem, not the letter's: retried once the font is there.
      if (err instanceof PdfFontMissingError)
        return { kind: 'retry', code: 'letter_font_missing', message: err.message };
      throw err;
    }
    const phone = await this.phoneOf(n);
    const sha = createHash('sha256').update(pdf).digest('hex');
    // No conflict target: the reference is derived from the notification id, so a concurrent send of the same
    // notification collides on both unique keys, and only an untargeted DO NOTHING waits and yields on either.
    const rows = await this.ds.query<Array<{ reference: string }>>(
      `INSERT INTO letters (notification_id, reference, recipient_name, postal_address, postcode, phone, pdf, pdf_size, pdf_sha256)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING RETURNING reference`,
      [n.id, reference, name.slice(0, 100), address.slice(0, 300), postcode, phone, pdf, pdf.length, sha],
    );
    if (rows[0])
      this.logger.log({ notificationId: n.id, reference, bytes: pdf.length }, 'letter made, awaiting a manifest');
    return {
      kind: 'sent',
      providerId: reference,
      detail: `letter ${reference} awaits a manifest`,
      raw: { reference, pdfSize: pdf.length, pdfSha256: sha },
    };
  }

  /** The phone the EMS order form asks for (the courier calls ahead): the owner's first mobile, the staff member's, the reporter's. */
  private async phoneOf(n: NotificationEntity): Promise<string | null> {
    const rows = await this.ds.query<Array<{ phone: string | null }>>(
      `SELECT COALESCE(
         (SELECT o.mobiles[1] FROM owners o WHERE o.id = $1),
         (SELECT s.mobile FROM staff s WHERE s.id = $2),
         (SELECT c.reporter_phone FROM cases c WHERE c.id = $3 AND $4 = 'case_reporter')) AS phone`,
      [n.ownerId, n.staffId, n.caseId, n.recipientType],
    );
    return rows[0]?.phone ?? null;
  }
}
