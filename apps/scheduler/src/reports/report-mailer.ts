import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import nodemailer, { type Transporter } from 'nodemailer';
import type SMTPPool from 'nodemailer/lib/smtp-pool';
import { APP_CONFIG, type AppConfig } from '@kefu/shared';

export interface ReportMail {
  to: string;
  subject: string;
  text: string;
  messageId: string;
  attachments: Array<{ filename: string; content: Buffer; contentType: string }>;
}

export type ReportMailOutcome =
  { kind: 'sent'; response: string } | { kind: 'failed'; detail: string } | { kind: 'retry'; detail: string };

/**
 * Mails a filed report with its documents attached to one address of the distribution list, through the same SMTP
 * server as the notifier's email (SMTP_URL; on `npm start` the local mail system, so it shows in 本地收件箱). The
 * notifier's messages are template text to owners and staff; a report is two attachments to a configured list, so
 * it is sent here, with its own once-per-address record (report_deliveries).
 */
@Injectable()
export class ReportMailer implements OnApplicationShutdown {
  private readonly transport: Transporter<SMTPPool.SentMessageInfo> | null;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.transport = config.SMTP_URL
      ? nodemailer.createTransport({
          url: config.SMTP_URL,
          pool: true,
          maxConnections: 1,
          connectionTimeout: Math.min(10, config.SMTP_TIMEOUT_SECONDS) * 1000,
          greetingTimeout: Math.min(10, config.SMTP_TIMEOUT_SECONDS) * 1000,
          socketTimeout: config.SMTP_TIMEOUT_SECONDS * 1000,
        } as SMTPPool.Options)
      : null;
  }

  get configured(): boolean {
    return this.transport !== null;
  }

  async send(m: ReportMail): Promise<ReportMailOutcome> {
    if (!this.transport) return { kind: 'retry', detail: 'SMTP_URL is not set' };
    try {
      const info = await this.transport.sendMail({
        from: this.config.EMAIL_FROM,
        to: m.to,
        subject: m.subject,
        text: m.text,
        messageId: `<${m.messageId}>`,
        headers: { 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'All' },
        attachments: m.attachments,
      });
      if (info.accepted.length === 0) return { kind: 'failed', detail: `recipient rejected: ${info.response}` };
      return { kind: 'sent', response: info.response };
    } catch (err) {
      const e = err as { responseCode?: number; response?: string; message?: string };
      const detail = e.response ?? e.message ?? String(err);
      return e.responseCode && e.responseCode >= 500 ? { kind: 'failed', detail } : { kind: 'retry', detail };
    }
  }

  onApplicationShutdown(): void {
    this.transport?.close();
  }
}
