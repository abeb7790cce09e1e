import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import {
  addDays,
  APP_CONFIG,
  CLOCK,
  notificationKeys,
  requestNotification,
  zonedParts,
  zonedToUtc,
  type AppConfig,
  type Clock,
  type DeadlineStep,
  type StaffRole,
} from '@kefu/shared';
import { stepDoneSql, stepLabel } from './steps';

export type ReminderListState = 'due' | 'overdue' | 'unacknowledged' | 'acknowledged' | 'all';

export interface ReminderView {
  id: string;
  caseId: string;
  caseNumber: string;
  step: DeadlineStep;
  stepLabel: string;
  kind: string;
  level: number;
  dueAt: string;
  sentAt: string;
  late: boolean;
  overdue: boolean;
  ackDueAt: string | null;
  acknowledgedAt: string | null;
  recipient: { id: string; name: string } | null;
  reason: string | null;
}

/** Staff whose reminders a person sees as "team": everyone below them on reports_to, their department if a manager, everyone for the GM and admin. */
export function teamSql(param: string): string {
  return `(WITH RECURSIVE me AS (SELECT id, role, department_id FROM staff WHERE id = ${param}),
     down AS (SELECT id, 0 AS depth FROM staff WHERE id = ${param}
              UNION ALL SELECT s.id, down.depth + 1 FROM staff s JOIN down ON s.reports_to_id = down.id WHERE down.depth < 10)
     SELECT id FROM down
     UNION SELECT s.id FROM staff s JOIN me ON me.role = 'dept_manager' AND s.department_id = me.department_id
     UNION SELECT s.id FROM staff s JOIN me ON me.role IN ('gm', 'admin')
     UNION SELECT s.id FROM staff s JOIN me ON me.role = 'vice_gm' AND NOT EXISTS (SELECT 1 FROM staff x WHERE x.reports_to_id = me.id))`;
}

const DIGEST_LOCAL_TIME = 8 * 60 + 30; // 08:30, business time zone

