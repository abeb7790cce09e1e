import type { EntityManager } from 'typeorm';
import type { AttachmentRole, DeliveryReport, IntakeOutcome } from '@kefu/shared';
import { IntakeRecordDecided } from '../cases/case-intake.types';
import type { MailPart } from './mail-parse';

/** TypeORM answers UPDATE/DELETE … RETURNING with [rows, affected]; INSERT … RETURNING with the rows. */
export async function returning<T>(m: EntityManager, sql: string, params: unknown[]): Promise<T[]> {
  const res: unknown = await m.query(sql, params);
  if (Array.isArray(res) && res.length === 2 && Array.isArray(res[0]) && typeof res[1] === 'number')
    return res[0] as T[];
  return res as T[];
}

export interface RecordOutcome {
  outcome: IntakeOutcome;
  reason: string;
  summary: Record<string, unknown> | null;
  caseId?: string;
  /** A delivery or feedback report, parsed once here and read by the notifier from this row. */
  deliveryReport?: DeliveryReport;
}

/** Sets a stored mail's outcome, guarded by its current outcome (so it is decided once). */
export async function finishRecord(
  m: EntityManager,
  id: string,
  allow: IntakeOutcome[],
  o: RecordOutcome,
  attempt: 0 | 1,
): Promise<void> {
  const rows = await returning<{ id: string }>(
    m,
    `UPDATE intake_records SET outcome = $2, outcome_reason = $3, case_id = $4, attempts = attempts + $7, processed_at = now(),
            raw = COALESCE(raw, '{}'::jsonb) || $5::jsonb, delivery_report = $8::jsonb
      WHERE id = $1 AND outcome = ANY($6::text[]) RETURNING id`,
    [
      id,
      o.outcome,
      o.reason,
      o.caseId ?? null,
      JSON.stringify(o.summary ?? {}),
      allow,
      attempt,
      o.deliveryReport ? JSON.stringify(o.deliveryReport) : null,
    ],
  );
  if (rows.length !== 1) throw new IntakeRecordDecided(`intake record ${id} was decided meanwhile`);
}

/** An attachment row of a mail part (the fax document with its page count and text layer), by AttachmentEntity property. */
export function partRow(
  part: MailPart,
  fax: { pages: number | null; text: string | null } | null,
): Record<string, unknown> {
  return {
    role: fax ? 'fax_document' : part.role,
    filename: part.filename,
    contentType: part.contentType,
    size: part.size,
    sha256: part.sha256,
    contentId: part.contentId,
    pageCount: fax ? fax.pages : null,
    extractedText: fax ? fax.text : null,
    data: part.content,
  };
}

/** Attachments and inline images of a mail added to an existing case, bytes in Postgres with the case. */
export async function insertParts(
  m: EntityManager,
  caseId: string,
  recordId: string,
  parts: MailPart[],
): Promise<Array<{ id: string; filename: string; role: AttachmentRole }>> {
  const out: Array<{ id: string; filename: string; role: AttachmentRole }> = [];
  for (const part of parts) {
    const r = partRow(part, null);
    const rows = await m.query<Array<{ id: string }>>(
      `INSERT INTO attachments (case_id, intake_record_id, role, filename, content_type, size, sha256, content_id, page_count, extracted_text, data)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
      [
        caseId,
        recordId,
        r.role,
        r.filename,
        r.contentType,
        r.size,
        r.sha256,
        r.contentId,
        r.pageCount,
        r.extractedText,
        r.data,
      ],
    );
    out.push({ id: rows[0]!.id, filename: part.filename, role: part.role });
  }
  return out;
}
