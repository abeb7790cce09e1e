import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import {
  APP_CONFIG,
  AppException,
  excelCsv,
  type AppConfig,
  type LetterStatus,
  type StaffPrincipal,
} from '@kefu/shared';
import type { ListLettersQuery, RecordWaybillsDto } from './letters.dto';
import { findColumn, parseCsvRows, type RowProblem } from './tracking';
import { checkWaybill } from './waybill';
import { LetterTrackingService, type TrackingReport } from './letter-tracking.service';

export type { TrackingReport };

export interface LetterView {
  id: string;
  notificationId: string;
  reference: string;
  status: LetterStatus;
  recipientName: string;
  postalAddress: string;
  postcode: string | null;
  pdfSize: number;
  manifestId: string | null;
  waybill: string | null;
  signer: string | null;
  postedAt: Date | null;
  lastEventAt: Date | null;
  signedAt: Date | null;
  createdAt: Date;
}

export type WaybillItem = RecordWaybillsDto['items'][number] & { row?: number };

export interface WaybillReport {
  recorded: number;
  unchanged: number;
}

/** Lines of a manifest: what a bulk EMS order (大宗邮件 / 批量寄件) needs per item. */
const MANIFEST_HEADER = [
  '序号',
  '收件人',
  '收件人电话',
  '收件地址',
  '邮编',
  '参考号',
  '重量(千克)',
  '内件',
  '件数',
  '寄件人',
  '寄件人电话',
  '寄件地址',
  '邮件号',
];
/** A one-page A4 letter in a C5/DL envelope weighs about 20 g; the post office weighs each item anyway. */
const LETTER_WEIGHT_KG = '0.02';
const ITEM_TYPE = '文件';

const columns = `l.id, l.notification_id AS "notificationId", l.reference, l.status, l.recipient_name AS "recipientName", l.postal_address AS "postalAddress",
  l.postcode, l.pdf_size AS "pdfSize", l.manifest_id AS "manifestId", l.waybill, l.signer, l.posted_at AS "postedAt", l.last_event_at AS "lastEventAt",
  l.signed_at AS "signedAt", l.created_at AS "createdAt"`;

