import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import {
  CLOCK,
  GroupCommit,
  isForwardTransition,
  notificationStatuses,
  type Clock,
  type NotificationStatus,
} from '@kefu/shared';
import { NotificationDispatcher, updateReturning, type FallbackSource } from './notification-dispatcher.service';
import { callbackManySql } from './notification-dispatcher.sql';
import { classifyTwilioError } from './twilio-errors';
import { optOutOwner, writeReceipt } from './notification-writes';

const UUID = /^[0-9a-f-]{36}$/i;
/** The statuses a callback reporting sent / delivered may move a notification from (forward only). */
const FORWARD_FROM = {
  sent: notificationStatuses.filter((s) => isForwardTransition(s, 'sent')),
  delivered: notificationStatuses.filter((s) => isForwardTransition(s, 'delivered')),
};

export interface TwilioStatusCallback {
  MessageSid?: string;
  SmsSid?: string;
  MessageStatus?: string;
  SmsStatus?: string;
  ErrorCode?: string;
  ErrorMessage?: string;
  To?: string;
  [key: string]: unknown;
}

/** A sent / delivered callback as forwardMany writes it. */
interface ForwardCallback {
  key: string | null;
  sid: string;
  at: Date;
  detail: string | null;
  raw: string;
  dedupeKey: string;
  to: 'sent' | 'delivered';
  attempt: number | null;
  from: string;
  deliveredAt: Date | null;
}

/**
 * Twilio status callbacks → receipts and forward-only status moves. Callbacks arrive out of order and
 * may be replayed: each (SID, status) is one receipt (dedupe key), and a status only moves forward.
 */
@Injectable()
export class DeliveryReceiptsService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly dispatcher: NotificationDispatcher,
  ) {}

  private readonly byId = this.forwardMany(true);
  private readonly bySid = this.forwardMany(false);

  async twilioStatus(
    notificationId: string | null,
    body: TwilioStatusCallback,
    attempt: number | null = null,
  ): Promise<{ applied: boolean; status?: NotificationStatus }> {
    const sid = body.MessageSid ?? body.SmsSid ?? null;
    const reported = String(body.MessageStatus ?? body.SmsStatus ?? '').toLowerCase();
    if (!sid || !reported) return { applied: false };
    const now = this.clock.now();
    if (reported === 'sent' || reported === 'delivered')
      return this.forward(notificationId, sid, reported, body, attempt, now);
    return this.ds.transaction(async (m) => {
      // Only the columns a receipt needs (this runs for every callback), locked against a concurrent record.
      const byId = !!notificationId && UUID.test(notificationId);
      const [row] = await m.query<
        Array<FallbackSource & { status: NotificationStatus; providerId: string | null; attempts: number }>
      >(
        `SELECT id, status, attempts, provider_id AS "providerId", kind, idempotency_key AS "idempotencyKey", fallback_of_id AS "fallbackOfId", recipient_type AS "recipientType",
                owner_id AS "ownerId", staff_id AS "staffId", case_id AS "caseId", source_type AS "sourceType", source_id AS "sourceId", variables, urgent, late
           FROM notifications WHERE ${byId ? 'id = $1' : 'provider_id = $1'} FOR UPDATE`,
        [byId ? notificationId : sid],
      );
      if (!row || (row.providerId && row.providerId !== sid)) return { applied: false };
      let to: NotificationStatus | null = null;
      let failure: { code: string; message: string; optOut?: boolean } | null = null;
      if (reported === 'sent') to = 'sent';
      else if (reported === 'delivered') to = 'delivered';
      else if (reported === 'undelivered' || reported === 'failed') {
        const c = classifyTwilioError({
          code: body.ErrorCode ?? null,
          status: 400,
          message: body.ErrorMessage ?? reported,
        });
        to = reported === 'undelivered' || (c.kind === 'failed' && c.undelivered) ? 'undelivered' : 'failed';
        failure = { code: c.code, message: c.message, optOut: c.kind === 'failed' ? c.optOut : undefined };
      }
      const fresh = await writeReceipt(
        m,
        row.id,
        now,
        reported,
        'twilio',
        body.ErrorCode ? `error ${body.ErrorCode}` : null,
        { ...body },
        `twilio:${sid}:${reported}`,
      );
      // A callback about an earlier attempt (before a staff retry) is kept as a receipt but moves nothing.
      if (!fresh || !to || (attempt !== null && attempt !== row.attempts) || !isForwardTransition(row.status, to))
        return { applied: false };
      const r = await updateReturning(
        m,
        `UPDATE notifications SET status = $3, provider_id = COALESCE(provider_id, $4), delivered_at = COALESCE($5, delivered_at),
                error_code = COALESCE($6, error_code), error_message = COALESCE($7, error_message), updated_at = now()
          WHERE id = $1 AND status = $2 RETURNING id`,
        [row.id, row.status, to, sid, to === 'delivered' ? now : null, failure?.code ?? null, failure?.message ?? null],
      );
      if (!r.length) return { applied: false };
      if (failure?.optOut) await optOutOwner(m, row, 'sms');
      if (to === 'undelivered' || to === 'failed') await this.dispatcher.fallback(m, row, 'sms');
      return { applied: true, status: to };
    });
  }

  /**
   * sent / delivered (most callbacks): the same rules as above in one statement (callbackManySql), no transaction: the
   * row locked, its receipt once, the status moved forward only, nothing else to do. Callbacks arriving together
   * share a statement (GroupCommit): a notice's 200,000 callbacks are not 200,000 round trips.
   */
  private forward(
    notificationId: string | null,
    sid: string,
    to: 'sent' | 'delivered',
    body: TwilioStatusCallback,
    attempt: number | null,
    now: Date,
  ): Promise<{ applied: boolean; status?: NotificationStatus }> {
    const byId = !!notificationId && UUID.test(notificationId);
    const c: ForwardCallback = {
      key: byId ? notificationId : sid,
      sid,
      at: now,
      detail: body.ErrorCode ? `error ${body.ErrorCode}` : null,
      raw: JSON.stringify({ ...body }),
      dedupeKey: `twilio:${sid}:${to}`,
      to,
      attempt,
      from: FORWARD_FROM[to].join(','),
      deliveredAt: to === 'delivered' ? now : null,
    };
    return (byId ? this.byId : this.bySid)
      .submit(c)
      .then((applied) => (applied ? { applied, status: to } : { applied }));
  }

  private forwardMany(byId: boolean): GroupCommit<ForwardCallback, boolean> {
    const sql = callbackManySql(byId);
    return new GroupCommit<ForwardCallback, boolean>(
      async (cs) => {
        const col = <T>(f: (c: ForwardCallback) => T) => cs.map(f);
        const rows = await this.ds.query<Array<{ ord: number; applied: boolean }>>(sql, [
          col((c) => c.key),
          col((c) => c.sid),
          col((c) => c.at),
          col((c) => c.to),
          col((c) => c.detail),
          col((c) => c.raw),
          col((c) => c.dedupeKey),
          col((c) => c.attempt),
          col((c) => c.from),
          col((c) => c.deliveredAt),
        ]);
        return rows.map((r) => r.applied);
      },
      { max: 200, parallel: 1, key: (c) => c.key! },
    );
  }
}
