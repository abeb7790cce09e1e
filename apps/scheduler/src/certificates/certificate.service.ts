import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import {
  addDays,
  APP_CONFIG,
  AppException,
  CLOCK,
  decodeCsv,
  notificationKeys,
  OnTask,
  requestNotification,
  unitLabelSql,
  zonedParts,
  type AppConfig,
  type Clock,
  type NotifyChannel,
  type StaffPrincipal,
} from '@kefu/shared';
import { parseBatchCsv, type CsvProblem, type CsvRow } from './certificate-csv';
import { batchFieldsSchema, type BatchFields, type CollectionDto } from './certificate.dto';
import { maskIdNumber } from './id-mask';

export const CERTIFICATE_REMINDERS_TASK = 'certificate-reminders';
type Stage = 'notice' | 'reminder' | 'final_reminder';

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

interface UnitOwner {
  unitId: string;
  unitLabel: string;
  ownerId: string;
  mobiles: string[];
  email: string | null;
  postalAddress: string | null;
}

const unitLabel = unitLabelSql('u', 'b');

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
      return this.insertBatch(m, fields, unitIds, staff);
    });
    return { ...(await this.get(id)), unreachable };
  }

  private async assertProject(
    m: Pick<EntityManager, 'query'>,
    projectId: string,
  ): Promise<{ name: string; code: string }> {
    const [p] = await m.query<Array<{ name: string; code: string }>>(`SELECT name, code FROM projects WHERE id = $1`, [
      projectId,
    ]);
    if (!p)
      throw new AppException('validation_failed', 'Invalid input: projectId', {
        fields: [{ field: 'projectId', message: 'is not an estate' }],
      });
    return p;
  }

  /** The batch, its units, one notice per current owner, and the first SMS / letter / email of each. */
  private async insertBatch(
    m: EntityManager,
    f: BatchFields,
    unitIds: string[],
    staff: StaffPrincipal,
  ): Promise<{ id: string; unreachable: CreatedBatch['unreachable'] }> {
    const project = await this.assertProject(m, f.projectId);
    const [batch] = await m.query<Array<{ id: string }>>(
      `INSERT INTO certificate_batches (project_id, reference, place, hours, documents, from_date, deadline, reminder_after_days, final_reminder_days_before, created_by_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
      [
        f.projectId,
        f.reference ?? null,
        f.place,
        f.hours,
        f.documents,
        f.fromDate,
        f.deadline,
        f.reminderAfterDays,
        f.finalReminderDaysBefore,
        staff.id,
      ],
    );
    const batchId = batch!.id;
    await m.query(`INSERT INTO certificate_batch_units (batch_id, unit_id) SELECT $1, unnest($2::uuid[])`, [
      batchId,
      unitIds,
    ]);
    const owners = await m.query<UnitOwner[]>(
      `SELECT u.id AS "unitId", ${unitLabel} AS "unitLabel", o.id AS "ownerId", o.mobiles, o.email, o.postal_address AS "postalAddress"
       FROM units u JOIN buildings b ON b.id = u.building_id
       JOIN owner_units ou ON ou.unit_id = u.id AND ou.until IS NULL JOIN owners o ON o.id = ou.owner_id
       WHERE u.id = ANY($1::uuid[]) ORDER BY u.id, ou.is_primary_contact DESC, o.id`,
      [unitIds],
    );
    const unreachable: CreatedBatch['unreachable'] = [];
    for (const o of owners) {
      const [notice] = await m.query<Array<{ id: string }>>(
        `INSERT INTO certificate_notices (batch_id, unit_id, owner_id) VALUES ($1, $2, $3) RETURNING id`,
        [batchId, o.unitId, o.ownerId],
      );
      const channels: NotifyChannel[] = [];
      const missing: NotifyChannel[] = [];
      (o.mobiles.length ? channels : missing).push('sms');
      (o.postalAddress ? channels : missing).push('letter');
      if (o.email) channels.push('email');
      if (missing.length) unreachable.push({ unitId: o.unitId, ownerId: o.ownerId, missing });
      await this.ask(
        m,
        { batchId, noticeId: notice!.id, unitId: o.unitId, ownerId: o.ownerId, unitLabel: o.unitLabel },
        { ...f, estateName: project.name },
        'notice',
        channels,
        false,
      );
    }
    return { id: batchId, unreachable };
  }

  private async ask(
    m: EntityManager,
    n: { batchId: string; noticeId: string; unitId: string; ownerId: string; unitLabel: string },
    f: Pick<BatchFields, 'place' | 'hours' | 'documents' | 'fromDate' | 'deadline' | 'reference'> & {
      estateName: string;
    },
    stage: Stage,
    channels: NotifyChannel[],
    late: boolean,
  ): Promise<number> {
    let created = 0;
    for (const channel of channels) {
      const r = await requestNotification(m, {
        idempotencyKey: notificationKeys.certificate({
          batchId: n.batchId,
          unitId: n.unitId,
          ownerId: n.ownerId,
          stage,
          channel,
        }),
        kind: 'certificate_collection',
        recipient: { ownerId: n.ownerId },
        channel,
        late,
        source: { type: 'certificate_notice', id: n.noticeId },
        variables: {
          estateName: f.estateName,
          unitLabel: n.unitLabel,
          place: f.place,
          hours: f.hours,
          documents: f.documents,
          fromDate: f.fromDate,
          deadline: f.deadline,
          stage,
          reference: f.reference ?? null,
        },
      });
      if (r.created) created++;
    }
    return created;
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

    const groups = new Map<string, { fields: BatchFields; unitIds: string[] }>();
    const seen = new Map<string, number>();
    const ids = await this.resolveUnits(rows);
    for (const row of rows) {
      const v = row.values;
      const key = `${v.estate}|${v.building}|${v.entrance}|${v.room}`;
      const first = seen.get(key);
      if (first) {
        problems.push({
          line: row.line,
          message: `duplicates line ${first} (${v.building}${v.entrance ? `${v.entrance}单元` : ''}${v.room})`,
        });
        continue;
      }
      seen.set(key, row.line);
      const unit = ids.get(key);
      if (!unit) {
        problems.push({
          line: row.line,
          field: 'room',
          message: `no unit ${v.building}${v.entrance ? ` ${v.entrance}单元` : ''} ${v.room} in estate ${v.estate || '(blank)'}`,
        });
      }
      const parsed = batchFieldsSchema.safeParse({
        projectId: unit?.projectId ?? '00000000-0000-4000-8000-000000000000',
        reference: v.reference || null,
        place: v.place,
        hours: v.hours,
        documents: v.documents
          .split(/[;；、|\n]/)
          .map((d) => d.trim())
          .filter(Boolean),
        fromDate: v.fromDate,
        deadline: v.deadline,
      });
      if (!parsed.success) {
        for (const i of parsed.error.issues)
          problems.push({ line: row.line, field: String(i.path[0] ?? ''), message: i.message });
        continue;
      }
      if (parsed.data.deadline < parsed.data.fromDate) {
        problems.push({ line: row.line, field: 'deadline', message: 'is before the from date' });
        continue;
      }
      if (!unit) continue;
      const f = parsed.data;
      const gk = JSON.stringify([f.projectId, f.reference, f.place, f.hours, f.documents, f.fromDate, f.deadline]);
      const g = groups.get(gk) ?? { fields: f, unitIds: [] };
      g.unitIds.push(unit.unitId);
      groups.set(gk, g);
    }
    if (problems.length) throw report(problems);
    const created = await this.ds.transaction(async (m) => {
      const out: Array<{ id: string; unreachable: CreatedBatch['unreachable'] }> = [];
      for (const g of groups.values()) out.push(await this.insertBatch(m, g.fields, g.unitIds, staff));
      return out;
    });
    const batches: CreatedBatch[] = [];
    for (const c of created) batches.push({ ...(await this.get(c.id)), unreachable: c.unreachable });
    return { encoding, batches };
  }

  /** Units named in the rows, by estate code, building name, entrance and room. */
  private async resolveUnits(rows: CsvRow[]): Promise<Map<string, { unitId: string; projectId: string }>> {
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

  async list(projectId?: string): Promise<BatchView[]> {
    const ids = await this.ds.query<Array<{ id: string }>>(
      `SELECT id FROM certificate_batches WHERE $1::uuid IS NULL OR project_id = $1 ORDER BY created_at DESC LIMIT 200`,
      [projectId ?? null],
    );
    const out: BatchView[] = [];
    for (const { id } of ids) out.push(await this.get(id));
    return out;
  }

  async get(id: string): Promise<BatchView> {
    const [b] = await this.ds.query<Array<Omit<BatchView, 'progress'>>>(
      `SELECT cb.id, cb.project_id AS "projectId", p.name AS "estateName", cb.reference, cb.place, cb.hours, cb.documents,
              to_char(cb.from_date, 'YYYY-MM-DD') AS "fromDate", to_char(cb.deadline, 'YYYY-MM-DD') AS deadline,
              cb.reminder_after_days AS "reminderAfterDays", cb.final_reminder_days_before AS "finalReminderDaysBefore", cb.created_at AS "createdAt"
       FROM certificate_batches cb JOIN projects p ON p.id = cb.project_id WHERE cb.id = $1`,
      [id],
    );
    if (!b) throw new AppException('not_found', `There is no certificate batch ${id}.`);
    return { ...b, progress: await this.progress(id) };
  }

  private async progress(batchId: string): Promise<BatchProgress> {
    const [counts] = await this.ds.query<Array<Omit<BatchProgress, 'messages' | 'outstanding'>>>(
      `SELECT (SELECT count(*) FROM certificate_batch_units WHERE batch_id = $1)::int AS units,
              (SELECT count(*) FROM certificate_notices WHERE batch_id = $1)::int AS owners,
              count(DISTINCT cn.id) FILTER (WHERE n.variables->>'stage' = 'notice')::int AS notified,
              count(DISTINCT cn.id) FILTER (WHERE n.status IN ('delivered', 'signed_for'))::int AS delivered,
              count(*) FILTER (WHERE n.channel = 'letter' AND n.status = 'signed_for')::int AS "lettersSignedFor",
              (SELECT count(*) FROM certificate_collections WHERE batch_id = $1)::int AS collected
       FROM certificate_notices cn
       LEFT JOIN notifications n ON n.source_type = 'certificate_notice' AND n.source_id = cn.id
       WHERE cn.batch_id = $1`,
      [batchId],
    );
    const messages = await this.ds.query<BatchProgress['messages']>(
      `SELECT n.variables->>'stage' AS stage, n.channel, n.status, count(*)::int AS count
       FROM certificate_notices cn JOIN notifications n ON n.source_type = 'certificate_notice' AND n.source_id = cn.id
       WHERE cn.batch_id = $1 GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
      [batchId],
    );
    const c = counts!;
    return { ...c, outstanding: c.units - c.collected, messages };
  }

  /** Per unit of a batch (for the console's batch detail and its sign-off form): owners notified, delivered, collected. */
  async units(batchId: string): Promise<BatchUnitView[]> {
    await this.get(batchId);
    return this.ds.query<BatchUnitView[]>(
      `SELECT u.id AS "unitId", ${unitLabel} AS "unitLabel",
              (SELECT count(*) FROM certificate_notices cn WHERE cn.batch_id = bu.batch_id AND cn.unit_id = u.id)::int AS owners,
              (SELECT count(DISTINCT cn.id) FROM certificate_notices cn JOIN notifications n ON n.source_type = 'certificate_notice' AND n.source_id = cn.id
                WHERE cn.batch_id = bu.batch_id AND cn.unit_id = u.id AND n.variables->>'stage' = 'notice')::int AS notified,
              (SELECT count(DISTINCT cn.id) FROM certificate_notices cn JOIN notifications n ON n.source_type = 'certificate_notice' AND n.source_id = cn.id
                WHERE cn.batch_id = bu.batch_id AND cn.unit_id = u.id AND n.status IN ('delivered', 'signed_for'))::int AS delivered,
              (SELECT count(*) FROM certificate_notices cn JOIN notifications n ON n.source_type = 'certificate_notice' AND n.source_id = cn.id
                WHERE cn.batch_id = bu.batch_id AND cn.unit_id = u.id AND n.channel = 'letter' AND n.status = 'signed_for')::int AS "lettersSignedFor",
              CASE WHEN c.id IS NULL THEN NULL ELSE json_build_object('collectedBy', c.collected_by, 'relation', c.relation,
                'idNumberMasked', c.id_number_masked, 'collectedOn', to_char(c.collected_on, 'YYYY-MM-DD')) END AS collection
       FROM certificate_batch_units bu JOIN units u ON u.id = bu.unit_id JOIN buildings b ON b.id = u.building_id
       LEFT JOIN certificate_collections c ON c.batch_id = bu.batch_id AND c.unit_id = u.id
       WHERE bu.batch_id = $1 ORDER BY b.name, u.entrance, u.room`,
      [batchId],
    );
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

  async collections(batchId: string): Promise<Array<Record<string, unknown>>> {
    await this.get(batchId);
    return this.ds.query(
      `SELECT c.id, c.unit_id AS "unitId", ${unitLabel} AS "unitLabel", c.collected_by AS "collectedBy", c.relation, c.id_type AS "idType",
              c.id_number_masked AS "idNumberMasked", to_char(c.collected_on, 'YYYY-MM-DD') AS "collectedOn", s.name AS "recordedBy", c.created_at AS "createdAt"
       FROM certificate_collections c JOIN units u ON u.id = c.unit_id JOIN buildings b ON b.id = u.building_id LEFT JOIN staff s ON s.id = c.recorded_by_id
       WHERE c.batch_id = $1 ORDER BY b.name, u.entrance, u.room`,
      [batchId],
    );
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
      reminders += await this.ds.transaction(async (m) => {
        const open = await m.query<UnitOwner[] & Array<{ noticeId: string }>>(
          `SELECT cn.id AS "noticeId", u.id AS "unitId", ${unitLabel} AS "unitLabel", o.id AS "ownerId", o.mobiles, o.email
           FROM certificate_notices cn JOIN units u ON u.id = cn.unit_id JOIN buildings b ON b.id = u.building_id JOIN owners o ON o.id = cn.owner_id
           WHERE cn.batch_id = $1 AND NOT EXISTS (SELECT 1 FROM certificate_collections c WHERE c.batch_id = cn.batch_id AND c.unit_id = cn.unit_id)`,
          [b.id],
        );
        let n = 0;
        for (const o of open) {
          const channels: NotifyChannel[] = [
            ...(o.mobiles.length ? ['sms' as const] : []),
            ...(o.email ? ['email' as const] : []),
          ];
          n += await this.ask(
            m,
            { batchId: b.id, noticeId: o.noticeId, unitId: o.unitId, ownerId: o.ownerId, unitLabel: o.unitLabel },
            b,
            stage,
            channels,
            dueOn < today,
          );
        }
        return n;
      });
    }
    if (reminders) this.logger.log({ reminders }, 'certificate reminders');
    return { reminders };
  }
}