@Injectable()
export class LettersService {
  private readonly logger = new Logger(LettersService.name);

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly tracking: LetterTrackingService,
  ) {}

  async list(q: ListLettersQuery): Promise<{ items: LetterView[]; total: number; page: number; pageSize: number }> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (q.notificationId) where.push(`l.notification_id = $${params.push(q.notificationId)}`);
    if (q.status) where.push(`l.status = ANY($${params.push(q.status)}::text[])`);
    if (q.manifestId) where.push(`l.manifest_id = $${params.push(q.manifestId)}`);
    const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const [{ total }] = await this.ds.query<[{ total: number }]>(
      `SELECT count(*)::int AS total FROM letters l ${w}`,
      params,
    );
    const items = await this.ds.query<LetterView[]>(
      `SELECT ${columns} FROM letters l ${w} ORDER BY l.created_at DESC, l.id LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, q.pageSize, (q.page - 1) * q.pageSize],
    );
    return { items, total, page: q.page, pageSize: q.pageSize };
  }

  async pdf(id: string): Promise<{ reference: string; pdf: Buffer }> {
    const rows = await this.ds.query<Array<{ reference: string; pdf: Buffer }>>(
      `SELECT reference, pdf FROM letters WHERE id = $1`,
      [id],
    );
    if (!rows[0]) throw new AppException('not_found', `Letter ${id} not found.`);
    return rows[0];
  }

  /** Puts every letter not yet in a manifest into a new one (oldest first), or answers 409 when there is none. */
  async createManifest(staff: StaffPrincipal): Promise<{ id: string; letterCount: number }> {
    return this.ds.transaction(async (m) => {
      const [manifest] = await m.query<[{ id: string }]>(
        `INSERT INTO letter_manifests (letter_count, created_by_id) VALUES (0, $1) RETURNING id`,
        [staff.id],
      );
      const picked = await m.query<Array<{ id: string }>>(
        `SELECT id FROM letters WHERE manifest_id IS NULL AND status = 'generated' ORDER BY created_at, id LIMIT 10000 FOR UPDATE SKIP LOCKED`,
      );
      await m.query(
        `UPDATE letters SET manifest_id = $1, status = 'manifested', updated_at = now() WHERE id = ANY($2::uuid[])`,
        [manifest.id, picked.map((p) => p.id)],
      );
      if (picked.length === 0) throw new AppException('conflict', 'No letters are waiting for a manifest.');
      await m.query(`UPDATE letter_manifests SET letter_count = $2 WHERE id = $1`, [manifest.id, picked.length]);
      return { id: manifest.id, letterCount: picked.length };
    });
  }

  async manifests(): Promise<
    Array<{ id: string; letterCount: number; createdAt: Date; createdBy: string | null; withWaybill: number }>
  > {
    return this.ds.query(
      `SELECT m.id, m.letter_count AS "letterCount", m.created_at AS "createdAt", s.name AS "createdBy",
              (SELECT count(*)::int FROM letters l WHERE l.manifest_id = m.id AND l.waybill IS NOT NULL) AS "withWaybill"
         FROM letter_manifests m LEFT JOIN staff s ON s.id = m.created_by_id ORDER BY m.created_at DESC LIMIT 200`,
    );
  }

  /** The manifest as CSV for the post office: UTF-8 with BOM (Excel opens it as UTF-8), CRLF lines, an empty 邮件号 column to fill in. */
  async manifestCsv(id: string): Promise<string> {
    const exists = await this.ds.query<Array<{ id: string }>>(`SELECT id FROM letter_manifests WHERE id = $1`, [id]);
    if (!exists[0]) throw new AppException('not_found', `Manifest ${id} not found.`);
    const rows = await this.ds.query<
      Array<{
        recipient_name: string;
        phone: string | null;
        postal_address: string;
        postcode: string | null;
        reference: string;
        waybill: string | null;
      }>
    >(
      `SELECT recipient_name, phone, postal_address, postcode, reference, waybill FROM letters WHERE manifest_id = $1 ORDER BY created_at, id`,
      [id],
    );
    const c = this.config;
    const company = [c.LETTER_COMPANY_NAME, c.LETTER_COMPANY_HOTLINE, c.LETTER_COMPANY_ADDRESS];
    return excelCsv([
      MANIFEST_HEADER,
      ...rows.map((r, i) => [
        i + 1,
        r.recipient_name,
        r.phone,
        r.postal_address,
        r.postcode,
        r.reference,
        LETTER_WEIGHT_KG,
        ITEM_TYPE,
        1,
        ...company,
        r.waybill,
      ]),
    ]);
  }

  /** The waybill numbers of a filled-in manifest CSV (参考号 + 邮件号 columns; other columns ignored). */
  waybillsFromCsv(text: string): WaybillItem[] {
    let lines: string[][];
    try {
      lines = parseCsvRows(text);
    } catch (err) {
      throw new AppException('bad_request', `Not a CSV file: ${err instanceof Error ? err.message : String(err)}`);
    }
    const header = lines[0] ?? [];
    const ref = findColumn(header, ['参考号', 'reference']);
    const way = findColumn(header, ['邮件号', '邮件号码', '运单号', 'waybill']);
    if (ref < 0 || way < 0)
      throw new AppException('bad_request', 'The CSV needs the columns 参考号 (reference) and 邮件号 (waybill).');
    // Lines whose 邮件号 is still empty are letters not posted yet: skipped, not refused.
    return lines
      .slice(1)
      .map((cells, i) => ({ row: i + 2, reference: (cells[ref] ?? '').trim(), waybill: (cells[way] ?? '').trim() }))
      .filter((i) => i.waybill)
      .map((i) => ({ row: i.row, reference: i.reference || '(none)', waybill: i.waybill }));
  }

  /**
   * Records waybill numbers, all or nothing: every row is checked (format and S10 check digit, known
   * letter, number not on another letter) and any problem refuses the whole upload with one line per
   * bad row (row 1 = the first JSON item; a CSV line's number in the file). Re-recording the same
   * number is a no-op.
   */
  async recordWaybills(items: WaybillItem[]): Promise<WaybillReport> {
    return this.ds.transaction(async (m) => {
      const problems: RowProblem[] = [];
      const seen = new Map<string, number>();
      const updates: Array<{ id: string; waybill: string; current: string | null }> = [];
      for (const [i, item] of items.entries()) {
        const row = item.row ?? i + 1;
        const check = checkWaybill(item.waybill);
        if (!check.ok) {
          problems.push({ row, message: check.reason });
          continue;
        }
        const letter = (
          await m.query<Array<{ id: string; waybill: string | null }>>(
            item.letterId
              ? `SELECT id, waybill FROM letters WHERE id = $1 FOR UPDATE`
              : `SELECT id, waybill FROM letters WHERE reference = $1 FOR UPDATE`,
            [item.letterId ?? item.reference?.toUpperCase()],
          )
        )[0];
        if (!letter) {
          problems.push({
            row,
            waybill: check.waybill,
            message: `no letter with ${item.letterId ? `id ${item.letterId}` : `reference ${item.reference}`}`,
          });
          continue;
        }
        if (letter.waybill && letter.waybill !== check.waybill) {
          problems.push({ row, waybill: check.waybill, message: `the letter already has waybill ${letter.waybill}` });
          continue;
        }
        const earlier = seen.get(check.waybill);
        if (earlier !== undefined) {
          problems.push({ row, waybill: check.waybill, message: `the same waybill is on row ${earlier}` });
          continue;
        }
        seen.set(check.waybill, row);
        const other = await m.query<Array<{ reference: string }>>(
          `SELECT reference FROM letters WHERE waybill = $1 AND id <> $2`,
          [check.waybill, letter.id],
        );
        if (other[0]) {
          problems.push({
            row,
            waybill: check.waybill,
            message: `waybill already recorded for letter ${other[0].reference}`,
          });
          continue;
        }
        updates.push({ id: letter.id, waybill: check.waybill, current: letter.waybill });
      }
      if (problems.length) {
        throw new AppException(
          'validation_failed',
          `${problems.length} row(s) refused; nothing was recorded: ${problems
            .slice(0, 5)
            .map((p) => `row ${p.row}: ${p.message}`)
            .join('; ')}`,
          { rows: problems },
        );
      }
      let recorded = 0;
      for (const u of updates.filter((x) => x.current === null)) {
        await m.query(
          `UPDATE letters SET waybill = $2, status = CASE WHEN status IN ('generated', 'manifested') THEN 'posted' ELSE status END,
                  posted_at = COALESCE(posted_at, now()), updated_at = now() WHERE id = $1`,
          [u.id, u.waybill],
        );
        // notifications.provider_id of a letter is its EMS waybill number once the post office gave one.
        await m.query(
          `UPDATE notifications SET provider_id = $2, updated_at = now() WHERE id = (SELECT notification_id FROM letters WHERE id = $1)`,
          [u.id, u.waybill],
        );
        recorded++;
      }
      return { recorded, unchanged: updates.length - recorded };
    });
  }

  /**
   * Imports the carrier's tracking export. Each usable line becomes one receipt (source 'ems', deduped
   * by waybill + time + action, so a re-import changes nothing) and moves the letter — and, for 妥投 and
   * 退回, the notification — forward only. Unknown waybills and unreadable lines are reported by row.
   */
  async importTracking(text: string): Promise<TrackingReport> {
    const report = await this.tracking.importTracking(text);
    if (report.problems.length)
      this.logger.warn(
        { problems: report.problems.length, recorded: report.recorded },
        'tracking import had rows it could not use',
      );
    return report;
  }
}
