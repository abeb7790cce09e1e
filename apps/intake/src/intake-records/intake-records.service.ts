import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AppException, type IntakeOutcome, type StaffPrincipal } from '@kefu/shared';
import { MailProcessingService, type ProcessResult } from '../mailbox/mail-processing.service';
import type { ListIntakeRecordsQuery } from './intake-records.dto';

export interface IntakeRecordRow {
  id: string;
  channel: string;
  source: string;
  externalId: string | null;
  receivedAt: string;
  outcome: IntakeOutcome;
  outcomeReason: string | null;
  attempts: number;
  processedAt: string | null;
  caseId: string | null;
  caseNumber: string | null;
  messageId: string | null;
  size: number | null;
  subject: string | null;
  from: unknown;
}

const columns = `
  r.id, r.channel, r.source, r.external_id AS "externalId", r.received_at AS "receivedAt", r.outcome, r.outcome_reason AS "outcomeReason",
  r.attempts, r.processed_at AS "processedAt", r.case_id AS "caseId", c.number AS "caseNumber", r.message_id AS "messageId",
  COALESCE((r.raw->>'size')::bigint, octet_length(r.raw_bytes)) AS size, r.raw->>'subject' AS subject, r.raw->'from' AS "from"`;

/** Outcomes that may be decided again from the stored bytes: anything else already became something. */
const REPROCESSABLE: IntakeOutcome[] = ['quarantined', 'pending'];

/** Inbound items as stored, for staff: above all the quarantine (why each mail was set aside) and re-processing it. */
@Injectable()
export class IntakeRecordsService {
  private readonly logger = new Logger(IntakeRecordsService.name);

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly processing: MailProcessingService,
  ) {}

  async list(
    q: ListIntakeRecordsQuery,
  ): Promise<{ items: IntakeRecordRow[]; total: number; page: number; pageSize: number }> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: (n: string) => string, value: unknown) => {
      params.push(value);
      where.push(sql(`$${params.length}`));
    };
    if (q.outcome) add((n) => `r.outcome = ANY(${n}::text[])`, q.outcome);
    if (q.channel) add((n) => `r.channel = ANY(${n}::text[])`, q.channel);
    if (q.source) add((n) => `r.source = ${n}`, q.source);
    const filter = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const [items, total] = await Promise.all([
      this.ds.query<IntakeRecordRow[]>(
        `SELECT ${columns} FROM intake_records r LEFT JOIN cases c ON c.id = r.case_id ${filter}
          ORDER BY r.received_at DESC, r.id DESC LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
        [...params, q.pageSize, (q.page - 1) * q.pageSize],
      ),
      this.ds.query<Array<{ n: number }>>(`SELECT count(*)::int AS n FROM intake_records r ${filter}`, params),
    ]);
    return {
      items: items.map((i) => ({ ...i, size: i.size === null ? null : Number(i.size) })),
      total: total[0]?.n ?? 0,
      page: q.page,
      pageSize: q.pageSize,
    };
  }

  async detail(id: string): Promise<
    IntakeRecordRow & {
      raw: unknown;
      hasRawBytes: boolean;
      attachments: Array<{
        id: string;
        role: string;
        filename: string;
        contentType: string;
        size: number;
        pageCount: number | null;
      }>;
    }
  > {
    const rows = await this.ds.query<Array<IntakeRecordRow & { raw: unknown; hasRawBytes: boolean }>>(
      `SELECT ${columns}, r.raw, r.raw_bytes IS NOT NULL AS "hasRawBytes" FROM intake_records r LEFT JOIN cases c ON c.id = r.case_id WHERE r.id = $1`,
      [id],
    );
    const row = rows[0];
    if (!row) throw new AppException('not_found', `No intake record ${id}.`);
    const attachments = await this.ds.query<
      Array<{ id: string; role: string; filename: string; contentType: string; size: number; pageCount: number | null }>
    >(
      `SELECT id, role, filename, content_type AS "contentType", size, page_count AS "pageCount" FROM attachments WHERE intake_record_id = $1 ORDER BY created_at, id`,
      [id],
    );
    return { ...row, size: row.size === null ? null : Number(row.size), attachments };
  }

  /** The stored message exactly as received (message/rfc822), for staff to inspect a quarantined mail. */
  async rawBytes(id: string): Promise<Buffer> {
    const rows = await this.ds.query<Array<{ raw_bytes: Buffer | null }>>(
      `SELECT raw_bytes FROM intake_records WHERE id = $1`,
      [id],
    );
    if (!rows[0]) throw new AppException('not_found', `No intake record ${id}.`);
    if (!rows[0].raw_bytes)
      throw new AppException('not_found', `Intake record ${id} has no stored message (only mail keeps its raw bytes).`);
    return rows[0].raw_bytes;
  }

  /** Runs processing again from the stored bytes (after a fix, a raised limit); attempts + 1. */
  async reprocess(id: string, staff: StaffPrincipal): Promise<{ result: ProcessResult; record: IntakeRecordRow }> {
    const rows = await this.ds.query<Array<{ outcome: IntakeOutcome; has_bytes: boolean }>>(
      `SELECT outcome, raw_bytes IS NOT NULL AS has_bytes FROM intake_records WHERE id = $1`,
      [id],
    );
    const row = rows[0];
    if (!row) throw new AppException('not_found', `No intake record ${id}.`);
    if (!row.has_bytes)
      throw new AppException('conflict', 'Only mail can be re-processed: this record has no stored message.');
    if (!REPROCESSABLE.includes(row.outcome))
      throw new AppException(
        'conflict',
        `This record was already processed (${row.outcome}); only quarantined or pending mail can be re-processed.`,
        { outcome: row.outcome },
      );
    await this.ds.query(
      `UPDATE intake_records SET raw = COALESCE(raw, '{}'::jsonb) || jsonb_build_object('reprocessRequestedBy', $2::text, 'reprocessRequestedAt', now()) WHERE id = $1`,
      [id, staff.id],
    );
    const result = await this.processing.processStored(id, REPROCESSABLE);
    if (!result) throw new AppException('conflict', 'This record was processed by someone else meanwhile.');
    this.logger.log({ intakeRecordId: id, by: staff.id, outcome: result.outcome }, 'intake record re-processed');
    return { result, record: await this.detail(result.recordId) };
  }
}
