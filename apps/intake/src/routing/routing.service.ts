import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import {
  AppException,
  CalendarService,
  departmentManagerSql,
  dutyDayOf,
  dutyPersonSql,
  zonedToUtc,
  type CaseCategory,
  type FieldProblem,
  type StaffPrincipal,
} from '@kefu/shared';
import type { PutResponsibilitiesDto, PutRosterDto } from './routing.dto';

export interface ResponsibilitiesView {
  customerServiceDepartmentId: string | null;
  departments: Array<{ id: string; code: string; name: string; customerService: boolean }>;
  rules: Array<{
    id: string;
    category: CaseCategory;
    projectId: string | null;
    projectCode: string | null;
    projectName: string | null;
    departmentId: string;
    departmentName: string;
  }>;
}

export interface RosterEntryView {
  id: string;
  departmentId: string;
  departmentName: string;
  staffId: string;
  staffName: string;
  staffActive: boolean;
  weekday: number | null;
  day: string | null;
  position: number;
}

/** Serialises the writers of one routing table (two managers saving at once: the later save wins whole). */
const lock = (m: EntityManager, what: string) => m.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [what]);

/**
 * The routing settings managers edit: responsibility rules (category × estate → department), the
 * customer-service department, and each department's duty roster. Intake's case write reads them
 * (libs/shared/src/routing); this service is their only writer.
 */
