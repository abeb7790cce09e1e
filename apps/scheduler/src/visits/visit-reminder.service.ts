import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import {
  addDays,
  APP_CONFIG,
  CLOCK,
  notificationKeys,
  OnTask,
  requestNotifications,
  unitLabelSql,
  zonedParts,
  type AppConfig,
  type Clock,
  type NotificationRequest,
  type VisitKind,
} from '@kefu/shared';

export const VISIT_REMINDER_TASK = 'visit-reminders';

/** How each kind of visit is named to staff. */
export const visitKindLabel: Record<VisitKind, string> = {
  routine: '例行拜访',
  handover: '交房回访',
  decoration: '装修期回访',
};

const MAX_ITEMS = 100;

interface DueRow {
  staff_id: string;
  email: string | null;
  estate_name: string;
  unit_label: string;
  kind: VisitKind;
  due_on: string;
}

/**
 * The daily visit reminder (拜访提醒): each member of staff with visits overdue, due today or due within
 * VISIT_REMINDER_LEAD_DAYS gets one `visit_due` message listing them — one per staff per business day
 * (`visit-due:<staff>:<day>`, unique), however often the task runs or the scheduler restarts.
 */
@Injectable()
export class VisitReminderService {
  private readonly logger = new Logger(VisitReminderService.name);

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  // Hourly in the working day: the first tick asks; later ones (and a scheduler back from downtime) find it done.
  @OnTask('scheduler', VISIT_REMINDER_TASK, (c) => ({ pattern: '0 0 8-18 * * *', tz: c.BUSINESS_TIME_ZONE }))
  async send(): Promise<{ day: string; staff: number; created: number }> {
    const today = zonedParts(this.clock.now(), this.config.BUSINESS_TIME_ZONE).day;
    const rows = await this.ds.query<DueRow[]>(
      `SELECT v.staff_id, s.email, p.name AS estate_name, ${unitLabelSql('u', 'b')} AS unit_label, v.kind,
              to_char(v.due_on, 'YYYY-MM-DD') AS due_on
       FROM owner_visits v
       JOIN staff s ON s.id = v.staff_id AND s.active AND (s.email IS NOT NULL OR s.mobile IS NOT NULL)
       JOIN units u ON u.id = v.unit_id JOIN buildings b ON b.id = u.building_id JOIN projects p ON p.id = v.project_id
       WHERE v.status = 'planned' AND v.due_on <= $1::date
         AND NOT EXISTS (SELECT 1 FROM notifications n WHERE n.idempotency_key = ${notificationKeys.visitDue.sql({ staffId: 'v.staff_id', day: '$2::text' })})
       ORDER BY v.staff_id, v.due_on, unit_label`,
      [addDays(today, this.config.VISIT_REMINDER_LEAD_DAYS), today],
    );
    const byStaff = new Map<string, DueRow[]>();
    for (const r of rows) byStaff.set(r.staff_id, [...(byStaff.get(r.staff_id) ?? []), r]);
    const state = (due: string) => (due < today ? 'overdue' : due === today ? 'due_today' : 'upcoming');
    const requests: NotificationRequest[] = [...byStaff].map(([staffId, items]) => ({
      idempotencyKey: notificationKeys.visitDue({ staffId, day: today }),
      kind: 'visit_due',
      recipient: { staffId },
      channel: items[0]!.email ? 'email' : 'sms',
      variables: {
        date: today,
        overdue: items.filter((i) => state(i.due_on) === 'overdue').length,
        dueToday: items.filter((i) => state(i.due_on) === 'due_today').length,
        upcoming: items.filter((i) => state(i.due_on) === 'upcoming').length,
        items: items.slice(0, MAX_ITEMS).map((i) => ({
          estateName: i.estate_name,
          unitLabel: i.unit_label,
          kindLabel: visitKindLabel[i.kind],
          dueOn: i.due_on,
          state: state(i.due_on),
        })),
      },
      source: { type: 'digest', id: staffId },
    }));
    if (!requests.length) return { day: today, staff: 0, created: 0 };
    const created = await this.ds.transaction((m) => requestNotifications(m, requests));
    const n = created.filter((c) => c.created).length;
    if (n) this.logger.log({ day: today, staff: n }, 'visit reminders asked for');
    return { day: today, staff: requests.length, created: n };
  }
}
