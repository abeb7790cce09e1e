import type { EntityManager } from 'typeorm';
import {
  businessYear,
  formatCaseNumber,
  notificationKeys,
  type BusinessCalendar,
  type NotificationRequest,
} from '@kefu/shared';
import { stepLabel } from '../../apps/scheduler/src/reminders/steps';
import { planCases, type PlannedCase } from './cases';
import { UNDELIVERABLE_MOBILE, type DemoEstate } from './estate';
import type { HistoricMessage } from './notifications';
import type { Rng } from './random';
import { simulateDeadlines, type PlannedDeadline, type PlannedReminder } from './reminders';

export interface CaseHistory {
  cases: number;
  events: number;
  deadlines: number;
  reminders: number;
  messages: HistoricMessage[];
}

/** Rows as JSON for one jsonb_to_recordset statement per table (a few hundred rows each). */
const json = (rows: unknown[]) => JSON.stringify(rows);

/**
 * Six months of cases with their numbers, intake records, hotline calls, timelines, deadlines and reminders,
 * written set-based. Returns the messages the intake (受理回执) and the scheduler (reminders, escalations)
 * asked for, for writeHistoricMessages.
 */
export async function writeCaseHistory(
  m: EntityManager,
  rand: Rng,
  e: DemoEstate,
  o: { now: Date; calendar: BusinessCalendar; timeZone: string },
): Promise<CaseHistory> {
  const cases = planCases(rand, e, o);
  await allocateNumbers(m, cases, o.timeZone);
  const deadlines: PlannedDeadline[] = [];
  const reminders: PlannedReminder[] = [];
  for (const c of cases) {
    const s = simulateDeadlines(rand, e, c, o.calendar, o.now);
    deadlines.push(...s.deadlines);
    reminders.push(...s.reminders);
  }

  await m.query(
    `INSERT INTO cases (id, number, type, category, severity, validity, channel, status, project_id, unit_id, owner_id, reporter_name,
                        reporter_contact, reporter_phone, reporter_email, description, match_status, match_details, classification_rules,
                        promised_reply_rule, promised_reply_at, reply_date_moves, planned_round, escalation_level, department_id, assignee_id,
                        received_at, closed_at, created_at, updated_at)
     SELECT id, number, type, category, severity, validity, channel, status, project_id, unit_id, owner_id, reporter_name,
            reporter_contact, reporter_phone, reporter_email, description, match_status, match_details,
            ARRAY(SELECT jsonb_array_elements_text(rules)), promised_reply_rule, promised_reply_at, moves, moves, escalation_level,
            department_id, assignee_id, received_at, closed_at, received_at, updated_at
       FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, number text, type text, category text, severity text, validity text, channel text,
            status text, project_id uuid, unit_id uuid, owner_id uuid, reporter_name text, reporter_contact text, reporter_phone text,
            reporter_email text, description text, match_status text, match_details jsonb, rules jsonb, promised_reply_rule text,
            promised_reply_at timestamptz, moves smallint, escalation_level smallint, department_id uuid, assignee_id uuid,
            received_at timestamptz, closed_at timestamptz, updated_at timestamptz)`,
    [
      json(
        cases.map((c) => ({
          ...c,
          project_id: c.projectId,
          unit_id: c.unit?.id ?? null,
          owner_id: c.owner?.id ?? null,
          reporter_name: c.reporterName,
          reporter_contact: c.reporterContact,
          reporter_phone: c.reporterPhone,
          reporter_email: c.reporterEmail,
          match_status: c.owner ? 'matched' : 'unmatched',
          match_details: c.owner ? { owner: c.reporterEmail ? 'email' : 'phone', unit: 'owner' } : {},
          rules: c.classificationRules,
          promised_reply_rule: c.promisedReplyRule,
          promised_reply_at: c.promisedReplyAt,
          moves: c.moves.length,
          escalation_level: c.escalationLevel,
          department_id: c.departmentId,
          assignee_id: c.assigneeId,
          received_at: c.receivedAt,
          closed_at: c.closedAt,
          updated_at: c.events[c.events.length - 1]!.at,
        })),
      ),
    ],
  );
  await writeIntake(m, e, cases);
  const events = cases.flatMap((c) =>
    c.events.map((ev) => ({
      case_id: c.id,
      kind: ev.kind,
      actor_id: ev.actor.id,
      actor_label: ev.actor.label,
      at: ev.at,
      details: ev.details,
    })),
  );
  // case_events is append-only (a trigger refuses UPDATE and DELETE): inserted once, with the times they happened.
  await m.query(
    `INSERT INTO case_events (case_id, kind, actor_id, actor_label, occurred_at, details)
     SELECT case_id, kind, actor_id, actor_label, at, details
       FROM jsonb_to_recordset($1::jsonb) AS r(case_id uuid, kind text, actor_id uuid, actor_label text, at timestamptz, details jsonb)
      ORDER BY at`,
    [json(events)],
  );
  // Each return visit as return_visits holds it (one per round), logged by the staff member who called; the
  // rating follows the answer (4–5 satisfied, 1–2 not), fixed per case so two loads agree.
  await m.query(
    `INSERT INTO return_visits (id, case_id, round, via, satisfied, rating, comments, recorded_by_id, created_at)
     SELECT md5(e.case_id::text || ':' || e.round)::uuid, e.case_id, e.round, 'phone', e.satisfied,
            CASE WHEN e.satisfied THEN 4 ELSE 1 END + abs(hashtext(e.case_id::text)) % 2, e.comments, e.actor_id, e.occurred_at
       FROM (SELECT case_id, actor_id, occurred_at, details->>'comments' AS comments, (details->>'satisfied')::boolean AS satisfied,
                    row_number() OVER (PARTITION BY case_id ORDER BY occurred_at, id)::smallint AS round
               FROM case_events WHERE kind = 'return_visit' AND case_id = ANY($1::uuid[])) e`,
    [cases.map((c) => c.id)],
  );
  await m.query(
    `INSERT INTO case_deadlines (id, case_id, step, round, due_at, provisional, responsible_staff_id, state, closed_at, created_at)
     SELECT id, "caseId", step, round, "dueAt", false, "responsibleStaffId", state, "closedAt", "createdAt"
       FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, "caseId" uuid, step text, round smallint, "dueAt" timestamptz,
            "responsibleStaffId" uuid, state text, "closedAt" timestamptz, "createdAt" timestamptz)`,
    [json(deadlines)],
  );
  await m.query(
    `INSERT INTO reminders (id, deadline_id, case_id, kind, level, send_at, recipient_staff_id, reason, sent_at, late, ack_due_at,
                            acknowledged_at, acknowledged_by_id, acknowledged_via, escalated_at, cancelled_at, created_at)
     SELECT id, "deadlineId", "caseId", kind, level, "sendAt", recipient, reason, "sentAt", false, "ackDueAt",
            "acknowledgedAt", "acknowledgedById", "acknowledgedVia", "escalatedAt", "cancelledAt", "createdAt"
       FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, "deadlineId" uuid, "caseId" uuid, kind text, level smallint, "sendAt" timestamptz,
            recipient uuid, reason text, "sentAt" timestamptz, "ackDueAt" timestamptz, "acknowledgedAt" timestamptz,
            "acknowledgedById" uuid, "acknowledgedVia" text, "escalatedAt" timestamptz, "cancelledAt" timestamptz, "createdAt" timestamptz)`,
    [json(reminders.map((r) => ({ ...r, recipient: r.sentAt ? (r.recipient?.id ?? null) : null })))],
  );
  return {
    cases: cases.length,
    events: events.length,
    deadlines: deadlines.length,
    reminders: reminders.length,
    messages: [...acknowledgements(cases), ...reminderMessages(cases, reminders, e.staff.rep.name)],
  };
}

