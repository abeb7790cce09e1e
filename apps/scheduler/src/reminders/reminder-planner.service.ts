import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import {
  APP_CONFIG,
  CalendarService,
  CLOCK,
  dutyDayOf,
  initialDeadlines,
  type AppConfig,
  type BusinessCalendar,
  type CaseSeverity,
  type CaseStatus,
  type CaseType,
  type Clock,
  type DeadlineStep,
  type ReminderKind,
} from '@kefu/shared';
import { responsibleFor } from './chain';
import { advanceReminderAt } from './steps';

interface CaseRow {
  id: string;
  number: string;
  type: CaseType;
  severity: CaseSeverity;
  status: CaseStatus;
  receivedAt: Date;
  promisedReplyAt: Date | null;
  replyDateMoves: number;
  assigneeId: string | null;
  departmentId: string | null;
}

const firstReplyDuplicates: Record<string, DeadlineStep | undefined> = {
  'major.solution': 'solution',
  'repair.engineerContact': 'engineerContact',
  departmentPlan: 'departmentPlan',
};

/** Planning: each open case's deadlines and the reminders before and at each (nothing twice: unique keys). */
@Injectable()
export class ReminderPlanner {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly calendars: CalendarService,
  ) {}

  /** case-received: plan the case's deadlines and reminders (nothing twice: unique (case, step, round)). */
  async planCase(caseId: string): Promise<number> {
    const calendar = await this.calendars.current();
    return this.ds.transaction((m) => this.plan(m, calendar, caseId, this.clock.now()));
  }

  /**
   * Open cases without a deadline for their current promised reply date: created while we were down, or the
   * date was moved.
   */
  async planMissing(calendar: BusinessCalendar, now: Date): Promise<number> {
    let planned = 0;
    for (;;) {
      // ix_cases_unplanned holds just the cases whose current round has no recorded plan.
      const ids = await this.ds.query<Array<{ id: string }>>(
        `SELECT c.id FROM cases c
         WHERE c.planned_round IS DISTINCT FROM c.reply_date_moves AND c.status NOT IN ('closed', 'rejected')
         ORDER BY c.received_at
         LIMIT 500`,
      );
      if (!ids.length) return planned;
      let progress = 0;
      for (const { id } of ids) progress += await this.ds.transaction((m) => this.plan(m, calendar, id, now));
      planned += progress;
      if (progress === 0) return planned; // another instance is planning the same cases
    }
  }

  private async plan(m: EntityManager, calendar: BusinessCalendar, caseId: string, now: Date): Promise<number> {
    const rows = await m.query<CaseRow[]>(
      `SELECT id, number, type, severity, status, received_at AS "receivedAt", promised_reply_at AS "promisedReplyAt",
              reply_date_moves AS "replyDateMoves",
              assignee_id AS "assigneeId", department_id AS "departmentId"
       FROM cases WHERE id = $1`,
      [caseId],
    );
    const c = rows[0];
    if (!c || c.status === 'closed' || c.status === 'rejected') return 0;
    const policy = this.config.SLA_POLICY;
    const d = initialDeadlines(calendar, policy, { type: c.type, severity: c.severity, receivedAt: c.receivedAt });
    const round = c.replyDateMoves;
    const plan: Array<{ step: DeadlineStep; round: number; due: Date; provisional: boolean; from: Date }> = [
      {
        step: 'firstReply',
        round,
        due: c.promisedReplyAt ?? d.firstReply.at,
        provisional: round === 0 && d.firstReply.provisional,
        from: round === 0 ? c.receivedAt : now,
      },
    ];
    // The other steps have one round; planned with the first, a no-op (unique key) when a moved date is planned.
    const skip = firstReplyDuplicates[d.firstReplyRule];
    for (const step of [
      'departmentPlan',
      'departmentAnalysis',
      'reportToHead',
      'solution',
      'engineerContact',
      'siteSurvey',
    ] as const) {
      const at = d[step];
      if (at && step !== skip) {
        plan.push({ step, round: 0, due: at.at, provisional: at.provisional, from: c.receivedAt });
      }
    }
    const responsible = await responsibleFor(m, c, dutyDayOf(calendar, now));
    const inserted = await m.query<Array<{ id: string; step: DeadlineStep }>>(
      `INSERT INTO case_deadlines (case_id, step, round, due_at, provisional, responsible_staff_id)
       SELECT $1, unnest($2::varchar[]), unnest($3::smallint[]), unnest($4::timestamptz[]), unnest($5::boolean[]), $6
       ON CONFLICT (case_id, step, round) DO NOTHING RETURNING id, step`,
      [
        c.id,
        plan.map((p) => p.step),
        plan.map((p) => p.round),
        plan.map((p) => p.due),
        plan.map((p) => p.provisional),
        responsible?.id ?? null,
      ],
    );
    await m.query(`UPDATE cases SET planned_round = $2 WHERE id = $1 AND planned_round IS DISTINCT FROM $2`, [
      c.id,
      round,
    ]);
    if (!inserted.length) return 0;
    if (round > 0) {
      await m.query(
        `UPDATE case_deadlines SET state = 'superseded', closed_at = $3
         WHERE case_id = $1 AND step = 'firstReply' AND round < $2 AND state = 'open'`,
        [c.id, round, now],
      );
    }
    const reminders: Array<[string, ReminderKind, Date]> = [];
    for (const row of inserted) {
      const p = plan.find((x) => x.step === row.step)!;
      const before = advanceReminderAt(calendar, p.from, p.due, this.config.REMINDER_LEAD_PERCENT);
      if (before.getTime() - p.from.getTime() >= 60_000 && p.due.getTime() - before.getTime() >= 60_000) {
        reminders.push([row.id, 'before', before]);
      }
      reminders.push([row.id, 'due', p.due]);
    }
    await m.query(
      `INSERT INTO reminders (deadline_id, case_id, kind, level, send_at)
       SELECT unnest($1::uuid[]), $2, unnest($3::varchar[]), 0, unnest($4::timestamptz[])
       ON CONFLICT (deadline_id, kind, level) DO NOTHING`,
      [reminders.map((r) => r[0]), c.id, reminders.map((r) => r[1]), reminders.map((r) => r[2])],
    );
    return inserted.length;
  }
}