@Injectable()
export class RoutingService {
  private readonly logger = new Logger(RoutingService.name);

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly calendars: CalendarService,
  ) {}

  async responsibilities(m: EntityManager = this.ds.manager): Promise<ResponsibilitiesView> {
    const [departments, rules] = await Promise.all([
      m.query<ResponsibilitiesView['departments']>(
        `SELECT id, code, name, customer_service AS "customerService" FROM departments ORDER BY code, id`,
      ),
      m.query<ResponsibilitiesView['rules']>(
        `SELECT r.id, r.category, r.project_id AS "projectId", p.code AS "projectCode", p.name AS "projectName",
                r.department_id AS "departmentId", d.name AS "departmentName"
           FROM department_responsibilities r JOIN departments d ON d.id = r.department_id LEFT JOIN projects p ON p.id = r.project_id
          ORDER BY r.category, p.code NULLS FIRST, r.id`,
      ),
    ]);
    return {
      customerServiceDepartmentId: departments.find((d) => d.customerService)?.id ?? null,
      departments,
      rules,
    };
  }

  /** Replaces every rule and the customer-service department in one transaction; unknown ids → 400 naming each. */
  async putResponsibilities(dto: PutResponsibilitiesDto, by: StaffPrincipal): Promise<ResponsibilitiesView> {
    return this.ds.transaction(async (m) => {
      await lock(m, 'routing:responsibilities');
      const departmentIds = [
        ...dto.rules.map((r) => r.departmentId),
        ...(dto.customerServiceDepartmentId ? [dto.customerServiceDepartmentId] : []),
      ];
      const projectIds = dto.rules.flatMap((r) => (r.projectId ? [r.projectId] : []));
      const [known] = await m.query<Array<{ departments: string[]; projects: string[] }>>(
        `SELECT ARRAY(SELECT id::text FROM departments WHERE id = ANY($1::uuid[])) AS departments,
                ARRAY(SELECT id::text FROM projects WHERE id = ANY($2::uuid[])) AS projects`,
        [departmentIds, projectIds],
      );
      const fields: FieldProblem[] = [];
      if (dto.customerServiceDepartmentId && !known!.departments.includes(dto.customerServiceDepartmentId))
        fields.push({ field: 'customerServiceDepartmentId', message: 'no such department' });
      dto.rules.forEach((r, i) => {
        if (!known!.departments.includes(r.departmentId))
          fields.push({ field: `rules.${i}.departmentId`, message: 'no such department' });
        if (r.projectId && !known!.projects.includes(r.projectId))
          fields.push({ field: `rules.${i}.projectId`, message: 'no such estate' });
      });
      if (fields.length)
        throw new AppException('validation_failed', `Invalid input: ${fields.map((f) => f.field).join(', ')}`, {
          fields,
        });
      await m.query(`DELETE FROM department_responsibilities`);
      if (dto.rules.length)
        await m.query(
          `INSERT INTO department_responsibilities (category, project_id, department_id)
           SELECT * FROM unnest($1::text[], $2::uuid[], $3::uuid[])`,
          [dto.rules.map((r) => r.category), dto.rules.map((r) => r.projectId), dto.rules.map((r) => r.departmentId)],
        );
      // Cleared first: the unique index allows one customer-service department at any moment.
      await m.query(
        `UPDATE departments SET customer_service = false WHERE customer_service AND id IS DISTINCT FROM $1`,
        [dto.customerServiceDepartmentId],
      );
      if (dto.customerServiceDepartmentId)
        await m.query(`UPDATE departments SET customer_service = true WHERE id = $1`, [
          dto.customerServiceDepartmentId,
        ]);
      this.logger.log(
        { staffId: by.id, rules: dto.rules.length, customerServiceDepartmentId: dto.customerServiceDepartmentId },
        'routing responsibilities replaced',
      );
      return this.responsibilities(m);
    });
  }

  roster(departmentId?: string, m: EntityManager = this.ds.manager): Promise<RosterEntryView[]> {
    return m.query<RosterEntryView[]>(
      `SELECT r.id, r.department_id AS "departmentId", d.name AS "departmentName", r.staff_id AS "staffId", s.name AS "staffName",
              s.active AS "staffActive", r.weekday, to_char(r.day, 'YYYY-MM-DD') AS day, r.position
         FROM duty_roster r JOIN departments d ON d.id = r.department_id JOIN staff s ON s.id = r.staff_id
        WHERE $1::uuid IS NULL OR r.department_id = $1
        ORDER BY d.code, r.weekday NULLS LAST, r.day, r.position, r.id`,
      [departmentId ?? null],
    );
  }

  /** Replaces one department's roster; the order of the entries of one weekday or date is who comes first. */
  async putRoster(departmentId: string, dto: PutRosterDto, by: StaffPrincipal): Promise<RosterEntryView[]> {
    return this.ds.transaction(async (m) => {
      await lock(m, `routing:roster:${departmentId}`);
      if (!(await m.query<unknown[]>(`SELECT 1 FROM departments WHERE id = $1`, [departmentId])).length)
        throw new AppException('not_found', `No department ${departmentId}.`);
      const staffIds = [...new Set(dto.entries.map((e) => e.staffId))];
      const active = new Set(
        (
          await m.query<Array<{ id: string }>>(`SELECT id FROM staff WHERE active AND id = ANY($1::uuid[])`, [staffIds])
        ).map((r) => r.id),
      );
      const fields: FieldProblem[] = dto.entries.flatMap((e, i) =>
        active.has(e.staffId) ? [] : [{ field: `entries.${i}.staffId`, message: 'no such active staff member' }],
      );
      if (fields.length)
        throw new AppException('validation_failed', `Invalid input: ${fields.map((f) => f.field).join(', ')}`, {
          fields,
        });
      const position = new Map<string, number>();
      const rows = dto.entries.map((e) => {
        const slot = String(e.weekday ?? e.day);
        const n = position.get(slot) ?? 0;
        position.set(slot, n + 1);
        return { ...e, position: n };
      });
      await m.query(`DELETE FROM duty_roster WHERE department_id = $1`, [departmentId]);
      if (rows.length)
        await m.query(
          `INSERT INTO duty_roster (department_id, staff_id, weekday, day, position)
           SELECT $1, * FROM unnest($2::uuid[], $3::smallint[], $4::date[], $5::smallint[])`,
          [
            departmentId,
            rows.map((r) => r.staffId),
            rows.map((r) => r.weekday ?? null),
            rows.map((r) => r.day ?? null),
            rows.map((r) => r.position),
          ],
        );
      this.logger.log({ staffId: by.id, departmentId, entries: rows.length }, 'duty roster replaced');
      return this.roster(departmentId, m);
    });
  }

  /**
   * Who each department hands a new case to on `day` (default today in the business zone), as intake's
   * routing decides: the duty person of the day, else the department's manager.
   */
  async onDuty(day: string | undefined) {
    const calendar = await this.calendars.current();
    const at = day ? zonedToUtc(day, 12 * 3_600_000, calendar.timeZone) : new Date();
    const on = dutyDayOf(calendar, at);
    const params: unknown[] = [];
    const p = (v: unknown) => `$${params.push(v)}`;
    const departments = await this.ds.query<
      Array<{
        departmentId: string;
        departmentName: string;
        customerService: boolean;
        onDutyId: string | null;
        onDutyName: string | null;
        managerId: string | null;
        managerName: string | null;
      }>
    >(
      `SELECT d.id AS "departmentId", d.name AS "departmentName", d.customer_service AS "customerService",
              duty.id AS "onDutyId", ds.name AS "onDutyName", mgr.id AS "managerId", ms.name AS "managerName"
         FROM departments d
         LEFT JOIN LATERAL (${dutyPersonSql('d.id', on, p)}) duty ON true LEFT JOIN staff ds ON ds.id = duty.id
         LEFT JOIN LATERAL (${departmentManagerSql('d.id')}) mgr ON true LEFT JOIN staff ms ON ms.id = mgr.id
        ORDER BY d.customer_service DESC, d.code, d.id`,
      params,
    );
    return {
      day: on.day,
      working: calendar.isWorkingDay(on.day),
      /** The weekday whose roster applies: the day's own, else (a day off) the next working day's. */
      rosterWeekday: on.weekday,
      departments: departments.map((d) => ({
        departmentId: d.departmentId,
        departmentName: d.departmentName,
        customerService: d.customerService,
        onDuty: d.onDutyId ? { id: d.onDutyId, name: d.onDutyName } : null,
        manager: d.managerId ? { id: d.managerId, name: d.managerName } : null,
        handler: d.onDutyId
          ? { id: d.onDutyId, name: d.onDutyName, via: 'roster' }
          : d.managerId
            ? { id: d.managerId, name: d.managerName, via: 'manager' }
            : null,
      })),
    };
  }
}
