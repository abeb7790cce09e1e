import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import {
  APP_CONFIG,
  AppException,
  CLOCK,
  unitLabelSql,
  zonedParts,
  type AppConfig,
  type Clock,
  type StaffPrincipal,
  type VisitKind,
  type VisitStatus,
} from '@kefu/shared';
import { CaseIntakeService } from '../cases/case-intake.service';
import type { ListQuery, RecordDto } from './visits.dto';

/** Roles that see everyone's visits and may record a visit for someone else. */
export const visitManagers = ['dept_manager', 'vice_gm', 'gm', 'admin'] as const;
const isManager = (p: StaffPrincipal) => (visitManagers as readonly string[]).includes(p.role);

export interface VisitView {
  id: string;
  kind: VisitKind;
  seq: number;
  dueOn: string;
  status: VisitStatus;
  overdue: boolean;
  projectId: string;
  estateName: string;
  unitId: string;
  unitLabel: string;
  ownerId: string | null;
  ownerName: string | null;
  ownerMobile: string | null;
  staffId: string | null;
  staffName: string | null;
  doneAt: string | null;
  endReason: string | null;
}

export interface VisitRecordView {
  id: string;
  visitId: string | null;
  staffId: string | null;
  staffName: string | null;
  visitedAt: string;
  method: string;
  topics: string[];
  notes: string | null;
  outcome: string;
  caseId: string | null;
  caseNumber: string | null;
  recordedByName: string | null;
  createdAt: string;
}

const viewSql = (where: string, tail = '') => `
  SELECT v.id, v.kind, v.seq, to_char(v.due_on, 'YYYY-MM-DD') AS "dueOn", v.status,
         (v.status = 'planned' AND v.due_on < $1::date) AS overdue,
         v.project_id AS "projectId", p.name AS "estateName", v.unit_id AS "unitId", ${unitLabelSql('u', 'b')} AS "unitLabel",
         v.owner_id AS "ownerId", o.name AS "ownerName", o.mobiles[1] AS "ownerMobile",
         v.staff_id AS "staffId", s.name AS "staffName", v.done_at AS "doneAt", v.end_reason AS "endReason"
  FROM owner_visits v
  JOIN visit_plans vp ON vp.id = v.plan_id
  JOIN projects p ON p.id = v.project_id
  JOIN units u ON u.id = v.unit_id JOIN buildings b ON b.id = u.building_id
  LEFT JOIN owners o ON o.id = v.owner_id
  LEFT JOIN staff s ON s.id = v.staff_id
  WHERE ${where} ${tail}`;

/**
 * Staff's side of owner visits (002 §7.5.2): their due visits, a visit's records, and recording one — which
 * completes the planned visit (unless the owner was not reached) and may open a follow-up case through case intake.
 * owner_visits' planned rows are written by the scheduler's plan (apps/scheduler/src/visits/visit-plan.ts); the
 * done mark only here.
 */
