import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { APP_CONFIG, AppException, CLOCK, OnTask, zonedParts, type AppConfig, type Clock } from '@kefu/shared';
import { generateVisitPlan, type VisitPlanResult, type VisitPlanRules } from './visit-plan';

export const VISIT_PLAN_TASK = 'visit-plan';

/** Roles whose members visit owners and may be named on an estate's plan. */
export const visitingRoles = ['cs_rep', 'dept_manager'] as const;

export interface VisitPlanView {
  projectId: string;
  projectCode: string;
  projectName: string;
  staff: Array<{ id: string; name: string; active: boolean }>;
  plan: { id: string; year: number; startsOn: string; intervalMonths: number; generatedAt: string } | null;
  households: number;
  plannedHouseholds: number;
  visits: { planned: number; done: number; ended: number };
}

/** The yearly visit plans (002 §7.5.2, 004 篇3 §4.13): made every night for every estate with visiting staff. */
@Injectable()
export class VisitPlanService {
  private readonly logger = new Logger(VisitPlanService.name);

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  today(): string {
    return zonedParts(this.clock.now(), this.config.BUSINESS_TIME_ZONE).day;
  }

  rules(): VisitPlanRules {
    return {
      intervalMonths: this.config.VISIT_INTERVAL_MONTHS,
      handoverDays: this.config.VISIT_HANDOVER_DAYS,
      decorationMonths: this.config.VISIT_DECORATION_MONTHS,
    };
  }

  /** Nightly, and at each start of the day's work: owners who joined or left since are added or ended. */
  @OnTask('scheduler', VISIT_PLAN_TASK, (c) => ({ pattern: '0 15 1,8 * * *', tz: c.BUSINESS_TIME_ZONE }))
  async generateAll(): Promise<{ plans: VisitPlanResult[] }> {
    const today = this.today();
    const projects = await this.ds.query<Array<{ project_id: string }>>(
      `SELECT DISTINCT project_id FROM visit_staff ORDER BY project_id`,
    );
    const plans: VisitPlanResult[] = [];
    for (const { project_id } of projects) plans.push(await this.generate(project_id, Number(today.slice(0, 4))));
    const changed = plans.filter((p) => p.added || p.reassigned || p.ended);
    if (changed.length) this.logger.log({ plans: changed }, 'visit plans brought up to date');
    return { plans };
  }

  /** One estate's plan for `year` (this year or the next), brought up to date as of today; one transaction. */
  async generate(projectId: string, year: number): Promise<VisitPlanResult> {
    const today = this.today();
    const thisYear = Number(today.slice(0, 4));
    if (year !== thisYear && year !== thisYear + 1)
      throw new AppException(
        'validation_failed',
        `只能生成今年或明年的拜访计划 (year must be ${thisYear} or ${thisYear + 1})`,
        {
          fields: [{ field: 'year', message: `must be ${thisYear} or ${thisYear + 1}` }],
        },
      );
    await this.project(projectId);
    return this.ds.transaction((m) => generateVisitPlan(m, projectId, year, today, this.rules()));
  }

  /** Names the staff who visit an estate's owners (replacing the list) and brings this year's plan up to date. */
  async setStaff(projectId: string, staffIds: string[]): Promise<VisitPlanResult> {
    await this.project(projectId);
    const found = await this.ds.query<Array<{ id: string; role: string; active: boolean }>>(
      `SELECT id, role, active FROM staff WHERE id = ANY($1::uuid[])`,
      [staffIds],
    );
    const problems = staffIds.flatMap((id, i) => {
      const s = found.find((f) => f.id === id);
      const message = !s
        ? 'no such member of staff'
        : !s.active
          ? 'this account is deactivated'
          : !(visitingRoles as readonly string[]).includes(s.role)
            ? `role ${s.role} does not visit owners (cs_rep or dept_manager)`
            : null;
      return message ? [{ field: `staffIds.${i}`, message }] : [];
    });
    if (problems.length)
      throw new AppException('validation_failed', '拜访人员有误 (some staff cannot visit owners)', {
        fields: problems,
      });
    const today = this.today();
    return this.ds.transaction(async (m) => {
      await m.query(`DELETE FROM visit_staff WHERE project_id = $1 AND NOT (staff_id = ANY($2::uuid[]))`, [
        projectId,
        staffIds,
      ]);
      // One row at a time, in the given order: created_at orders the plan's staff.
      for (const id of staffIds)
        await m.query(
          `INSERT INTO visit_staff (project_id, staff_id, created_at) VALUES ($1, $2, clock_timestamp())
           ON CONFLICT (project_id, staff_id) DO NOTHING`,
          [projectId, id],
        );
      return generateVisitPlan(m, projectId, Number(today.slice(0, 4)), today, this.rules());
    });
  }

  /** Every estate with its visiting staff and the year's plan in figures. */
  async list(year: number): Promise<VisitPlanView[]> {
    const rows = await this.ds.query<VisitPlanView[]>(
      `SELECT p.id AS "projectId", p.code AS "projectCode", p.name AS "projectName",
         COALESCE((SELECT json_agg(json_build_object('id', s.id, 'name', s.name, 'active', s.active) ORDER BY vs.created_at, s.id)
                   FROM visit_staff vs JOIN staff s ON s.id = vs.staff_id WHERE vs.project_id = p.id), '[]') AS staff,
         (SELECT json_build_object('id', vp.id, 'year', vp.year, 'startsOn', to_char(vp.starts_on, 'YYYY-MM-DD'),
                 'intervalMonths', vp.interval_months, 'generatedAt', vp.generated_at)
            FROM visit_plans vp WHERE vp.project_id = p.id AND vp.year = $1) AS plan,
         (SELECT count(*)::int FROM units u WHERE u.project_id = p.id
            AND EXISTS (SELECT 1 FROM owner_units ou WHERE ou.unit_id = u.id AND ou.until IS NULL)) AS households,
         (SELECT count(DISTINCT v.unit_id)::int FROM owner_visits v JOIN visit_plans vp ON vp.id = v.plan_id
            WHERE vp.project_id = p.id AND vp.year = $1 AND v.kind = 'routine' AND v.status <> 'ended'
              AND EXISTS (SELECT 1 FROM owner_units ou WHERE ou.unit_id = v.unit_id AND ou.until IS NULL)) AS "plannedHouseholds",
         (SELECT json_build_object('planned', count(*) FILTER (WHERE v.status = 'planned'),
                 'done', count(*) FILTER (WHERE v.status = 'done'), 'ended', count(*) FILTER (WHERE v.status = 'ended'))
            FROM owner_visits v JOIN visit_plans vp ON vp.id = v.plan_id WHERE vp.project_id = p.id AND vp.year = $1) AS visits
       FROM projects p ORDER BY p.code`,
      [year],
    );
    return rows;
  }

  private async project(projectId: string): Promise<void> {
    const [p] = await this.ds.query<unknown[]>(`SELECT 1 FROM projects WHERE id = $1`, [projectId]);
    if (!p)
      throw new AppException('not_found', '没有这个楼盘 (no such estate)', {
        fields: [{ field: 'projectId', message: 'no such estate' }],
      });
  }
}