@Injectable()
export class ReminderQueryService {
  private readonly logger = new Logger(ReminderQueryService.name);
  private lastDigestDay: string | null = null;

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** "My reminders" (or my team's): sent reminders, newest first, filtered by state. */
  async list(
    staffId: string,
    q: { state: ReminderListState; scope: 'mine' | 'team'; limit: number },
  ): Promise<ReminderView[]> {
    const now = this.clock.now();
    const who = q.scope === 'team' ? `r.recipient_staff_id IN ${teamSql('$1')}` : `r.recipient_staff_id = $1`;
    const open = `r.acknowledged_at IS NULL AND r.cancelled_at IS NULL AND NOT ${stepDoneSql()} AND d.state <> 'superseded'`;
    const state = {
      all: 'TRUE',
      acknowledged: 'r.acknowledged_at IS NOT NULL',
      unacknowledged: open,
      overdue: `${open} AND d.due_at < $2`,
      due: `${open} AND d.due_at >= $2`,
    }[q.state];
    const rows = await this.ds.query<
      Array<
        Omit<ReminderView, 'stepLabel' | 'recipient' | 'overdue'> & {
          recipientName: string | null;
          recipientId: string | null;
          done: boolean;
        }
      >
    >(
      `SELECT r.id, r.case_id AS "caseId", c.number AS "caseNumber", d.step, r.kind, r.level, d.due_at AS "dueAt", r.sent_at AS "sentAt", r.late,
              r.ack_due_at AS "ackDueAt", r.acknowledged_at AS "acknowledgedAt", r.recipient_staff_id AS "recipientId", s.name AS "recipientName", r.reason,
              ${stepDoneSql()} AS done
       FROM reminders r JOIN case_deadlines d ON d.id = r.deadline_id JOIN cases c ON c.id = r.case_id LEFT JOIN staff s ON s.id = r.recipient_staff_id
       WHERE r.sent_at IS NOT NULL AND ${who} AND (${state}) AND $2::timestamptz IS NOT NULL
       ORDER BY r.sent_at DESC, r.id LIMIT $3`,
      [staffId, now, q.limit],
    );
    return rows.map(({ recipientId, recipientName, done, ...r }) => ({
      ...r,
      stepLabel: stepLabel[r.step],
      dueAt: new Date(r.dueAt).toISOString(),
      sentAt: new Date(r.sentAt).toISOString(),
      ackDueAt: r.ackDueAt ? new Date(r.ackDueAt).toISOString() : null,
      acknowledgedAt: r.acknowledgedAt ? new Date(r.acknowledgedAt).toISOString() : null,
      overdue: !done && new Date(r.dueAt) < now,
      recipient: recipientId ? { id: recipientId, name: recipientName ?? '' } : null,
    }));
  }

  /**
   * Who a sent reminder went to, and whether `staffId` was sent an escalation of the same deadline at a higher
   * level (above the recipient on this case's escalation chain, however the chain finds its people).
   */
  async recipientOf(
    reminderId: string,
    staffId: string,
  ): Promise<{ recipientStaffId: string | null; escalatedToStaff: boolean } | null> {
    const rows = await this.ds.query<Array<{ recipientStaffId: string | null; escalatedToStaff: boolean }>>(
      `SELECT r.recipient_staff_id AS "recipientStaffId",
              EXISTS (SELECT 1 FROM reminders e
                      WHERE e.deadline_id = r.deadline_id AND e.kind = 'escalation' AND e.level > r.level
                        AND e.sent_at IS NOT NULL AND e.recipient_staff_id = $2) AS "escalatedToStaff"
       FROM reminders r WHERE r.id = $1 AND r.sent_at IS NOT NULL`,
      [reminderId, staffId],
    );
    return rows[0] ?? null;
  }

  /**
   * Once a day from 08:30 (business time zone): each manager's digest of their team's overdue
   * deadlines, deadlines due today and unacknowledged reminders (and how many owner visits are overdue), under `digest:<staff>:<date>`. Called by
   * the daily cron task and by every scan, so a scheduler that was down at 08:30 catches up once.
   */
  async sendDigests(force = false): Promise<number> {
    const now = this.clock.now();
    const tz = this.config.BUSINESS_TIME_ZONE;
    const today = zonedParts(now, tz).day;
    if (!force && (this.lastDigestDay === today || now < zonedToUtc(today, DIGEST_LOCAL_TIME * 60_000, tz))) return 0;
    const endOfToday = zonedToUtc(addDays(today, 1), 0, tz);
    const managers = await this.ds.query<
      Array<{ id: string; role: StaffRole; email: string | null; mobile: string | null }>
    >(
      `SELECT id, role, email, mobile FROM staff WHERE active AND role IN ('dept_manager', 'vice_gm', 'gm') AND (email IS NOT NULL OR mobile IS NOT NULL) ORDER BY id`,
    );
    let sent = 0;
    for (const manager of managers) {
      const items = await this.ds.query<
        Array<{
          caseNumber: string;
          step: DeadlineStep;
          dueAt: Date;
          state: 'overdue' | 'due_today' | 'unacknowledged';
        }>
      >(
        `WITH team AS ${teamSql('$1')}
         SELECT c.number AS "caseNumber", d.step, d.due_at AS "dueAt", CASE WHEN d.due_at < $2 THEN 'overdue' ELSE 'due_today' END AS state
         FROM case_deadlines d JOIN cases c ON c.id = d.case_id
         WHERE d.state IN ('open', 'missed') AND d.responsible_staff_id IN (SELECT id FROM team) AND d.due_at < $3 AND NOT ${stepDoneSql()}
         UNION ALL
         SELECT c.number, d.step, d.due_at, 'unacknowledged'
         FROM reminders r JOIN case_deadlines d ON d.id = r.deadline_id JOIN cases c ON c.id = r.case_id
         WHERE r.sent_at IS NOT NULL AND r.acknowledged_at IS NULL AND r.cancelled_at IS NULL AND d.state <> 'superseded'
           AND r.recipient_staff_id IN (SELECT id FROM team) AND NOT ${stepDoneSql()}
         ORDER BY 4, 3`,
        [manager.id, now, endOfToday],
      );
      // Owner visits of the team still not made after their planned day (002 §7.5.2): a count, the list is on the page.
      const [visits] = await this.ds.query<Array<{ overdue: number }>>(
        `WITH team AS ${teamSql('$1')}
         SELECT count(*)::int AS overdue FROM owner_visits v
         WHERE v.status = 'planned' AND v.due_on < $2::date AND v.staff_id IN (SELECT id FROM team)`,
        [manager.id, today],
      );
      const overdueVisits = visits?.overdue ?? 0;
      if (!items.length && !overdueVisits) continue;
      const count = (s: string) => items.filter((i) => i.state === s).length;
      const created = await this.ds.transaction((m) =>
        requestNotification(m, {
          idempotencyKey: notificationKeys.digest({ staffId: manager.id, day: today }),
          kind: 'staff_digest',
          recipient: { staffId: manager.id },
          channel: manager.email ? 'email' : 'sms',
          variables: {
            date: today,
            overdue: count('overdue'),
            dueToday: count('due_today'),
            unacknowledged: count('unacknowledged'),
            items: items.slice(0, 200).map((i) => ({
              caseNumber: i.caseNumber,
              stepLabel: stepLabel[i.step],
              dueAt: new Date(i.dueAt).toISOString(),
              state: i.state,
            })),
            ...(overdueVisits ? { overdueVisits } : {}),
          },
          source: { type: 'digest', id: manager.id },
        }),
      );
      if (created.created) sent++;
    }
    this.lastDigestDay = today;
    if (sent) this.logger.log({ day: today, sent }, 'daily digests asked for');
    return sent;
  }
}