@Injectable()
export class VisitsService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly intake: CaseIntakeService,
  ) {}

  today(): string {
    return zonedParts(this.clock.now(), this.config.BUSINESS_TIME_ZONE).day;
  }

  async list(q: ListQuery, me: StaffPrincipal): Promise<{ today: string; items: VisitView[] }> {
    const today = this.today();
    const params: unknown[] = [today];
    const p = (v: unknown) => `$${params.push(v)}`;
    const where = [`vp.year = ${p(q.year ?? Number(today.slice(0, 4)))}`];
    if (q.scope === 'mine') where.push(`v.staff_id = ${p(me.id)}`);
    else if (!isManager(me))
      where.push(`v.project_id IN (SELECT project_id FROM visit_staff WHERE staff_id = ${p(me.id)})`);
    if (q.staffId) where.push(`v.staff_id = ${p(q.staffId)}`);
    if (q.projectId) where.push(`v.project_id = ${p(q.projectId)}`);
    const state = {
      due: `v.status = 'planned' AND v.due_on <= $1::date`,
      overdue: `v.status = 'planned' AND v.due_on < $1::date`,
      upcoming: `v.status = 'planned' AND v.due_on > $1::date`,
      done: `v.status = 'done'`,
      ended: `v.status = 'ended'`,
      all: 'true',
    }[q.state];
    where.push(state);
    const order = q.state === 'done' ? 'v.done_at DESC' : 'v.due_on, "estateName", "unitLabel"';
    const items = await this.ds.query<VisitView[]>(
      viewSql(where.join(' AND '), `ORDER BY ${order} LIMIT ${p(q.limit)}`),
      params,
    );
    return { today, items };
  }

  async get(id: string): Promise<VisitView & { records: VisitRecordView[] }> {
    const [visit] = await this.ds.query<VisitView[]>(viewSql('v.id = $2'), [this.today(), id]);
    if (!visit) throw new AppException('not_found', '没有这个拜访 (no such visit)');
    return { ...visit, records: await this.records(this.ds.manager, id) };
  }

  /**
   * 客户访问记录单: records a visit. Completes the planned visit unless the owner was not reached; a follow-up opens
   * a case through case intake (routing, deadlines, the owner's acknowledgement) in the same transaction.
   */
  async record(id: string, dto: RecordDto, me: StaffPrincipal): Promise<VisitView & { records: VisitRecordView[] }> {
    const now = this.clock.now();
    const visitedAt = dto.visitedAt ? new Date(dto.visitedAt) : now;
    if (visitedAt.getTime() > now.getTime() + 5 * 60_000)
      throw new AppException('validation_failed', '拜访时间不能晚于现在 (visitedAt is in the future)', {
        fields: [{ field: 'visitedAt', message: 'must not be in the future' }],
      });
    const visitorId = dto.staffId ?? me.id;
    if (visitorId !== me.id && !isManager(me))
      throw new AppException('forbidden', '只能登记自己的拜访 (you may only record your own visits)', {
        fields: [{ field: 'staffId', message: 'only managers record visits for someone else' }],
      });
    let caseCreated = false;
    await this.ds.transaction(async (m) => {
      const [visit] = await m.query<
        Array<{
          status: VisitStatus;
          staff_id: string | null;
          project_id: string;
          unit_id: string;
          owner_id: string | null;
        }>
      >(`SELECT status, staff_id, project_id, unit_id, owner_id FROM owner_visits WHERE id = $1 FOR UPDATE`, [id]);
      if (!visit) throw new AppException('not_found', '没有这个拜访 (no such visit)');
      if (visit.status !== 'planned')
        throw new AppException(
          'conflict',
          visit.status === 'done'
            ? '这次拜访已登记 (this visit is already recorded)'
            : '这次拜访已取消 (this visit was ended: the household left or it was rescheduled)',
        );
      if (!isManager(me) && visit.staff_id !== me.id)
        throw new AppException('forbidden', '这不是您负责的拜访 (this visit is assigned to someone else)');
      const [visitor] = await m.query<unknown[]>(`SELECT 1 FROM staff WHERE id = $1 AND active`, [visitorId]);
      if (!visitor)
        throw new AppException('validation_failed', '拜访人不存在 (no such member of staff)', {
          fields: [{ field: 'staffId', message: 'no such active member of staff' }],
        });
      const [{ id: recordId }] = (await m.query<Array<{ id: string }>>(
        `INSERT INTO visit_records (visit_id, project_id, unit_id, owner_id, staff_id, visited_at, method, topics, notes, outcome, recorded_by_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8::varchar[], $9, $10, $11) RETURNING id`,
        [
          id,
          visit.project_id,
          visit.unit_id,
          visit.owner_id,
          visitorId,
          visitedAt,
          dto.method,
          dto.topics,
          dto.notes ?? null,
          dto.outcome,
          me.id,
        ],
      )) as [{ id: string }];
      if (dto.outcome !== 'not_reached')
        await m.query(
          `UPDATE owner_visits SET status = 'done', done_at = $2, record_id = $3, updated_at = now() WHERE id = $1`,
          [id, visitedAt, recordId],
        );
      if (dto.followUp) caseCreated = await this.openCase(m, recordId, visit, dto, visitedAt, me);
    });
    if (caseCreated) this.intake.afterCommit();
    return this.get(id);
  }

  private async openCase(
    m: EntityManager,
    recordId: string,
    visit: { project_id: string; unit_id: string; owner_id: string | null },
    dto: RecordDto,
    visitedAt: Date,
    me: StaffPrincipal,
  ): Promise<boolean> {
    const [owner] = visit.owner_id
      ? await m.query<Array<{ name: string | null; mobiles: string[] | null; email: string | null }>>(
          `SELECT name, mobiles, email FROM owners WHERE id = $1`,
          [visit.owner_id],
        )
      : [];
    const result = await this.intake.createIn(m, {
      channel: dto.method === 'phone' ? 'hotline' : 'walk_in',
      source: 'visit',
      externalId: `visit-record:${recordId}`,
      raw: { visitRecordId: recordId, method: dto.method, topics: dto.topics },
      receivedAt: visitedAt,
      reporter: { name: owner?.name ?? null, phones: owner?.mobiles ?? [], email: owner?.email ?? null },
      description: dto.followUp!.description,
      projectId: visit.project_id,
      unitId: visit.unit_id,
      ...(dto.followUp!.type ? { type: dto.followUp!.type } : {}),
      ...(dto.followUp!.category !== undefined ? { category: dto.followUp!.category } : {}),
      actor: { kind: 'staff', id: me.id, name: me.name },
    });
    await m.query(`UPDATE visit_records SET case_id = $2 WHERE id = $1`, [recordId, result.caseRow.id]);
    return result.created;
  }

  private records(m: Pick<EntityManager, 'query'>, visitId: string): Promise<VisitRecordView[]> {
    return m.query<VisitRecordView[]>(
      `SELECT r.id, r.visit_id AS "visitId", r.staff_id AS "staffId", s.name AS "staffName", r.visited_at AS "visitedAt",
              r.method, r.topics, r.notes, r.outcome, r.case_id AS "caseId", c.number AS "caseNumber",
              rb.name AS "recordedByName", r.created_at AS "createdAt"
       FROM visit_records r LEFT JOIN staff s ON s.id = r.staff_id LEFT JOIN staff rb ON rb.id = r.recorded_by_id
       LEFT JOIN cases c ON c.id = r.case_id
       WHERE r.visit_id = $1 ORDER BY r.visited_at, r.created_at`,
      [visitId],
    );
  }
}
