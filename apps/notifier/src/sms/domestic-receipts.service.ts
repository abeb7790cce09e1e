import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { CLOCK, isForwardTransition, type Clock, type NotificationStatus } from '@kefu/shared';
import {
  NotificationDispatcher,
  updateReturning,
  type FallbackSource,
} from '../notifications/notification-dispatcher.service';
import { writeReceipt } from '../notifications/notification-writes';

/** Alibaba Cloud SmsReport, one element of the pushed JSON array. */
export interface AliyunReport {
  phone_number?: string;
  success?: boolean;
  err_code?: string;
  err_msg?: string;
  biz_id?: string;
  out_id?: string;
  [k: string]: unknown;
}
/** Tencent Cloud status callback, one element of the pushed JSON array. */
export interface TencentReport {
  report_status?: string;
  errmsg?: string;
  description?: string;
  sid?: string;
  mobile?: string;
  [k: string]: unknown;
}

type Row = FallbackSource & { status: NotificationStatus; providerId: string | null; attempts: number };

const ROW_COLUMNS = `id, status, attempts, provider_id AS "providerId", kind, idempotency_key AS "idempotencyKey", fallback_of_id AS "fallbackOfId", recipient_type AS "recipientType",
  owner_id AS "ownerId", staff_id AS "staffId", case_id AS "caseId", source_type AS "sourceType", source_id AS "sourceId", variables, urgent, late`;

/**
 * Domestic providers' delivery receipts → receipts and forward-only status moves, as for Twilio: each
 * (provider message id, outcome) is one receipt (dedupe key), a replay or a late report moves nothing back,
 * a report of an earlier attempt (Alibaba Cloud's out id carries the attempt) is kept but moves nothing.
 */
@Injectable()
export class DomesticReceiptsService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly dispatcher: NotificationDispatcher,
  ) {}

  /** Alibaba Cloud: matched by OutId (notification id and attempt), whose row always exists. */
  async aliyun(r: AliyunReport): Promise<'applied' | 'ignored' | 'unknown'> {
    const out = /^([0-9a-f-]{36})\.(\d+)$/i.exec(r.out_id ?? '');
    if (!out || !r.biz_id || typeof r.success !== 'boolean') return 'ignored';
    return this.apply('aliyun', { id: out[1]! }, Number(out[2]), r.biz_id, r.success, r.err_code ?? '', r.err_msg, r);
  }

  /**
   * Tencent Cloud: matched by sid (the SerialNo we recorded). 'unknown': no row has it yet (the report beat the
   * worker's record of the send) — the caller answers with an error so Tencent pushes it again.
   */
  async tencent(r: TencentReport): Promise<'applied' | 'ignored' | 'unknown'> {
    if (!r.sid || !r.report_status) return 'ignored';
    return this.apply(
      'tencent',
      { providerId: r.sid },
      null,
      r.sid,
      r.report_status === 'SUCCESS',
      r.errmsg ?? '',
      r.description,
      r,
    );
  }

  private apply(
    source: 'aliyun' | 'tencent',
    by: { id: string } | { providerId: string },
    attempt: number | null,
    messageId: string,
    success: boolean,
    code: string,
    detail: string | undefined,
    raw: Record<string, unknown>,
  ): Promise<'applied' | 'ignored' | 'unknown'> {
    const now = this.clock.now();
    const to: NotificationStatus = success ? 'delivered' : 'undelivered';
    return this.ds.transaction(async (m) => {
      const [row] = await m.query<Row[]>(
        `SELECT ${ROW_COLUMNS} FROM notifications WHERE ${'id' in by ? 'id = $1' : 'provider_id = $1'} AND channel = 'sms' FOR UPDATE`,
        ['id' in by ? by.id : by.providerId],
      );
      if (!row) return 'unknown';
      const fresh = await writeReceipt(
        m,
        row.id,
        now,
        to,
        source,
        `${code}${detail ? `: ${detail}` : ''}`.slice(0, 500),
        raw,
        `${source}:${messageId}:${to}`,
      );
      if (!fresh || (attempt !== null && attempt !== row.attempts) || !isForwardTransition(row.status, to))
        return 'ignored';
      const moved = await updateReturning(
        m,
        `UPDATE notifications SET status = $3, provider_id = CASE WHEN provider_id IS NULL OR provider_id LIKE 'out:%' THEN $4 ELSE provider_id END,
                delivered_at = COALESCE($5, delivered_at), error_code = COALESCE($6, error_code), error_message = COALESCE($7, error_message), updated_at = now()
          WHERE id = $1 AND status = $2 RETURNING id`,
        [
          row.id,
          row.status,
          to,
          messageId,
          success ? now : null,
          success ? null : code.slice(0, 40) || 'undelivered',
          success ? null : `carrier: ${detail ?? code}`,
        ],
      );
      if (!moved.length) return 'ignored';
      if (!success) await this.dispatcher.fallback(m, row, 'sms');
      return 'applied';
    });
  }
}
