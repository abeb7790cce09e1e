import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import {
  AppException,
  loadEscalationChain,
  replaceEscalationChain,
  type EscalationLevel,
  type FieldProblem,
  type StaffPrincipal,
} from '@kefu/shared';
import type { PutEscalationChainDto } from './escalation-chain.dto';

export interface EscalationLevelView extends EscalationLevel {
  departmentName: string | null;
  staffName: string | null;
}

export interface EscalationChainView {
  levels: EscalationLevelView[];
  /** The top level: where "straight to the GM" goes and escalation stops. */
  top: number;
  /** Levels nobody active can fill today: allowed (staff change), but such a level passes to the next one up. */
  warnings: FieldProblem[];
}

/** The escalation chain (002 §7.3.2) as the managers see and replace it. */
@Injectable()
export class EscalationChainService {
  private readonly logger = new Logger(EscalationChainService.name);

  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  get(): Promise<EscalationChainView> {
    return this.view(this.ds.manager);
  }

  /** Replaces the whole chain in one transaction; unknown departments or staff → 400 naming each field. */
  put(dto: PutEscalationChainDto, by: StaffPrincipal): Promise<EscalationChainView> {
    return this.ds.transaction(async (m) => {
      await m.query(`LOCK TABLE escalation_levels IN EXCLUSIVE MODE`);
      const levels = dto.levels.map((l) => ({
        name: l.name,
        resolver: l.resolver,
        role: l.resolver === 'role' ? l.role : null,
        withinCaseDepartment: l.resolver === 'role' ? l.withinCaseDepartment : false,
        departmentId: l.resolver === 'department_manager' ? l.departmentId : null,
        staffId: l.resolver === 'staff' ? l.staffId : null,
      }));
      const [known] = await m.query<Array<{ departments: string[]; staff: string[] }>>(
        `SELECT ARRAY(SELECT id::text FROM departments WHERE id = ANY($1::uuid[])) AS departments,
                ARRAY(SELECT id::text FROM staff WHERE id = ANY($2::uuid[])) AS staff`,
        [levels.flatMap((l) => l.departmentId ?? []), levels.flatMap((l) => l.staffId ?? [])],
      );
      const fields: FieldProblem[] = [];
      levels.forEach((l, i) => {
        if (l.departmentId && !known!.departments.includes(l.departmentId))
          fields.push({ field: `levels.${i}.departmentId`, message: 'no such department' });
        if (l.staffId && !known!.staff.includes(l.staffId))
          fields.push({ field: `levels.${i}.staffId`, message: 'no such staff member' });
      });
      if (fields.length)
        throw new AppException('validation_failed', `Invalid input: ${fields.map((f) => f.field).join(', ')}`, {
          fields,
        });
      await replaceEscalationChain(m, levels, by.id);
      const view = await this.view(m);
      this.logger.log(
        { staffId: by.id, levels: levels.map((l) => l.name), warnings: view.warnings.length },
        'escalation chain replaced',
      );
      return view;
    });
  }

  private async view(m: EntityManager): Promise<EscalationChainView> {
    const chain = await loadEscalationChain(m);
    type Extra = { departmentName: string | null; staffName: string | null; staffActive: boolean | null; fill: number };
    const extra = await m.query<Extra[]>(
      `SELECT d.name AS "departmentName", s.name AS "staffName", s.active AS "staffActive",
              (SELECT count(*)::int FROM staff x WHERE x.active AND (
                 (l.resolver = 'role' AND x.role = l.role)
                 OR (l.resolver = 'department_manager' AND x.role = 'dept_manager' AND x.department_id = l.department_id)
                 OR (l.resolver = 'staff' AND x.id = l.staff_id))) AS fill
       FROM unnest($1::text[], $2::text[], $3::uuid[], $4::uuid[]) WITH ORDINALITY AS l(resolver, role, department_id, staff_id, ord)
       LEFT JOIN departments d ON d.id = l.department_id LEFT JOIN staff s ON s.id = l.staff_id
       ORDER BY l.ord`,
      [
        chain.levels.map((l) => l.resolver),
        chain.levels.map((l) => l.role),
        chain.levels.map((l) => l.departmentId),
        chain.levels.map((l) => l.staffId),
      ],
    );
    const warnings: FieldProblem[] = [];
    const levels = chain.levels.map((l, i) => {
      const x = extra[i]!;
      if (!x.fill) {
        const who =
          l.resolver === 'role'
            ? `没有在职的 ${l.role} (no active staff with role ${l.role})`
            : l.resolver === 'department_manager'
              ? `${x.departmentName ?? ''}没有在职的部门经理 (the department has no active manager)`
              : `${x.staffName ?? ''}已不在职 (this staff member is not active)`;
        warnings.push({
          field: `levels.${i}`,
          message: `第${l.level}级「${l.name}」：${who}，升级将转到上一级 (escalations pass to the next level up)`,
        });
      }
      return { ...l, departmentName: x.departmentName, staffName: x.staffName };
    });
    return { levels, top: chain.top, warnings };
  }
}
