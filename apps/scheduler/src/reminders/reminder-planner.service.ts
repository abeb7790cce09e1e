import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import {
  APP_CONFIG,
  CalendarService,
  cancelNotifications,
  CLOCK,
  computeDeadline,
  dutyDayOf,
  type AppConfig,
  type BusinessCalendar,
  type Clock,
  type DeadlineStep,
  type ReminderKind,
} from '@kefu/shared';
import { responsibleFor } from './chain';
import { advanceReminderAt, markDoneSql } from './steps';
import { caseFactsSql, desiredDeadlines, type CaseFacts, type PlannedDeadline } from './case-plan';

interface Existing {
  id: string;
  step: DeadlineStep;
  round: number;
  dueAt: Date;
  state: string;
  doneAt: Date | null;
}

/**
 * Planning: each open case's deadlines and the reminders before and at each, reconciled with what the case is
 * now (nothing twice: unique (case, step, round) and (deadline, kind, level)). Intake marks a case for planning
 * (planned_round = NULL) whenever something that decides its deadlines changes, and queues `case-changed`; the
 * scan's catch-up plans whatever the job did not.
 */
@Injectable()
export class ReminderPlanner {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly calendars: CalendarService,
  ) {}

  /** case-received / case-changed: plan the case's deadlines and reminders as the case now stands. */
  async planCase(caseId: string): Promise<number> {
    const calendar = await this.calendars.current();
    return this.ds.transaction((m) => this.plan(m, calendar, caseId, this.clock.now()));
  }

  /**
   * Open cases whose plan is not current: created while we were down, the reply date moved, or intake changed
   * what decides their deadlines (reclassified, handed over, resolved, escalated…).
   */
  async planMissing(calendar: BusinessCalendar, now: Date): Promise<number> {
    let planned = 0;
    for (;;) {
      // ix_cases_unplanned holds just the cases whose current round has no recorded plan.
      const ids = await this.ds.query<Array<{ id: string }>>(
        // Closed and rejected ones too: planning marks them planned (nothing to plan), so they leave the index
        // instead of being read again by every scan.
        `SELECT c.id FROM cases c
         WHERE c.planned_round IS DISTINCT FROM c.reply_date_moves
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

  /**
   * 004 篇2 §1: a complaint unresolved within 10 days (minor.upgradeToMajor) is a major complaint. Upgraded by the
   * scheduler with a `reclassified` event at the moment it became due; the major steps (report to the head,
   * solution) are then planned from that moment.
   */
  async upgradeUnresolved(calendar: BusinessCalendar, now: Date): Promise<number> {
    const limit = this.config.SLA_POLICY.minor.upgradeToMajor;
    // Candidates: received at least the figure's clock length ago (a working-day figure is never shorter); each is
    // then checked against the calendar.
    const hours = { minutes: 1 / 60, hours: 1, working_hours: 1, days: 24, working_days: 24 }[limit.unit];
    const cutoff = new Date(now.getTime() - limit.amount * hours * 3_600_000);
    const rows = await this.ds.query<Array<{ id: string; receivedAt: Date }>>(
      `SELECT id, received_at AS "receivedAt" FROM cases
       WHERE type = 'complaint' AND severity = 'minor' AND status IN ('new', 'accepted', 'assigned', 'replied')
         AND received_at <= $1
       ORDER BY received_at LIMIT 500`,
      [cutoff],
    );
    const due = rows
      .map((r) => ({ id: r.id, at: computeDeadline(calendar, new Date(r.receivedAt), limit).at }))
      .filter((r) => r.at <= now);
    if (!due.length) return 0;
    const upgraded = await this.ds.query<unknown[]>(
      `WITH up AS (
         UPDATE cases c SET severity = 'major', planned_round = NULL
         FROM (SELECT unnest($1::uuid[]) AS id, unnest($2::timestamptz[]) AS at) v
         WHERE c.id = v.id AND c.severity = 'minor' AND c.status IN ('new', 'accepted', 'assigned', 'replied')
         RETURNING c.id, v.at)
       INSERT INTO case_events (case_id, kind, actor_id, actor_label, occurred_at, details)
       SELECT id, 'reclassified', NULL, 'scheduler', at,
              jsonb_build_object('before', jsonb_build_object('severity', 'minor'), 'after', jsonb_build_object('severity', 'major'),
                                 'reason', $3::text)
       FROM up RETURNING case_id`,
      [
        due.map((r) => r.id),
        due.map((r) => r.at),
        `投诉超过${limit.amount}${{ minutes: '分钟', hours: '小时', working_hours: '工作小时', days: '天', working_days: '个工作日' }[limit.unit]}未解决，升级为重大投诉 (004 篇2 §1)`,
      ],
    );
    return upgraded.length;
  }

  /**
   * Returns how many deadlines were added, moved, withdrawn or marked done (0: the plan was current, or another
   * instance holds the case); a closed case counts 1 (marked planned).
   */
  private async plan(m: EntityManager, calendar: BusinessCalendar, caseId: string, now: Date): Promise<number> {
    // The case row locked: intake's transitions lock it too, so a change made while we plan waits for us and then
    // marks the case for planning again (never lost under our planned_round).
    const [c] = await m.query<CaseFacts[]>(`${caseFactsSql} FOR UPDATE OF c SKIP LOCKED`, [caseId]);
    if (!c) return 0;
    if (c.status === 'closed' || c.status === 'rejected') {
      await this.markPlanned(m, c);
      return 1;
    }
    const desired = desiredDeadlines(calendar, this.config.SLA_POLICY, c, now);
    const existing = await m.query<Existing[]>(
      `SELECT id, step, round, due_at AS "dueAt", state, done_at AS "doneAt" FROM case_deadlines WHERE case_id = $1`,
      [c.id],
    );
    const byKey = new Map(existing.map((e) => [`${e.step}:${e.round}`, e]));
    const wanted = new Set(desired.map((d) => `${d.step}:${d.round}`));
    let changes = 0;

    // Withdrawn: open deadlines the case no longer has (an earlier reply round, a step of its former type).
    const gone = existing.filter((e) => e.state === 'open' && !e.doneAt && !wanted.has(`${e.step}:${e.round}`));
    if (gone.length) {
      const ids = gone.map((e) => e.id);
      await m.query(
        `UPDATE case_deadlines SET state = 'superseded', closed_at = $2 WHERE id = ANY($1::uuid[]) AND state = 'open'`,
        [ids, now],
      );
      const reminders = await m.query<Array<{ id: string }>>(
        `UPDATE reminders SET cancelled_at = $2 WHERE deadline_id = ANY($1::uuid[]) AND cancelled_at IS NULL
           AND acknowledged_at IS NULL RETURNING id`,
        [ids, now],
      );
      await cancelNotifications(m, { type: 'reminder', ids: reminders.map((r) => r.id) });
      changes += gone.length;
    }

    const responsible = await responsibleFor(m, c, dutyDayOf(calendar, now));
    const fresh: PlannedDeadline[] = [];
    const moved: Array<PlannedDeadline & { id: string }> = [];
    for (const d of desired) {
      const e = byKey.get(`${d.step}:${d.round}`);
      if (!e) fresh.push(d);
      else if (e.state === 'open' && !e.doneAt && new Date(e.dueAt).getTime() !== d.due.getTime()) {
        moved.push({ ...d, id: e.id });
      }
    }
    const reminders: Array<[string, ReminderKind, number, Date]> = [];
    const remind = (id: string, p: PlannedDeadline) => {
      if (p.step === 'reportToHead') {
        // The head is told at once (the report itself); again, as overdue, at the deadline.
        reminders.push([id, 'before', 0, p.from > now ? p.from : now], [id, 'due', 0, p.due]);
        return;
      }
      const before = advanceReminderAt(calendar, p.from, p.due, this.config.REMINDER_LEAD_PERCENT);
      if (before.getTime() - p.from.getTime() >= 60_000 && p.due.getTime() - before.getTime() >= 60_000) {
        reminders.push([id, 'before', 0, before]);
      }
      reminders.push([id, 'due', 0, p.due]);
    };
    if (fresh.length) {
      const inserted = await m.query<Array<{ id: string; step: DeadlineStep; round: number }>>(
        // A step already done when planned is closed at once: met if done by its due time, else missed.
        `INSERT INTO case_deadlines (case_id, step, round, due_at, provisional, responsible_staff_id, done_at, state, closed_at)
         SELECT $1, v.step, v.round, v.due_at, v.provisional, $6, v.done_at,
                CASE WHEN v.done_at IS NULL THEN 'open' WHEN v.done_at <= v.due_at THEN 'met' ELSE 'missed' END, v.done_at
         FROM (SELECT unnest($2::varchar[]) AS step, unnest($3::smallint[]) AS round, unnest($4::timestamptz[]) AS due_at,
                      unnest($5::boolean[]) AS provisional, unnest($7::timestamptz[]) AS done_at) v
         ON CONFLICT (case_id, step, round) DO NOTHING RETURNING id, step, round`,
        [
          c.id,
          fresh.map((p) => p.step),
          fresh.map((p) => p.round),
          fresh.map((p) => p.due),
          fresh.map((p) => p.provisional),
          responsible?.id ?? null,
          fresh.map((p) => p.doneAt),
        ],
      );
      for (const row of inserted) {
        const p = fresh.find((x) => x.step === row.step && x.round === row.round)!;
        if (!p.doneAt) remind(row.id, p);
      }
      changes += inserted.length;
    }
    for (const p of moved) {
      // A new due time (reclassified, an agreed survey time): the reminders not yet sent are planned again.
      await m.query(`UPDATE case_deadlines SET due_at = $2, provisional = $3 WHERE id = $1`, [
        p.id,
        p.due,
        p.provisional,
      ]);
      await m.query(`DELETE FROM reminders WHERE deadline_id = $1 AND sent_at IS NULL AND kind <> 'escalation'`, [
        p.id,
      ]);
      remind(p.id, p);
      changes++;
    }
    // Done by a recorded act (the handling plan, the site survey, the return visit): marked, and what waits on it
    // stops (the scan cancels the rest as moot).
    for (const d of desired) {
      const e = byKey.get(`${d.step}:${d.round}`);
      if (e && d.doneAt && !e.doneAt) {
        await m.query(`UPDATE case_deadlines SET ${markDoneSql('$2')} WHERE id = $1 AND done_at IS NULL`, [
          e.id,
          d.doneAt,
        ]);
        changes++;
      }
    }
    if (reminders.length) {
      await m.query(
        `INSERT INTO reminders (deadline_id, case_id, kind, level, send_at)
         SELECT unnest($1::uuid[]), $2, unnest($3::varchar[]), unnest($4::smallint[]), unnest($5::timestamptz[])
         ON CONFLICT (deadline_id, kind, level) DO NOTHING`,
        [
          reminders.map((r) => r[0]),
          c.id,
          reminders.map((r) => r[1]),
          reminders.map((r) => r[2]),
          reminders.map((r) => r[3]),
        ],
      );
    }
    changes += await this.tellEscalation(m, c, now);
    await this.markPlanned(m, c);
    return changes;
  }

  /**
   * An escalation staff made (escalate, a refused third reply-date move) or the planner itself decided: the person
   * at the case's escalation level is told, on the case's current promised-reply deadline, once per level.
   */
  private async tellEscalation(m: EntityManager, c: CaseFacts, now: Date): Promise<number> {
    if (c.escalationLevel <= c.toldLevel) return 0;
    const [d] = await m.query<Array<{ id: string }>>(
      `SELECT id FROM case_deadlines WHERE case_id = $1 AND step = 'firstReply' ORDER BY round DESC LIMIT 1`,
      [c.id],
    );
    if (!d) return 0;
    const rows = await m.query<unknown[]>(
      `INSERT INTO reminders (deadline_id, case_id, kind, level, send_at, reason)
       VALUES ($1, $2, 'escalation', $3, $4, $5) ON CONFLICT (deadline_id, kind, level) DO NOTHING RETURNING id`,
      [d.id, c.id, c.escalationLevel, now, (c.escalationReason ?? '案件已升级').slice(0, 200)],
    );
    return rows.length;
  }

  private async markPlanned(m: EntityManager, c: CaseFacts): Promise<void> {
    await m.query(`UPDATE cases SET planned_round = $2 WHERE id = $1 AND planned_round IS DISTINCT FROM $2`, [
      c.id,
      c.replyDateMoves,
    ]);
  }
}
