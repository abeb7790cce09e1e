import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import {
  addToOutbox,
  APP_CONFIG,
  AppException,
  CLOCK,
  maskText,
  maskValue,
  notificationKinds,
  type AppConfig,
  type Clock,
  type NotificationKind,
  type NotificationStatus,
  type NotifyChannel,
  type StaffPrincipal,
} from '@kefu/shared';
import type { ListNotificationsQuery, PreviewBody } from './notifications.dto';
import { forChannel, renderTemplate, smsSegments, TemplateVariablesError } from './templates';

const columns = `
  n.id, n.idempotency_key AS "idempotencyKey", n.kind, n.channel, n.recipient_type AS "recipientType", n.owner_id AS "ownerId", n.staff_id AS "staffId",
  n.case_id AS "caseId", c.number AS "caseNumber", n.status, n.attempts, n.urgent, n.not_before AS "notBefore", n.to_address AS "toAddress", n.segments,
  n.provider_id AS "providerId", n.error_code AS "errorCode", n.error_message AS "errorMessage", n.fallback_of_id AS "fallbackOfId",
  n.sent_at AS "sentAt", n.delivered_at AS "deliveredAt", n.created_at AS "createdAt", n.updated_at AS "updatedAt"`;

const RETRYABLE: NotificationStatus[] = ['failed', 'undelivered', 'bounced'];

export interface NotificationListItem {
  id: string;
  idempotencyKey: string;
  kind: NotificationKind;
  channel: NotifyChannel | null;
  recipientType: string;
  ownerId: string | null;
  staffId: string | null;
  caseId: string | null;
  caseNumber: string | null;
  status: NotificationStatus;
  attempts: number;
  urgent: boolean;
  notBefore: Date;
  toAddress: string | null;
  segments: number | null;
  providerId: string | null;
  errorCode: string | null;
  errorMessage: string | null;
  fallbackOfId: string | null;
  sentAt: Date | null;
  deliveredAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}
export interface ReceiptItem {
  occurredAt: Date;
  status: string;
  source: string;
  detail: string | null;
  raw: Record<string, unknown> | null;
  recordedAt: Date;
}

/** Who is reading: staff see other people's messages with their personal data masked and their links withheld. */
export type Viewer = Pick<StaffPrincipal, 'id' | 'role'>;

