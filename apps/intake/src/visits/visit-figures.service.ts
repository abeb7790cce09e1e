import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { APP_CONFIG, CLOCK, excelCsv, zonedParts, type AppConfig, type Clock } from '@kefu/shared';

export interface VisitFigures {
  projectId: string;
  estateName: string;
  /** Per staff member; null on the estate's own row. */
  staffId: string | null;
  staffName: string | null;
  /** Units with current owners, and those owners (the estate's row); the staff member's share (their rows). */
  households: number;
  owners: number;
  /** Households with a routine visit in the year's plan, and their current owners. */
  plannedHouseholds: number;
  plannedOwners: number;
  /** plannedOwners / owners of the estate (0–1); null with no owners. */
  coverage: number | null;
  /** Visits (any kind, not ended) due by the as-of day, and how they stand. */
  due: number;
  doneOnTime: number;
  doneLate: number;
  overdue: number;
  /** doneOnTime / due (0–1); null when nothing is due yet. */
  completion: number | null;
}

/**
 * Plan coverage and completion (004 篇3 §4.13: 年拜访率100%) per estate and per member of staff, for a year as of
 * today (or its last day, for a past year). On time = done on or before the day planned, in the business time zone.
 */
@Injectable()
export class VisitFiguresService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async figures(
    year: number | undefined,
    projectId: string | undefined,
  ): Promise<{ year: number; asOf: string; rows: VisitFigures[] }> {
    const today = zonedParts(this.clock.now(), this.config.BUSINESS_TIME_ZONE).day;
    const y = year ?? Number(today.slice(0, 4));
    const asOf = today < `${y}-12-31` ? today : `${y}-12-31`;
    const rows = await this.ds.query<VisitFigures[]>(
      `WITH est AS (SELECT p.id, p.name FROM projects p
                    WHERE ($3::uuid IS NULL OR p.id = $3)
                      AND (EXISTS (SELECT 1 FROM visit_plans vp WHERE vp.project_id = p.id AND vp.year = $1)
                           OR EXISTS (SELECT 1 FROM visit_staff vs WHERE vs.project_id = p.id))),
       cur AS (SELECT u.project_id, ou.unit_id, ou.owner_id FROM owner_units ou JOIN units u ON u.id = ou.unit_id
               WHERE ou.until IS NULL AND u.project_id IN (SELECT id FROM est)),
       v AS (SELECT v.*, (v.done_at AT TIME ZONE $4)::date AS done_on FROM owner_visits v
             JOIN visit_plans vp ON vp.id = v.plan_id WHERE vp.year = $1 AND vp.project_id IN (SELECT id FROM est)),
       -- each current household's member of staff: whoever has its routine visits (the latest one not ended)
       hs AS (SELECT DISTINCT ON (unit_id) unit_id, staff_id FROM v WHERE kind = 'routine' AND status <> 'ended'
              ORDER BY unit_id, due_on DESC),
       counts AS (
         SELECT est.id AS project_id, est.name AS estate_name, s.id AS staff_id, s.name AS staff_name,
           (SELECT count(DISTINCT c.unit_id) FROM cur c WHERE c.project_id = est.id
              AND (s.id IS NULL OR c.unit_id IN (SELECT unit_id FROM hs WHERE staff_id = s.id)))::int AS households,
           (SELECT count(DISTINCT c.owner_id) FROM cur c WHERE c.project_id = est.id
              AND (s.id IS NULL OR c.unit_id IN (SELECT unit_id FROM hs WHERE staff_id = s.id)))::int AS owners,
           (SELECT count(DISTINCT c.unit_id) FROM cur c JOIN hs ON hs.unit_id = c.unit_id
              WHERE c.project_id = est.id AND (s.id IS NULL OR hs.staff_id = s.id))::int AS planned_households,
           (SELECT count(DISTINCT c.owner_id) FROM cur c JOIN hs ON hs.unit_id = c.unit_id
              WHERE c.project_id = est.id AND (s.id IS NULL OR hs.staff_id = s.id))::int AS planned_owners,
           (SELECT count(DISTINCT c.owner_id) FROM cur c WHERE c.project_id = est.id)::int AS estate_owners,
           d.*
         FROM est
         CROSS JOIN LATERAL (
           SELECT NULL::uuid AS id, NULL::text AS name
           UNION ALL
           SELECT st.id, st.name FROM staff st
           WHERE st.id IN (SELECT staff_id FROM v WHERE v.project_id = est.id)
              OR st.id IN (SELECT staff_id FROM visit_staff vs WHERE vs.project_id = est.id)) s
         CROSS JOIN LATERAL (
           SELECT count(*)::int AS due,
                  count(*) FILTER (WHERE v.status = 'done' AND v.done_on <= v.due_on)::int AS done_on_time,
                  count(*) FILTER (WHERE v.status = 'done' AND v.done_on > v.due_on)::int AS done_late,
                  count(*) FILTER (WHERE v.status = 'planned')::int AS overdue
           FROM v WHERE v.project_id = est.id AND v.status <> 'ended' AND v.due_on <= $2::date
             AND (s.id IS NULL OR v.staff_id = s.id)) d)
       SELECT project_id AS "projectId", estate_name AS "estateName", staff_id AS "staffId", staff_name AS "staffName",
              households, owners, planned_households AS "plannedHouseholds", planned_owners AS "plannedOwners",
              CASE WHEN estate_owners > 0 THEN round(planned_owners::numeric / estate_owners, 4)::float8 END AS coverage,
              due, done_on_time AS "doneOnTime", done_late AS "doneLate", overdue,
              CASE WHEN due > 0 THEN round(done_on_time::numeric / due, 4)::float8 END AS completion
       FROM counts ORDER BY estate_name, project_id, staff_id IS NOT NULL, staff_name, staff_id`,
      [y, asOf, projectId ?? null, this.config.BUSINESS_TIME_ZONE],
    );
    return { year: y, asOf, rows };
  }

  /** The same as a spreadsheet (the shared formula-safe CSV writer, with a BOM for Excel). */
  csv(f: { year: number; asOf: string; rows: VisitFigures[] }): string {
    const pct = (x: number | null) => (x === null ? '' : `${(x * 100).toFixed(1)}%`);
    return excelCsv([
      [
        '年度',
        '截至',
        '楼盘',
        '拜访人员',
        '户数',
        '业主数',
        '已计划户数',
        '已计划业主数',
        '覆盖率',
        '应完成',
        '按时完成',
        '逾期完成',
        '未完成',
        '完成率',
      ],
      ...f.rows.map((r) => [
        f.year,
        f.asOf,
        r.estateName,
        r.staffName ?? '（全楼盘）',
        r.households,
        r.owners,
        r.plannedHouseholds,
        r.plannedOwners,
        pct(r.coverage),
        r.due,
        r.doneOnTime,
        r.doneLate,
        r.overdue,
        pct(r.completion),
      ]),
    ]);
  }
}
