import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import {
  addDays,
  APP_CONFIG,
  AppException,
  CLOCK,
  decodeCsv,
  OnTask,
  zonedParts,
  type AppConfig,
  type Clock,
  type NotifyChannel,
  type StaffPrincipal,
} from '@kefu/shared';
import { parseBatchCsv, type CsvProblem, type CsvRow } from './certificate-csv';
import type { BatchFields, CollectionDto } from './certificate.dto';
import { maskIdNumber } from './id-mask';
import { groupBatchRows, type ResolvedUnit } from './certificate-batch-rows';
import { CertificateNotices, type Stage } from './certificate-notices';
import { CertificateViews } from './certificate-views';

export const CERTIFICATE_REMINDERS_TASK = 'certificate-reminders';

export interface BatchProgress {
  units: number;
  /** Owner notices (one per owner of each unit). */
  owners: number;
  /** Owners asked at least one first-notice message. */
  notified: number;
  /** Owners at least one of whose messages was delivered (SMS/email delivered, letter signed for). */
  delivered: number;
  /** EMS letters signed for (from EMS tracking). */
  lettersSignedFor: number;
  collected: number;
  outstanding: number;
  /** Messages by stage, channel and status. */
  messages: Array<{ stage: Stage; channel: NotifyChannel; status: string; count: number }>;
}

export interface BatchView {
  id: string;
  projectId: string;
  estateName: string;
  reference: string | null;
  place: string;
  hours: string;
  documents: string[];
  fromDate: string;
  deadline: string;
  reminderAfterDays: number;
  finalReminderDaysBefore: number;
  createdAt: string;
  progress: BatchProgress;
}

export interface CreatedBatch extends BatchView {
  /** Owners we could not reach on a channel the notice needs (no mobile, no postal address). */
  unreachable: Array<{ unitId: string; ownerId: string; missing: NotifyChannel[] }>;
}

/** One unit of a batch: its owners' notices and whether its certificate has been collected. */
export interface BatchUnitView {
  unitId: string;
  unitLabel: string;
  owners: number;
  notified: number;
  delivered: number;
  lettersSignedFor: number;
  collection: { collectedBy: string; relation: string; idNumberMasked: string; collectedOn: string } | null;
}

/**
 * 办证通知 (000 §6.2.2): finance's batches, an SMS, an EMS letter and an email where known to every owner,
 * the collection sign-off record, reminders to those who have not collected, and the batch's progress.
 */
