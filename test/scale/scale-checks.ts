import { Queue } from 'bullmq';
import { Queues } from '@kefu/shared';
import type { LoadSizes } from './scale-load';
import type { ScaleStack } from './scale-stack';
import type { SimulatedWeek } from './scale-week';

export interface Counts {
  /** name → [expected, actual]; `final`: once wrong, waiting cannot put it right (something happened twice). */
  checks: Array<{ name: string; expected: number; actual: number; final?: boolean }>;
  /** Work still moving (a non-zero value means: wait). */
  moving: number;
  /** Figures printed with the table, not checked. */
  notes: string[];
}

const one = async <T>(stack: ScaleStack, sql: string, params: unknown[] = []): Promise<T> =>
  (await stack.ds.query<T[]>(sql, params))[0]!;

/**
 * What must hold once the system is quiet: every intake item exactly one case (and planned), every notification
 * sent exactly once as the provider counts them, nothing left `sending`, no job left on a queue, no outbox row left.
 */
export async function countAll(stack: ScaleStack, sizes: LoadSizes, week?: SimulatedWeek): Promise<Counts> {
  const tags = await stack.ds.query<Array<{ kind: string; items: number; cases: number; extra: number }>>(
    `SELECT substring(tag, 1, 1) AS kind, count(*)::int AS items, sum(n)::int AS cases, sum(n - 1)::int AS extra
       FROM (SELECT substring(description from '#S-([HW][0-9]+)#') AS tag, count(*) AS n FROM cases
              WHERE description LIKE '%#S-%' GROUP BY 1) t GROUP BY 1`,
  );
  const tag = (k: string) => tags.find((t) => t.kind === k) ?? { items: 0, cases: 0, extra: 0 };
  const cdr = await one<{ records: number; cases: number }>(
    stack,
    `SELECT count(*)::int AS records, count(DISTINCT case_id)::int AS cases FROM intake_records
      WHERE source = 'cdr' AND raw->>'src' LIKE '136%'`,
  );
  const unplanned = await one<{ n: number }>(stack, `SELECT count(*)::int AS n FROM cases WHERE planned_round IS NULL`);
  const ours = await one<{ done: number; sending: number; pending: number; other: number }>(
    stack,
    `SELECT count(*) FILTER (WHERE status IN ('sent', 'delivered'))::int AS done,
            count(*) FILTER (WHERE status = 'sending')::int AS sending,
            count(*) FILTER (WHERE status = 'pending')::int AS pending,
            count(*) FILTER (WHERE status NOT IN ('sent', 'delivered', 'sending', 'pending'))::int AS other
       FROM notifications WHERE idempotency_key LIKE 'scale:%'`,
  );
  const messages = stack.sms.gateway.messages;
  const all = await one<{ sending: number; sms_sent: number; distinct_sids: number }>(
    stack,
    `SELECT count(*) FILTER (WHERE status = 'sending')::int AS sending,
            count(*) FILTER (WHERE provider_id = ANY($1))::int AS sms_sent,
            count(DISTINCT provider_id) FILTER (WHERE provider_id = ANY($1))::int AS distinct_sids
       FROM notifications`,
    [messages.map((m) => m.sid)],
  );
  const outbox = await one<{ unrelayed: number }>(
    stack,
    `SELECT count(*)::int AS unrelayed FROM outbox WHERE relayed_at IS NULL`,
  );
  // Provider side: every message the gateway accepted, and how many (number, text) pairs it got more than once.
  const seen = new Map<string, number>();
  for (const m of messages) seen.set(`${m.to}|${m.body}`, (seen.get(`${m.to}|${m.body}`) ?? 0) + 1);
  const doubled = [...seen.values()].filter((n) => n > 1).length;
  const ourTexts = messages.filter((m) => /部位\d+/.test(m.body)).length;
  const jobs = await queuedJobs(stack);
  // Every message asked for and due, whoever asked (acknowledgements, reminders, warranty notices): still to go.
  const due = await one<{ pending: number }>(
    stack,
    `SELECT count(*)::int AS pending FROM notifications WHERE status = 'pending' AND not_before <= $1`,
    [stack.simulatedNow()],
  );
  const weekly = week ? await weekChecks(stack, week) : { checks: [], moving: 0, notes: [] };
  const checks = [
    { name: 'hotline calls → cases (one each)', expected: sizes.hotline, actual: tag('H').items },
    { name: 'hotline calls with a second case', expected: 0, actual: tag('H').extra, final: true },
    { name: 'web forms → cases (one each)', expected: sizes.web, actual: tag('W').items },
    { name: 'web forms with a second case', expected: 0, actual: tag('W').extra, final: true },
    { name: 'CDR missed calls → intake records', expected: sizes.cdr, actual: cdr.records },
    { name: 'CDR missed calls → distinct cases', expected: sizes.cdr, actual: cdr.cases },
    { name: 'cases whose deadlines were never planned', expected: 0, actual: unplanned.n },
    { name: 'notifications sent', expected: sizes.notifications, actual: ours.done },
    { name: 'notifications not sent (pending/sending/failed)', expected: 0, actual: ours.pending + ours.other },
    { name: 'their messages at the provider', expected: sizes.notifications, actual: ourTexts },
    { name: 'provider messages recorded on a notification', expected: messages.length, actual: all.sms_sent },
    { name: 'provider ids recorded twice', expected: 0, actual: all.sms_sent - all.distinct_sids, final: true },
    { name: 'same text to the same number twice (provider)', expected: 0, actual: doubled, final: true },
    { name: 'rows left sending', expected: 0, actual: all.sending },
    { name: 'outbox rows not relayed', expected: 0, actual: outbox.unrelayed },
    { name: 'jobs waiting or active', expected: 0, actual: jobs },
    ...weekly.checks,
  ];
  return {
    checks,
    moving: jobs + outbox.unrelayed + all.sending + ours.pending + due.pending + weekly.moving,
    notes: weekly.notes,
  };
}

