import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import {
  AppException,
  CaseEventEntity,
  CLOCK,
  normalisePhone,
  type CaseEntity,
  type Clock,
  type FieldProblem,
  type StaffPrincipal,
} from '@kefu/shared';
import { CaseIntakeService } from '../cases/case-intake.service';
import { CaseWorkflowService } from '../cases/case-workflow.service';
import type { HandoverDto } from './handover.dto';

export interface LoggedHandover {
  created: boolean;
  case: Pick<CaseEntity, 'id' | 'number' | 'status'> & { promisedReplyAt: string | null };
}

/**
 * 003 §9.2.4: a complaint a department received itself, logged by its staff with the customer's own time. The
 * case is written like any other (routing, promise, acknowledgement) with a `handed_over` event in the same
 * transaction; the scheduler then records whether it reached customer service in time (transferToCs, or
 * selfHandledFiling for one the department handled itself). One the department handled is taken through accept,
 * assignment to the logging person and the result at once, so customer service's return visit follows.
 */
@Injectable()
export class HandoverService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly intake: CaseIntakeService,
    private readonly workflow: CaseWorkflowService,
  ) {}

  async log(dto: HandoverDto, staff: StaffPrincipal): Promise<LoggedHandover> {
    const now = this.clock.now();
    const receivedAt = new Date(dto.receivedAt);
    const handledAt = dto.handled ? new Date(dto.handled.at) : null;
    const departmentId = dto.departmentId ?? (await this.departmentOf(staff.id));
    const problems: FieldProblem[] = [];
    if (receivedAt > now) problems.push({ field: 'receivedAt', message: 'must not be in the future' });
    if (handledAt && (handledAt < receivedAt || handledAt > now))
      problems.push({ field: 'handled.at', message: 'must be between receivedAt and now' });
    if (!departmentId)
      problems.push({
        field: 'departmentId',
        message: 'required: you belong to no department; name the one that received it',
      });
    else if (!(await this.ds.query<unknown[]>(`SELECT 1 FROM departments WHERE id = $1`, [departmentId])).length)
      problems.push({ field: 'departmentId', message: 'no such department' });
    if (problems.length)
      throw new AppException('validation_failed', `Invalid input: ${problems.map((p) => p.field).join(', ')}`, {
        fields: problems,
      });

    const phone = dto.contact ? normalisePhone(dto.contact) : null;
    const result = await this.ds.transaction(async (m) => {
      const r = await this.intake.createIn(m, {
        channel: dto.channel,
        source: `handover:${departmentId}`,
        externalId: dto.idempotencyKey,
        raw: { ...dto, loggedById: staff.id },
        receivedAt,
        reporter: {
          name: dto.reporterName,
          contact: dto.contact,
          phones: phone ? [phone.digits] : [],
          email: dto.email,
        },
        description: dto.description,
        unitText: dto.unitText,
        projectId: dto.projectId,
        unitId: dto.unitId,
        type: dto.type,
        ...(dto.category !== undefined ? { category: dto.category } : {}),
        ...(dto.severity ? { severity: dto.severity } : {}),
        actor: { kind: 'staff', id: staff.id, name: staff.name },
      });
      if (r.created)
        await m.save(
          m.create(CaseEventEntity, {
            caseId: r.caseRow.id,
            kind: 'handed_over',
            actorId: staff.id,
            actorLabel: staff.name,
            occurredAt: now,
            details: {
              departmentId,
              receivedAt: receivedAt.toISOString(),
              ownResponsibility: dto.ownResponsibility,
              handledAt: handledAt?.toISOString() ?? null,
              loggedAt: now.toISOString(),
            },
          }),
        );
      return r;
    });
    if (!result.created) return { created: false, case: view(result.caseRow) };
    this.intake.afterCommit();
    let c = result.caseRow;
    if (dto.handled) {
      const note = '本部门直接受理并处理 (received and handled by the department itself)';
      await this.workflow.accept(c.id, { note }, staff);
      await this.workflow.assign(c.id, { departmentId, assigneeId: staff.id, note }, staff);
      c = await this.workflow.resolve(c.id, { result: dto.handled.result }, staff);
    }
    return { created: true, case: view(c) };
  }

  private async departmentOf(staffId: string): Promise<string | null> {
    const [row] = await this.ds.query<Array<{ department_id: string | null }>>(
      `SELECT department_id FROM staff WHERE id = $1`,
      [staffId],
    );
    return row?.department_id ?? null;
  }
}

const view = (c: CaseEntity): LoggedHandover['case'] => ({
  id: c.id,
  number: c.number,
  status: c.status,
  promisedReplyAt: c.promisedReplyAt?.toISOString() ?? null,
});
