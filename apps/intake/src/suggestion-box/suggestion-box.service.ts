import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import {
  APP_CONFIG,
  AppException,
  AttachmentEntity,
  normalisePhone,
  SuggestionBoxEntity,
  type AppConfig,
  type StaffPrincipal,
} from '@kefu/shared';
import type { Uploads } from '../web-form/uploads';
import { CaseIntakeService } from '../cases/case-intake.service';
import type { CollectionDto, CreateBoxDto, ListBoxesQuery, UpdateBoxDto } from './suggestion-box.dto';
import { invalid, slipPhotos } from './slip-photos';
import { BOX_SELECT as boxSelect, toBoxView as toView, type BoxRow } from './suggestion-box.sql';

export { SLIP_PHOTOS_MAX, uploadFailure } from './slip-photos';

export interface BoxView {
  id: string;
  projectId: string;
  projectCode: string;
  projectName: string;
  location: string;
  active: boolean;
  createdAt: string;
  lastCollection: { id: string; collectedAt: string; slipCount: number; collectorName: string } | null;
  /** Whole days since the last emptying (or since the box was set up, if never emptied). */
  daysSinceEmptied: number;
}

export interface CollectionView {
  id: string;
  boxId: string;
  collectedAt: string;
  collectorId: string;
  collectorName: string;
  recordedAt: string;
  slipCount: number;
  note: string | null;
  /** One case per slip, in slip order. */
  cases: Array<{ index: number; caseId: string; number: string }>;
}
/** 意见箱: the boxes of each estate and their weekly emptying (002 §7.1.2); each slip becomes a case. */
@Injectable()
export class SuggestionBoxService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly intake: CaseIntakeService,
  ) {}

  async createBox(dto: CreateBoxDto): Promise<BoxView> {
    if (!(await this.ds.query<unknown[]>(`SELECT 1 FROM projects WHERE id = $1`, [dto.projectId])).length)
      throw invalid([{ field: 'projectId', message: '没有这个小区 (no such estate)' }]);
    const rows = await this.ds.query<Array<{ id: string }>>(
      `INSERT INTO suggestion_boxes (project_id, location) VALUES ($1, $2) ON CONFLICT ON CONSTRAINT uq_suggestion_boxes_location DO NOTHING RETURNING id`,
      [dto.projectId, dto.location],
    );
    if (!rows[0])
      throw new AppException('conflict', `该小区在「${dto.location}」已有意见箱 (this estate already has a box there)`);
    return this.box(rows[0].id);
  }

  async updateBox(id: string, dto: UpdateBoxDto): Promise<BoxView> {
    await this.box(id);
    try {
      await this.ds.getRepository(SuggestionBoxEntity).update(
        { id },
        {
          ...(dto.location !== undefined ? { location: dto.location } : {}),
          ...(dto.active !== undefined ? { active: dto.active } : {}),
        },
      );
    } catch (err) {
      if ((err as { code?: unknown }).code === '23505')
        throw new AppException(
          'conflict',
          `该小区在「${dto.location ?? ''}」已有意见箱 (this estate already has a box there)`,
        );
      throw err;
    }
    return this.box(id);
  }

  async box(id: string): Promise<BoxView> {
    const [row] = await this.ds.query<BoxRow[]>(`${boxSelect} WHERE b.id = $1`, [id]);
    if (!row) throw new AppException('not_found', `没有这个意见箱 (no suggestion box ${id})`);
    return toView(row);
  }

  /** All boxes with their last emptying; with `notEmptiedDays`, only the active ones overdue for it. */
  async listBoxes(q: ListBoxesQuery): Promise<BoxView[]> {
    const rows = await this.ds.query<BoxRow[]>(
      `${boxSelect}
        WHERE ($1::uuid IS NULL OR b.project_id = $1)
          AND ($2::int IS NULL OR (b.active AND COALESCE(lc.collected_at, b.created_at) < now() - make_interval(days => $2::int)))
        ORDER BY p.code, b.location`,
      [q.projectId ?? null, q.notEmptiedDays ?? null],
    );
    return rows.map(toView);
  }

  /**
   * Records one emptying and turns each slip into a case, all in one transaction: a failure leaves
   * nothing half-recorded. The same box and collectedAt again (a retry, a double submit) creates nothing
   * and answers with the collection already recorded (`created: false`).
   */
  async recordCollection(
    boxId: string,
    dto: CollectionDto,
    uploads: Uploads,
    staff: StaffPrincipal,
  ): Promise<{ created: boolean; collection: CollectionView }> {
    const box = await this.box(boxId);
    if (!box.active) throw new AppException('conflict', '此意见箱已停用 (this box is inactive)');
    const photos = slipPhotos(dto, uploads);
    const collectorId = dto.collectorId ?? staff.id;
    if (
      dto.collectorId &&
      !(await this.ds.query<unknown[]>(`SELECT 1 FROM staff WHERE id = $1`, [dto.collectorId])).length
    ) {
      throw invalid([{ field: 'collectorId', message: '没有这位员工 (no such staff member)' }]);
    }
    const collectedAt = new Date(dto.collectedAt);
    const outcome = await this.ds.transaction(async (m) => {
      const rows = await m.query<Array<{ id: string }>>(
        `INSERT INTO box_collections (box_id, collected_at, collector_id, slip_count, note) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT ON CONSTRAINT uq_box_collections_box_time DO NOTHING RETURNING id`,
        [boxId, collectedAt, collectorId, dto.slips.length, dto.note],
      );
      const collectionId = rows[0]?.id;
      if (!collectionId) return { created: false, collectionId: await this.existingCollection(m, boxId, collectedAt) };
      for (const [index, slip] of dto.slips.entries()) {
        const photo = photos.get(index) ?? null;
        const phone = slip.phone ? normalisePhone(slip.phone) : null;
        // In this transaction: the whole collection commits or rolls back as one.
        await this.intake.createIn(
          m,
          {
            channel: 'suggestion_box',
            source: 'suggestion_box',
            externalId: `${collectionId}:${index}`,
            receivedAt: collectedAt,
            raw: {
              collectionId,
              boxId,
              location: box.location,
              collectedAt: dto.collectedAt,
              index,
              slip: {
                ...slip,
                photo: photo
                  ? {
                      part: slip.photo,
                      filename: photo.filename,
                      contentType: photo.contentType,
                      size: photo.size,
                      sha256: photo.sha256,
                    }
                  : null,
              },
            },
            reporter: slip.anonymous
              ? {}
              : { name: slip.name, contact: slip.phone, phones: phone ? [phone.digits] : [] },
            description: slip.content,
            unitText: slip.anonymous ? null : slip.unitText,
            projectId: box.projectId,
            actor: { kind: 'staff', id: staff.id, name: staff.name },
          },
          async (mm: EntityManager, c, intakeRecordId) => {
            if (!photo) return;
            await mm.insert(AttachmentEntity, {
              caseId: c.id,
              intakeRecordId,
              role: 'slip_photo',
              filename: photo.filename,
              contentType: photo.contentType,
              size: photo.size,
              sha256: photo.sha256,
              data: photo.data,
            });
          },
        );
      }
      return { created: true, collectionId };
    });
    if (outcome.created) this.intake.afterCommit();
    return { created: outcome.created, collection: await this.collection(outcome.collectionId) };
  }

  /** The emptyings of a box, newest first, each with the cases its slips became. */
  async history(boxId: string, limit: number): Promise<CollectionView[]> {
    await this.box(boxId);
    const rows = await this.ds.query<Array<{ id: string }>>(
      `SELECT id FROM box_collections WHERE box_id = $1 ORDER BY collected_at DESC LIMIT $2`,
      [boxId, limit],
    );
    return Promise.all(rows.map((r) => this.collection(r.id)));
  }

  private async collection(id: string): Promise<CollectionView> {
    const [c] = await this.ds.query<
      Array<{
        id: string;
        box_id: string;
        collected_at: Date;
        collector_id: string;
        collector_name: string;
        created_at: Date;
        slip_count: number;
        note: string | null;
      }>
    >(
      `SELECT bc.id, bc.box_id, bc.collected_at, bc.collector_id, s.name AS collector_name, bc.created_at, bc.slip_count, bc.note
         FROM box_collections bc JOIN staff s ON s.id = bc.collector_id WHERE bc.id = $1`,
      [id],
    );
    if (!c) throw new AppException('not_found', `no collection ${id}`);
    const keys = Array.from({ length: c.slip_count }, (_, i) => `${c.id}:${i}`);
    const cases = await this.ds.query<Array<{ external_id: string; id: string; number: string }>>(
      `SELECT ir.external_id, k.id, k.number FROM intake_records ir JOIN cases k ON k.id = ir.case_id WHERE ir.source = 'suggestion_box' AND ir.external_id = ANY($1::text[])`,
      [keys],
    );
    return {
      id: c.id,
      boxId: c.box_id,
      collectedAt: c.collected_at.toISOString(),
      collectorId: c.collector_id,
      collectorName: c.collector_name,
      recordedAt: c.created_at.toISOString(),
      slipCount: c.slip_count,
      note: c.note,
      cases: cases
        .map((k) => ({ index: Number(k.external_id.split(':')[1]), caseId: k.id, number: k.number }))
        .sort((a, b) => a.index - b.index),
    };
  }

  private async existingCollection(m: EntityManager, boxId: string, at: Date): Promise<string> {
    const [row] = await m.query<Array<{ id: string }>>(
      `SELECT id FROM box_collections WHERE box_id = $1 AND collected_at = $2`,
      [boxId, at],
    );
    if (!row) throw new AppException('conflict', 'This collection is being recorded right now; retry in a moment.');
    return row.id;
  }
}