/**
 * The simulated week: every warranty notice due on its days written once and its owner told once; every reminder
 * due by the week's end sent, its messages sent (once each: the provider-side checks above count them too).
 */
async function weekChecks(
  stack: ScaleStack,
  week: SimulatedWeek,
): Promise<{ checks: Counts['checks']; moving: number; notes: string[] }> {
  const { day0, days, expectedNotices } = week.counts!;
  const notices = await one<{ written: number; told: number; untold: number }>(
    stack,
    `SELECT count(DISTINCT w.id)::int AS written,
            count(n.id) FILTER (WHERE n.status IN ('sent', 'delivered'))::int AS told,
            count(n.id) FILTER (WHERE n.status NOT IN ('sent', 'delivered'))::int AS untold
       FROM warranty_notices w LEFT JOIN notifications n ON n.source_type = 'warranty_notice' AND n.source_id = w.id
      WHERE w.project_id = $1 AND w.due_on > $2::date AND w.due_on <= $2::date + $3::int`,
    [week.projectId, day0, days],
  );
  // A reminder is taken by the next scan (every minute) after it falls due: a minute and a half of slack.
  const reminders = await one<{ sent: number; escalations: number; overdue: number; messages: number; unsent: number }>(
    stack,
    `SELECT (SELECT count(*) FROM reminders WHERE sent_at IS NOT NULL)::int AS sent,
            (SELECT count(*) FROM reminders WHERE sent_at IS NOT NULL AND kind = 'escalation')::int AS escalations,
            (SELECT count(*) FROM reminders WHERE sent_at IS NULL AND cancelled_at IS NULL
                AND send_at <= $1::timestamptz - interval '90 seconds')::int AS overdue,
            (SELECT count(*) FROM notifications WHERE source_type = 'reminder')::int AS messages,
            (SELECT count(*) FROM notifications WHERE source_type = 'reminder'
                AND status NOT IN ('sent', 'delivered', 'cancelled'))::int AS unsent`,
    [stack.simulatedNow()],
  );
  return {
    checks: [
      { name: 'warranty notices due in the week → written', expected: expectedNotices, actual: notices.written },
      { name: '… their owners told (one SMS each)', expected: expectedNotices, actual: notices.told },
      { name: '… not told', expected: 0, actual: notices.untold },
      { name: 'reminders due by the week’s end, not sent', expected: 0, actual: reminders.overdue },
      { name: 'reminder messages not sent (nor withdrawn)', expected: 0, actual: reminders.unsent },
    ],
    moving: reminders.overdue + reminders.unsent,
    notes: [
      `simulated week ${day0} + ${days} days: ${reminders.sent} reminders sent (${reminders.escalations} escalations), ${reminders.messages} messages; ${notices.written} warranty notices`,
    ],
  };
}

