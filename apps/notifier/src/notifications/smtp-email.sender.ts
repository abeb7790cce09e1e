import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import nodemailer, { type Transporter } from 'nodemailer';
import type SMTPPool from 'nodemailer/lib/smtp-pool';
import { APP_CONFIG, type AppConfig, type NotificationEntity } from '@kefu/shared';
import type { ChannelSender, Destination, RenderedMessage, SendOutcome } from '../channels/channel-sender';

/**
 * The envelope sender of a notification: with EMAIL_RETURN_PATH `bounces@kefu.example.com`, VERP
 * `bounces+<notificationId>@kefu.example.com`, so a DSN names the notification it is about
 * (the bounces module relies on exactly this format). Without it, the From address.
 */
export function returnPathFor(returnPath: string | undefined, notificationId: string): string | null {
  if (!returnPath) return null;
  const at = returnPath.lastIndexOf('@');
  return `${returnPath.slice(0, at)}+${notificationId}${returnPath.slice(at)}`;
}

/** Our Message-ID for a notification (without brackets): stable, so a crash can be reasoned about, and unique per attempt. */
export function messageIdFor(notificationId: string, attempt: number, from: string): string {
  const domain = /@([^>\s]+)>?\s*$/.exec(from)?.[1] ?? 'localhost';
  return `kefu.${notificationId}.${attempt}@${domain}`;
}

/** Email through one pooled SMTP transport; HTML + text; Message-ID, accepted/rejected and the server's answer recorded. */
@Injectable()
export class SmtpEmailSender implements ChannelSender, OnApplicationShutdown {
  readonly channel = 'email' as const;
  private readonly transport: Transporter<SMTPPool.SentMessageInfo>;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.transport = nodemailer.createTransport({
      url: config.SMTP_URL,
      pool: true,
      maxConnections: config.SMTP_POOL_SIZE,
      maxMessages: Infinity,
      // nodemailer's own defaults wait up to 10 minutes for a socket: longer than the reconciliation window.
      connectionTimeout: Math.min(10, config.SMTP_TIMEOUT_SECONDS) * 1000,
      greetingTimeout: Math.min(10, config.SMTP_TIMEOUT_SECONDS) * 1000,
      socketTimeout: config.SMTP_TIMEOUT_SECONDS * 1000,
    } as SMTPPool.Options);
  }

  static configured(config: AppConfig): boolean {
    return !!config.SMTP_URL;
  }

  async send(n: NotificationEntity, to: Destination, message: RenderedMessage): Promise<SendOutcome> {
    const messageId = messageIdFor(n.id, n.attempts, this.config.EMAIL_FROM);
    const returnPath = returnPathFor(this.config.EMAIL_RETURN_PATH, n.id);
    try {
      const info = await this.transport.sendMail({
        from: this.config.EMAIL_FROM,
        to: { name: to.name, address: to.address },
        ...(this.config.EMAIL_REPLY_TO ? { replyTo: this.config.EMAIL_REPLY_TO } : {}),
        subject: message.subject ?? '',
        text: message.body,
        ...(message.html ? { html: message.html } : {}),
        messageId: `<${messageId}>`,
        headers: { 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'All' },
        ...(returnPath ? { envelope: { from: returnPath, to: [to.address] } } : {}),
      });
      const raw = {
        messageId,
        accepted: info.accepted.map(String),
        rejected: info.rejected.map(String),
        response: info.response,
        envelope: info.envelope,
      };
      if (info.accepted.length === 0)
        return { kind: 'failed', code: 'rejected', message: `recipient rejected: ${info.response}`, raw };
      return { kind: 'sent', providerId: messageId, detail: info.response, raw };
    } catch (err) {
      const e = err as { responseCode?: number; code?: string; message?: string; response?: string };
      const message = e.response ?? e.message ?? String(err);
      if (e.responseCode && e.responseCode >= 500)
        return {
          kind: 'failed',
          code: `smtp_${e.responseCode}`,
          message,
          raw: { responseCode: e.responseCode, response: e.response ?? null },
        };
      return { kind: 'retry', code: e.responseCode ? `smtp_${e.responseCode}` : (e.code ?? 'network_error'), message };
    }
  }

  onApplicationShutdown(): void {
    this.transport.close();
  }
}