/**
 * Case numbers as the intake allocates them: per prefix and business year, in the order the cases came in,
 * from case_number_counters (one upsert per prefix and year, adding the year's count), so they are gap-free
 * and the next live case continues the sequence.
 */
async function allocateNumbers(m: EntityManager, cases: PlannedCase[], timeZone: string): Promise<void> {
  const groups = new Map<string, PlannedCase[]>();
  for (const c of cases) {
    const k = `${c.prefix}|${businessYear(c.receivedAt, timeZone)}`;
    groups.set(k, [...(groups.get(k) ?? []), c]);
  }
  for (const [k, list] of groups) {
    const [prefix, year] = k.split('|') as [string, string];
    const [row] = await m.query<Array<{ last_value: number }>>(
      `INSERT INTO case_number_counters (prefix, year, last_value) VALUES ($1, $2, $3)
       ON CONFLICT (prefix, year) DO UPDATE SET last_value = case_number_counters.last_value + EXCLUDED.last_value
       RETURNING last_value`,
      [prefix, Number(year), list.length],
    );
    const first = row!.last_value - list.length + 1;
    list.forEach((c, i) => (c.number = formatCaseNumber(prefix, Number(year), first + i)));
  }
}

const sources: Record<PlannedCase['channel'], string> = {
  hotline: 'hotline',
  email: 'mailbox:INBOX',
  fax: 'mailbox:INBOX',
  web: 'web',
  suggestion_box: 'suggestion_box',
  walk_in: 'walk_in',
};

