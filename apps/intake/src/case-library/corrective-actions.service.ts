import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import {
  ACTION_SELECT,
  addMonths,
  APP_CONFIG,
  AppException,
  recurringProblemsSection,
  zonedToUtc,
  type AppConfig,
  type CorrectiveActionRow,
  type RecurringPeriod,
  type RecurringProblemsSection,
  type StaffPrincipal,
} from '@kefu/shared';
import type { CreateActionBody, UpdateActionBody } from './case-library.dto';

const isUniqueViolation = (e: unknown) => (e as { code?: string }).code === '23505';
const isForeignKeyViolation = (e: unknown) => (e as { code?: string }).code === '23503';

/** Recurring problems for a month, and the corrective actions (整改措施) taken on them. */
@Injectable()
export class CorrectiveActionsService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The month (YYYY-MM, business time zone) as a report period. */
  monthPeriod(month: string): { start: Date; end: Date } {
    const tz = this.config.BUSINESS_TIME_ZONE;
    const first = `${month}-01`;
    return { start: zonedToUtc(first, 0, tz), end: zonedToUtc(addMonths(first, 1), 0, tz) };
  }

  recurring(month: string): Promise<RecurringProblemsSection> {
    return this.section(this.monthPeriod(month));
  }

  /** The periodic reports' section for any period [start, end): a week, a month, a quarter, a year. */
  section(period: RecurringPeriod): Promise<RecurringProblemsSection> {
    return recurringProblemsSection(this.ds, this.config, period);
  }

  async list(status?: string): Promise<CorrectiveActionRow[]> {
    return this.ds.query<CorrectiveActionRow[]>(
      `${ACTION_SELECT.replaceAll('$TZ', '$2')} WHERE ($1::text IS NULL OR a.status = $1)
        ORDER BY a.status IN ('open', 'in_progress') DESC, a.due_on, a.created_at DESC LIMIT 1000`,
      [status ?? null, this.config.BUSINESS_TIME_ZONE],
    );
  }

  async get(id: string): Promise<CorrectiveActionRow> {
    const [row] = await this.ds.query<CorrectiveActionRow[]>(
      `${ACTION_SELECT.replaceAll('$TZ', '$2')} WHERE a.id = $1`,
      [id, this.config.BUSINESS_TIME_ZONE],
    );
    if (!row) throw new AppException('not_found', `No corrective action ${id}.`);
    return row;
  }

  /** One action in force per problem (a unique index, not a check first): a second is a conflict. */
  async create(b: CreateActionBody, by: StaffPrincipal): Promise<CorrectiveActionRow> {
    try {
      const [r] = await this.ds.query<Array<{ id: string }>>(
        `INSERT INTO corrective_actions (problem_key, problem_label, action, department_id, due_on, created_by_id)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
        [b.problemKey, b.problemLabel, b.action, b.departmentId, b.dueOn, by.id],
      );
      return this.get(r!.id);
    } catch (e) {
      if (isUniqueViolation(e))
        throw new AppException('conflict', `The problem ${b.problemKey} already has a corrective action in force.`);
      if (isForeignKeyViolation(e))
        throw new AppException('validation_failed', `Unknown department ${b.departmentId}.`, {
          fields: [{ field: 'departmentId', message: 'unknown department' }],
        });
      throw e;
    }
  }

  /** Moves an action on: status (done and cancelled are final), due date, result. */
  async update(id: string, b: UpdateActionBody): Promise<CorrectiveActionRow> {
    const current = await this.get(id);
    if ((current.status === 'done' || current.status === 'cancelled') && b.status && b.status !== current.status)
      throw new AppException('illegal_transition', `The action is ${current.status}; it cannot become ${b.status}.`);
    try {
      await this.ds.query(
        `UPDATE corrective_actions
            SET status = COALESCE($2, status), due_on = COALESCE($3::date, due_on),
                result = CASE WHEN $5 THEN $4 ELSE result END,
                finished_at = CASE WHEN COALESCE($2, status) IN ('done', 'cancelled') THEN COALESCE(finished_at, now()) END,
                updated_at = now()
          WHERE id = $1`,
        [id, b.status ?? null, b.dueOn ?? null, b.result ?? null, b.result !== undefined],
      );
    } catch (e) {
      if (isUniqueViolation(e))
        throw new AppException('conflict', `The problem ${current.problemKey} already has another action in force.`);
      throw e;
    }
    return this.get(id);
  }
}
