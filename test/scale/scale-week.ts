import { Queue } from 'bullmq';
import { Queues, taskJobName, zonedParts } from '@kefu/shared';
import type { ScaleStack } from './scale-stack';

const DAY_MS = 86_400_000;

/** The simulated week's figures: what the warranty scan must write, and what the reminder scans did. */
export interface WeekCounts {
  /** Warranty notices of the week's estate due on days 1–7, as `GET /api/v1/warranty/upcoming` listed them on day 0. */
  expectedNotices: number;
  /** The first day of the week (business time zone) and the simulated time it ended at. */
  day0: string;
  days: number;
}

/**
 * A simulated week for `test:scale`: the scheduler and notifier replicas follow CLOCK_OFFSET_FILE (intake and the
 * load stay on real time), and each simulated day moves every one of them a day ahead, then queues the warranty scan
 * and the reminder scan twice each — as two replicas' ticks would both fire — so the scans run at each day's time on
 * whichever replicas are alive, through the faults.
 *
 * The week's own data: an estate of `units` units, each with an owner reachable by SMS only, whose handover dates
 * put warranty notices due on every day of the week; and staff reached by SMS only (the stack has no mail server),
 * so every reminder's message is counted at the SMS provider.
 */
export class SimulatedWeek {
  projectId = '';
  counts: WeekCounts | undefined;

  constructor(
    private readonly stack: ScaleStack,
    private readonly opts: { units: number; dayMs: number; days?: number },
  ) {}

  get days(): number {
    return this.opts.days ?? 7;
  }

  /** The estate, its owners, staff on SMS only; then what the warranty scan will owe over the week. */
  async prepare(token: string): Promise<void> {
    const ds = this.stack.ds;
    await ds.query(
      `UPDATE staff s SET email = NULL, mobile = COALESCE(s.mobile, '133' || lpad(n::text, 8, '0'))
         FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM staff) x WHERE x.id = s.id`,
    );
    const [project] = await ds.query<Array<{ id: string }>>(
      `INSERT INTO projects (code, name, city) VALUES ('SCALEWK', '规模测试苑', '深圳') RETURNING id`,
    );
    this.projectId = project!.id;
    const [building] = await ds.query<Array<{ id: string }>>(
      `INSERT INTO buildings (project_id, name) VALUES ($1, '1栋') RETURNING id`,
      [this.projectId],
    );
    const today = zonedParts(new Date(), 'Asia/Shanghai').day;
    // Unit i: a 2-year item of its falls due (2 months before it expires) on day 1 + i % 7; its other items fall
    // wherever they fall. GET upcoming, below, is what counts.
    await ds.query(
      `WITH u AS (
         INSERT INTO units (project_id, building_id, entrance, room, floor, handover_date, finish)
         SELECT $1, $2, '1', (100 * (1 + i / 20) + i % 20)::text, 1 + i / 20,
                ($4::date + (1 + i % 7) + make_interval(months => 2 - 24))::date, 'rough'
         FROM generate_series(0, $3 - 1) i RETURNING id, room),
       o AS (
         INSERT INTO owners (name, mobiles, email, preferred_channels, opt_outs)
         SELECT '业主' || room, ARRAY['134' || lpad(row_number() OVER (ORDER BY room)::text, 8, '0')], NULL, ARRAY['sms'], '{}'
         FROM u RETURNING id, name)
       INSERT INTO owner_units (owner_id, unit_id, relation, is_primary_contact, since)
       SELECT o.id, u.id, 'owner', true, current_date FROM u JOIN o ON o.name = '业主' || u.room`,
      [this.projectId, building!.id, this.opts.units, today],
    );
    const scheduler = this.stack.of('scheduler')[0]!;
    const res = await fetch(`${scheduler.url}/api/v1/warranty/upcoming?projectId=${this.projectId}&days=${this.days}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    if (!res.ok) throw new Error(`warranty upcoming: ${res.status} ${await res.text()}`);
    const upcoming = (await res.json()) as unknown[];
    this.counts = { expectedNotices: upcoming.length, day0: today, days: this.days };
  }

  /** Day by day: every replica a day ahead, then both scans queued twice. */
  async run(log: (msg: string) => void): Promise<void> {
    for (let day = 1; day <= this.days; day++) {
      this.stack.simulate(day * DAY_MS);
      log(`simulated day ${day}: ${this.stack.simulatedNow().toISOString().slice(0, 10)}`);
      await this.queueScans(['warranty-scan', 'reminder-scan', 'warranty-scan', 'reminder-scan'], day);
      await new Promise((r) => setTimeout(r, this.opts.dayMs));
    }
  }

  /** As ticks would queue them; while Redis is down, again until it is back (a tick lost then is the next one's). */
  private async queueScans(tasks: string[], day: number): Promise<void> {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const q = new Queue(Queues.Scheduler, {
        connection: {
          host: '127.0.0.1',
          port: this.stack.redis.port,
          maxRetriesPerRequest: 1,
          enableOfflineQueue: false,
        },
        prefix: 'kefu',
      });
      q.on('error', () => undefined);
      try {
        await q.addBulk(
          tasks.map((task, i) => ({
            name: taskJobName[Queues.Scheduler],
            data: { task },
            opts: { jobId: `scale-week-${day}-${i}-${task}`, removeOnComplete: true, removeOnFail: true },
          })),
        );
        return;
      } catch (err) {
        if (Date.now() > deadline) throw err;
        await new Promise((r) => setTimeout(r, 1_000));
      } finally {
        await q.close().catch(() => undefined);
      }
    }
  }
}