@Injectable()
export class CertificateService {
  private readonly logger = new Logger(CertificateService.name);

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly notices: CertificateNotices,
    private readonly views: CertificateViews,
  ) {}

  private today(): string {
    return zonedParts(this.clock.now(), this.config.BUSINESS_TIME_ZONE).day;
  }

  async create(fields: BatchFields, unitIds: string[], staff: StaffPrincipal): Promise<CreatedBatch> {
    const { id, unreachable } = await this.ds.transaction(async (m) => {
      const known = await m.query<Array<{ id: string }>>(
        `SELECT id FROM units WHERE id = ANY($1::uuid[]) AND project_id = $2`,
        [unitIds, fields.projectId],
      );
      const missing = unitIds.filter((u) => !known.some((k) => k.id === u));
      if (missing.length) {
        throw new AppException('validation_failed', 'Invalid input: unitIds', {
          fields: missing.map((u) => ({
            field: `unitIds.${unitIds.indexOf(u)}`,
            message: `${u} is not a unit of this estate`,
          })),
        });
      }
      return this.notices.insertBatch(m, fields, unitIds, staff);
    });
    return { ...(await this.get(id)), unreachable };
  }

  /**
   * CSV import: rows name estate, building, entrance, room and the batch fields; rows sharing estate and
   * batch fields form one batch. Every bad row is reported and nothing is imported unless all are good.
   */
  async importCsv(bytes: Buffer, staff: StaffPrincipal): Promise<{ encoding: string; batches: CreatedBatch[] }> {
    const { text, encoding } = decodeCsv(bytes);
    const { rows, problems } = parseBatchCsv(text);
    const report = (ps: CsvProblem[]) =>
      new AppException(
        'validation_failed',
        `The file has ${ps.length} problem${ps.length === 1 ? '' : 's'}; nothing was imported.`,
        { encoding, rows: ps.sort((a, b) => a.line - b.line) },
      );
    if (problems.length) throw report(problems);

    const ids = await this.resolveUnits(rows);
    const { groups, problems: rowProblems } = groupBatchRows(rows, ids);
    if (rowProblems.length) throw report(rowProblems);
    const created = await this.ds.transaction(async (m) => {
      const out: Array<{ id: string; unreachable: CreatedBatch['unreachable'] }> = [];
      for (const g of groups) out.push(await this.notices.insertBatch(m, g.fields, g.unitIds, staff));
      return out;
    });
    const batches: CreatedBatch[] = [];
    for (const c of created) batches.push({ ...(await this.get(c.id)), unreachable: c.unreachable });
    return { encoding, batches };
  }

  /** Units named in the rows, by estate code, building name, entrance and room. */
  private async resolveUnits(rows: CsvRow[]): Promise<Map<string, ResolvedUnit>> {
    const keys = rows.map((r) => [r.values.estate, r.values.building, r.values.entrance, r.values.room]);
    const found = await this.ds.query<Array<{ k: string; unitId: string; projectId: string }>>(
      `SELECT k.estate || '|' || k.building || '|' || k.entrance || '|' || k.room AS k, u.id AS "unitId", p.id AS "projectId"
       FROM jsonb_to_recordset($1::jsonb) AS k(estate text, building text, entrance text, room text)
       JOIN projects p ON p.code = k.estate
       JOIN buildings b ON b.project_id = p.id AND (b.name = k.building OR b.name = k.building || '栋')
       JOIN units u ON u.building_id = b.id AND u.entrance = k.entrance AND u.room = k.room`,
      [JSON.stringify(keys.map(([estate, building, entrance, room]) => ({ estate, building, entrance, room })))],
    );
    return new Map(found.map((f) => [f.k, { unitId: f.unitId, projectId: f.projectId }]));
  }

  list(projectId?: string): Promise<BatchView[]> {
    return this.views.list(projectId);
  }

  get(id: string): Promise<BatchView> {
    return this.views.get(id);
  }

  /** Per unit of a batch (for the console's batch detail and its sign-off form): owners notified, delivered, collected. */
  units(batchId: string): Promise<BatchUnitView[]> {
    return this.views.units(batchId);
  }

  /** The sign-off record (领取签收记录): one per unit per batch; the ID number is kept masked only. */
  async recordCollection(batchId: string, dto: CollectionDto, staff: StaffPrincipal): Promise<Record<string, unknown>> {
    const batch = await this.get(batchId);
    const inBatch = await this.ds.query<unknown[]>(
      `SELECT 1 FROM certificate_batch_units WHERE batch_id = $1 AND unit_id = $2`,
      [batchId, dto.unitId],
    );
    if (!inBatch.length)
      throw new AppException('validation_failed', 'Invalid input: unitId', {
        fields: [{ field: 'unitId', message: 'is not a unit of this batch' }],
      });
    const mask = maskIdNumber(dto.idType, dto.idNumber);
    if ('error' in mask)
      throw new AppException('validation_failed', 'Invalid input: idNumber', {
        fields: [{ field: 'idNumber', message: mask.error }],
      });
    if (dto.collectedOn < batch.fromDate || dto.collectedOn > this.today()) {
      throw new AppException('validation_failed', 'Invalid input: collectedOn', {
        fields: [{ field: 'collectedOn', message: `must be between ${batch.fromDate} and today` }],
      });
    }
    const rows = await this.ds.query<Array<Record<string, unknown>>>(
      `INSERT INTO certificate_collections (batch_id, unit_id, collected_by, relation, id_type, id_number_masked, collected_on, recorded_by_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (batch_id, unit_id) DO NOTHING
       RETURNING id, batch_id AS "batchId", unit_id AS "unitId", collected_by AS "collectedBy", relation, id_type AS "idType",
                 id_number_masked AS "idNumberMasked", to_char(collected_on, 'YYYY-MM-DD') AS "collectedOn", recorded_by_id AS "recordedById", created_at AS "createdAt"`,
      [batchId, dto.unitId, dto.collectedBy, dto.relation, dto.idType, mask.masked, dto.collectedOn, staff.id],
    );
    if (!rows[0]) throw new AppException('conflict', "This unit's certificate is already signed for in this batch.");
    return rows[0];
  }

  collections(batchId: string): Promise<Array<Record<string, unknown>>> {
    return this.views.collections(batchId);
  }

  /**
   * Reminders to owners who have not collected: after `reminderAfterDays` from the from-date, and a last
   * one `finalReminderDaysBefore` the deadline (if both are due, only the last). SMS, and email where
   * known. Keys make a rerun, a second instance or a catch-up after downtime send each once (late if
   * its day passed while we were down). Collected units get nothing more; nothing after the deadline.
   */
  @OnTask('scheduler', CERTIFICATE_REMINDERS_TASK, (c) => ({ pattern: '0 0 9-18 * * *', tz: c.BUSINESS_TIME_ZONE }))
  async sendReminders(): Promise<{ reminders: number }> {
    const today = this.today();
    const batches = await this.ds.query<Array<BatchFields & { id: string; estateName: string }>>(
      `SELECT cb.id, p.name AS "estateName", cb.reference, cb.place, cb.hours, cb.documents, to_char(cb.from_date, 'YYYY-MM-DD') AS "fromDate",
              to_char(cb.deadline, 'YYYY-MM-DD') AS deadline, cb.reminder_after_days AS "reminderAfterDays", cb.final_reminder_days_before AS "finalReminderDaysBefore"
       FROM certificate_batches cb JOIN projects p ON p.id = cb.project_id WHERE cb.deadline >= $1`,
      [today],
    );
    let reminders = 0;
    for (const b of batches) {
      const finalOn = addDays(b.deadline, -b.finalReminderDaysBefore);
      const reminderOn = addDays(b.fromDate, b.reminderAfterDays);
      const stage: Stage | null = today >= finalOn ? 'final_reminder' : today >= reminderOn ? 'reminder' : null;
      if (!stage) continue;
      const dueOn = stage === 'final_reminder' ? finalOn : reminderOn;
      reminders += await this.ds.transaction((m) => this.notices.remind(m, b, stage, dueOn < today));
    }
    if (reminders) this.logger.log({ reminders }, 'certificate reminders');
    return { reminders };
  }
}