/** Each case's intake record (the item as received) and, for the hotline, the call. */
async function writeIntake(m: EntityManager, e: DemoEstate, cases: PlannedCase[]): Promise<void> {
  await m.query(
    `INSERT INTO intake_records (id, channel, source, external_id, raw, received_at, outcome, case_id, processed_at, attempts, created_at)
     SELECT id, channel, source, external_id, raw, received_at, 'case_created', case_id, received_at, 1, received_at
       FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, channel text, source text, external_id text, raw jsonb, received_at timestamptz, case_id uuid)`,
    [
      json(
        cases.map((c) => ({
          id: c.intakeRecordId,
          channel: c.channel,
          source: sources[c.channel],
          external_id: `demo:${c.number}`,
          raw: { description: c.description, reporter: { name: c.reporterName, contact: c.reporterContact } },
          received_at: c.receivedAt,
          case_id: c.id,
        })),
      ),
    ],
  );
  const calls = cases.filter((c) => c.channel === 'hotline');
  await m.query(
    `INSERT INTO calls (case_id, intake_record_id, caller_number, caller_digits, started_at, duration_seconds, operator_id, summary, created_at)
     SELECT case_id, intake_record_id, caller, caller, started_at, duration, $2, summary, started_at
       FROM jsonb_to_recordset($1::jsonb) AS r(case_id uuid, intake_record_id uuid, caller text, started_at timestamptz, duration int, summary text)`,
    [
      json(
        calls.map((c, i) => ({
          case_id: c.id,
          intake_record_id: c.intakeRecordId,
          caller: c.reporterPhone ?? '',
          started_at: c.receivedAt,
          duration: 90 + ((i * 37) % 400),
          summary: c.description,
        })),
      ),
      e.staff.operator.id,
    ],
  );
}

/** 受理回执 as the intake asks for it; the undeliverable number's SMS ends undelivered, a landline's fails. */
function acknowledgements(cases: PlannedCase[]): HistoricMessage[] {
  return cases
    .filter((c) => c.ackChannel)
    .map((c) => ({
      req: {
        kind: 'case_acknowledgement',
        idempotencyKey: notificationKeys.caseAck({ caseId: c.id }),
        recipient: { caseReporterOf: c.id },
        channel: c.ackChannel!,
        source: { type: 'case', id: c.id },
        variables: {
          caseNumber: c.number!,
          promisedReplyAt: c.initialPromised.toISOString(),
          reporterName: c.reporterName,
        },
      },
      channel: c.ackChannel!,
      at: new Date(c.receivedAt.getTime() + 1_000),
      to: (c.ackChannel === 'email' ? c.reporterEmail : c.reporterPhone)!,
      recipientName: c.reporterName,
      outcome:
        c.ackChannel === 'email'
          ? 'sent'
          : c.reporterPhone === UNDELIVERABLE_MOBILE
            ? 'undelivered'
            : c.reporterPhone!.startsWith('0')
              ? 'failed'
              : 'delivered',
    }));
}

/** The scheduler's reminder and escalation messages: one per channel of the recipient (email, SMS). */
function reminderMessages(cases: PlannedCase[], reminders: PlannedReminder[], fromName: string): HistoricMessage[] {
  const numbers = new Map(cases.map((c) => [c.id, c.number!]));
  return reminders
    .filter((r) => r.sentAt && r.recipient)
    .flatMap((r) =>
      (['email', 'sms'] as const).map((channel): HistoricMessage => {
        const common = {
          caseNumber: numbers.get(r.caseId)!,
          step: r.step,
          stepLabel: stepLabel[r.step],
          dueAt: r.dueAt.toISOString(),
          // The signed link of a historic reminder has long expired; the path is the real one.
          ackUrl: `http://localhost:3001/ack/expired-${r.id}`,
        };
        const base = {
          idempotencyKey: notificationKeys.reminder({ reminderId: r.id, channel }),
          recipient: { staffId: r.recipient!.id },
          channel,
          caseId: r.caseId,
          urgent: r.major,
          source: { type: 'reminder', id: r.id },
        } as const;
        const req: NotificationRequest =
          r.kind === 'escalation'
            ? {
                ...base,
                kind: 'escalation',
                variables: { ...common, level: r.level, fromName, reason: r.reason ?? '未在时限内确认' },
              }
            : { ...base, kind: 'staff_reminder', variables: { ...common, overdue: r.kind === 'due' } };
        return {
          req,
          channel,
          at: r.sentAt!,
          to: channel === 'email' ? r.recipient!.email : r.recipient!.mobile,
          recipientName: r.recipient!.name,
          outcome: channel === 'email' ? 'sent' : 'delivered',
        };
      }),
    );
}
