import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { isForwardTransition, notificationStatuses, type NotificationStatus } from '@kefu/shared';
import {
  letterStatusesBefore,
  letterStatusOf,
  notificationStatusOf,
  parseTrackingCsv,
  type RowProblem,
  type TrackingRow,
} from './tracking';

export interface TrackingReport {
  rows: number;
  recorded: number;
  duplicates: number;
  problems: RowProblem[];
}

/**
 * The carrier's tracking export applied: one receipt per line (source 'ems', deduped by waybill + time +
 * action) and the letter — and, for 妥投 and 退回, the notification — moved forward only.
 */
@Injectable()
export class LetterTrackingService {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  /** Each usable line of the export in its own transaction; unknown waybills and unreadable lines by row. */
  async importTracking(text: string): Promise<TrackingReport> {
    const { lines, rows, problems } = parseTrackingCsv(text);
    let recorded = 0;
    let duplicates = 0;
    for (const r of rows) {
      const outcome = await this.ds.transaction((m) => this.applyTracking(m, r));
      if (outcome === 'unknown')
        problems.push({ row: r.row, waybill: r.waybill, message: 'no letter has this waybill number' });
      else if (outcome === 'duplicate') duplicates++;
      else recorded++;
    }
    problems.sort((a, b) => a.row - b.row);
    return { rows: lines, recorded, duplicates, problems };
  }

  private async applyTracking(m: EntityManager, r: TrackingRow): Promise<'unknown' | 'duplicate' | 'recorded'> {
    const letter = (
      await m.query<Array<{ id: string; notification_id: string }>>(
        `SELECT id, notification_id FROM letters WHERE waybill = $1`,
        [r.waybill],
      )
    )[0];
    if (!letter) return 'unknown';
    const detail = [r.action, r.place, r.signer && `签收人：${r.signer}`].filter(Boolean).join(' ');
    const inserted = await m.query<Array<{ id: string }>>(
      `INSERT INTO notification_receipts (notification_id, occurred_at, status, source, detail, raw, dedupe_key)
       VALUES ($1, $2, $3, 'ems', $4, $5, $6) ON CONFLICT (dedupe_key) WHERE dedupe_key IS NOT NULL DO NOTHING RETURNING id`,
      [
        letter.notification_id,
        r.occurredAt,
        r.event,
        detail.slice(0, 1000),
        JSON.stringify({ ...r.raw, event: r.event }),
        `ems:${r.waybill}:${r.occurredAt.toISOString()}:${r.action}`.slice(0, 300),
      ],
    );
    if (inserted.length === 0) return 'duplicate';
    const to = letterStatusOf[r.event];
    await m.query(
      `UPDATE letters SET status = CASE WHEN status = ANY($3::text[]) THEN $2::text ELSE status END,
              signer = CASE WHEN $2::text = 'signed_for' THEN COALESCE($4::text, signer) ELSE signer END,
              signed_at = CASE WHEN $2::text = 'signed_for' THEN COALESCE(signed_at, $5::timestamptz) ELSE signed_at END,
              last_event_at = GREATEST(last_event_at, $5::timestamptz), updated_at = now()
        WHERE id = $1`,
      [letter.id, to, letterStatusesBefore(to), r.signer, r.occurredAt],
    );
    const settles = notificationStatusOf[r.event];
    if (settles) {
      const from = notificationStatuses.filter((s) => isForwardTransition(s, settles));
      await m.query(
        `UPDATE notifications SET status = $2::text, delivered_at = CASE WHEN $2::text = 'signed_for' THEN $4::timestamptz ELSE delivered_at END,
                error_message = CASE WHEN $2::text = 'returned' THEN $5::text ELSE error_message END, updated_at = now()
          WHERE id = $1 AND status = ANY($3::text[])`,
        [letter.notification_id, settles satisfies NotificationStatus, from, r.occurredAt, `EMS: ${r.action}`],
      );
    }
    return 'recorded';
  }
}