/** A one-click acknowledgement link or an owner's one-time return-visit link: only its recipient may see it. */
const secretLink = /https?:\/\/[^\s"'<>]+\/(?:ack|visit|survey)\/[A-Za-z0-9._~-]+/g;
const WITHHELD = '[链接仅收件人可见]';

/**
 * Issue 16 (4): a rep must not read a manager's acknowledgement link (and silence the escalation) nor an owner's
 * contact. Addresses, errors and receipts are masked for every reader (as the case view masks them); a message's
 * text and variables are shown whole only to the staff member it was sent to — for anyone else masked, and its
 * links withheld.
 */
function redactText(text: string, own: boolean): string {
  return own ? text : maskText(text.replace(secretLink, WITHHELD));
}
function redactVariables(v: Record<string, unknown>, own: boolean): Record<string, unknown> {
  if (own) return v;
  const out: Record<string, unknown> = {};
  for (const [k, value] of Object.entries(v ?? {}))
    out[k] = k === 'ackUrl' || k === 'visitUrl' || k === 'surveyUrl' ? null : maskValue(value);
  return out;
}
function redactItem<T extends NotificationListItem>(n: T): T {
  return {
    ...n,
    toAddress: n.toAddress === null ? null : maskText(n.toAddress),
    errorMessage: n.errorMessage === null ? null : maskText(n.errorMessage),
  };
}

/** Staff's view of notifications: lists (failed ones with their reason), detail with the receipt timeline, retry, template preview. */
@Injectable()
export class NotificationsService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async list(q: ListNotificationsQuery) {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: (n: string) => string, value: unknown) => {
      params.push(value);
      where.push(sql(`$${params.length}`));
    };
    if (q.caseId) add((n) => `n.case_id = ${n}`, q.caseId);
    if (q.ownerId) add((n) => `n.owner_id = ${n}`, q.ownerId);
    if (q.channel) add((n) => `n.channel = ANY(${n}::text[])`, q.channel);
    if (q.status) add((n) => `n.status = ANY(${n}::text[])`, q.status);
    if (q.kind) add((n) => `n.kind = ANY(${n}::text[])`, q.kind);
    const filter = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const [items, total] = await Promise.all([
      this.ds.query<NotificationListItem[]>(
        `SELECT ${columns} FROM notifications n LEFT JOIN cases c ON c.id = n.case_id ${filter} ORDER BY n.created_at DESC, n.id DESC LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
        [...params, q.pageSize, (q.page - 1) * q.pageSize],
      ),
      this.ds.query<Array<{ n: number }>>(`SELECT count(*)::int AS n FROM notifications n ${filter}`, params),
    ]);
    return {
      items: items.map((n) => redactItem(n)),
      total: total[0]?.n ?? 0,
      page: q.page,
      pageSize: q.pageSize,
    };
  }

  async detail(id: string, viewer: Viewer) {
    const [row] = await this.ds.query<
      Array<NotificationListItem & { subject: string | null; body: string | null; variables: Record<string, unknown> }>
    >(
      `SELECT ${columns}, n.subject, n.body, n.variables FROM notifications n LEFT JOIN cases c ON c.id = n.case_id WHERE n.id = $1`,
      [id],
    );
    if (!row) throw new AppException('not_found', `No notification ${id}.`);
    const receipts = await this.ds.query<ReceiptItem[]>(
      `SELECT occurred_at AS "occurredAt", status, source, detail, raw, created_at AS "recordedAt" FROM notification_receipts WHERE notification_id = $1 ORDER BY occurred_at, id`,
      [id],
    );
    const fallbacks = await this.ds.query<
      Array<{ id: string; channel: NotifyChannel | null; status: NotificationStatus }>
    >(`SELECT id, channel, status FROM notifications WHERE fallback_of_id = $1 ORDER BY created_at`, [id]);
    const own = row.staffId !== null && row.staffId === viewer.id;
    return {
      ...redactItem(row),
      subject: row.subject === null ? null : redactText(row.subject, own),
      body: row.body === null ? null : redactText(row.body, own),
      variables: redactVariables(row.variables, own),
      receipts: receipts.map((r) => ({
        ...r,
        detail: r.detail === null ? null : maskText(r.detail),
        raw: r.raw === null ? null : (maskValue(r.raw) as Record<string, unknown>),
      })),
      fallbacks,
    };
  }

  /**
   * A fresh attempt for a failed, undelivered or bounced notification. Exactly once: the move back to
   * pending is guarded by the status the staff member saw, so two clicks (or two staff) make one attempt;
   * its job goes through the outbox keyed by the retry's receipt, in the same transaction.
   */
  async retry(id: string, staff: StaffPrincipal) {
    return this.ds.transaction(async (m) => {
      const [row] = await m.query<Array<{ status: NotificationStatus; attempts: number }>>(
        `SELECT status, attempts FROM notifications WHERE id = $1 FOR UPDATE`,
        [id],
      );
      if (!row) throw new AppException('not_found', `No notification ${id}.`);
      if (!RETRYABLE.includes(row.status))
        throw new AppException(
          'illegal_transition',
          `Only failed, undelivered or bounced notifications can be retried; this one is ${row.status}.`,
          { status: row.status },
        );
      const now = this.clock.now();
      await m.query(
        `UPDATE notifications SET status = 'pending', not_before = $2, updated_at = now() WHERE id = $1 AND status = $3`,
        [id, now, row.status],
      );
      const [receipt] = await m.query<Array<{ id: string }>>(
        `INSERT INTO notification_receipts (notification_id, occurred_at, status, source, detail) VALUES ($1, $2, 'retry', 'staff', $3) RETURNING id`,
        [id, now, `retry requested by ${staff.name} (${staff.id}) after ${row.status}`],
      );
      await addToOutbox(m, 'notification-requested', { notificationId: id }, `notification-retry:${id}:${receipt!.id}`);
      return { id, status: 'pending', previousStatus: row.status };
    });
  }

  preview(kind: string, body: PreviewBody) {
    if (!(notificationKinds as readonly string[]).includes(kind))
      throw new AppException('not_found', `No template "${kind}"; kinds: ${notificationKinds.join(', ')}.`);
    let r;
    try {
      r = renderTemplate(kind as NotificationKind, body.variables, body.recipientName ?? null);
    } catch (err) {
      if (!(err instanceof TemplateVariablesError)) throw err;
      const fields = err.problems.map((p) => ({ field: `variables.${p.field}`, message: p.message }));
      throw new AppException('validation_failed', `Invalid variables: ${fields.map((f) => f.field).join(', ')}`, {
        fields,
      });
    }
    const sms = forChannel('sms', r, this.config.SMS_SIGNATURE);
    const email = forChannel('email', r, this.config.SMS_SIGNATURE);
    const letter = forChannel('letter', r, this.config.SMS_SIGNATURE);
    return {
      kind,
      text: r.text,
      sms: { body: sms.body, segments: smsSegments(sms.body), characters: sms.body.length },
      email: { subject: email.subject, text: email.body, html: email.html },
      letter: { subject: letter.subject, text: letter.body },
    };
  }
}
