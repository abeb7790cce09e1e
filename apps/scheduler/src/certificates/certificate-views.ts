import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AppException } from '@kefu/shared';
import type { BatchProgress, BatchUnitView, BatchView } from './certificate.service';
import { unitLabel } from './certificate-notices';

/** What the console reads of certificate batches: the batch with its progress, its units, its sign-off records. */
@Injectable()
export class CertificateViews {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

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
}