/** Waiting and active jobs on the three queues (delayed ones are schedules and deferred sends). */
export async function queuedJobs(stack: ScaleStack): Promise<number> {
  let n = 0;
  for (const name of Object.values(Queues)) {
    const q = new Queue(name, { connection: { host: '127.0.0.1', port: stack.redis.port }, prefix: 'kefu' });
    try {
      const c = await q.getJobCounts('waiting', 'active', 'prioritized');
      n += (c.waiting ?? 0) + (c.active ?? 0) + (c.prioritized ?? 0);
    } finally {
      await q.close();
    }
  }
  return n;
}

/** The table the run prints, and the lines that differ. */
export function report(counts: Counts): { table: string; wrong: string[] } {
  const rows = counts.checks.map(
    (c) => `${c.expected === c.actual ? 'ok  ' : 'FAIL'} ${c.name.padEnd(52)} ${String(c.actual).padStart(7)}`,
  );
  const wrong = counts.checks
    .filter((c) => c.expected !== c.actual)
    .map((c) => `${c.name}: expected ${c.expected}, got ${c.actual}`);
  return { table: [...rows, ...counts.notes].join('\n'), wrong };
}

/**
 * For a failed run: up to five (number, text) pairs the provider got more than once, each with the notifications that
 * carry the text and their receipts in order — what happened to them, to tell a lost answer from a lost job.
 */
export async function describeDoubles(stack: ScaleStack): Promise<string> {
  const seen = new Map<string, Array<{ sid: string; to: string; body: string }>>();
  for (const m of stack.sms.gateway.messages) {
    const k = `${m.to}|${m.body}`;
    seen.set(k, [...(seen.get(k) ?? []), m]);
  }
  const doubles = [...seen.values()].filter((ms) => ms.length > 1).slice(0, 5);
  const out: string[] = [];
  for (const ms of doubles) {
    out.push(`${ms[0]!.to} got ${ms.length}× (${ms.map((m) => m.sid).join(', ')}): ${ms[0]!.body.slice(0, 60)}`);
    const rows = await stack.ds.query<Array<{ id: string; status: string; attempts: number; provider_id: string }>>(
      `SELECT id, status, attempts, provider_id FROM notifications WHERE channel = 'sms' AND body = $1`,
      [ms[0]!.body],
    );
    for (const r of rows) {
      out.push(`  notification ${r.id}: ${r.status}, attempt ${r.attempts}, ${r.provider_id ?? 'no provider id'}`);
      const receipts = await stack.ds.query<
        Array<{ occurred_at: Date; status: string; source: string; detail: string }>
      >(
        `SELECT occurred_at, status, source, detail FROM notification_receipts WHERE notification_id = $1 ORDER BY id`,
        [r.id],
      );
      for (const x of receipts)
        out.push(`    ${x.occurred_at.toISOString()} ${x.source}:${x.status} ${(x.detail ?? '').slice(0, 120)}`);
    }
  }
  return out.join('\n');
}
