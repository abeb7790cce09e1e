import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import {
  addDays,
  APP_CONFIG,
  cancelNotifications,
  CLOCK,
  OnTask,
  zonedParts,
  type AppConfig,
  type Clock,
} from '@kefu/shared';
import { effectiveItemsSql, notifyOwnersSql, rangeRecordset, unitNamesSql } from './warranty.sql';
import { handoverRanges, type EffectiveItem, type HandoverRange } from './warranty-windows';

export const WARRANTY_SCAN_TASK = 'warranty-scan';

export interface WarrantyScanResult {
  /** Days whose due notices this run handled: (from, through]; null when today was already scanned. */
  from: string | null;
  through: string;
  notices: number;
  late: number;
  notifications: number;
  rechecked: number;
  superseded: number;
}

/**
 * The daily warranty scan. Postgres decides what is due: each catalogue item maps the days since the
 * last successful scan to a band of handover dates (index ix_units_project_handover), and one
 * INSERT … SELECT … ON CONFLICT DO NOTHING writes the notices, their owners' notifications and outbox
 * jobs — its cost follows the notices due, not the units held. State (scanned through which day) is
 * in scan_states: two instances serialise on its row, held by the scan's own transaction from start to
 * end, and after downtime the missed days are scanned once, marked late.
 *
 * The notices are written in chunks (the month-based bands in one, each season band — one estate's year of
 * handovers — in its own), each chunk one transaction: notices, notifications and outbox jobs together.
 * WARRANTY_SCAN_CONNECTIONS chunks run at once on their own connections (a heating day's 70,000 notices are
 * mostly foreign-key and index work, one core per connection). The state advances only after every chunk has
 * committed; a scan killed midway leaves whole chunks behind, and its rerun finds those notices present
 * (ON CONFLICT DO NOTHING on their unique key) and writes only the rest: each notice and message once.
 */
@Injectable()
export class WarrantyScanService {
  private readonly logger = new Logger(WarrantyScanService.name);

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  today(): string {
    return zonedParts(this.clock.now(), this.config.BUSINESS_TIME_ZONE).day;
  }

  async effectiveItems(m: Pick<EntityManager, 'query'>, projectId: string | null = null): Promise<EffectiveItem[]> {
    return m.query<EffectiveItem[]>(effectiveItemsSql('($1::uuid IS NULL OR p.id = $1)'), [projectId]);
  }

  // Hourly through the working day: the day's scan runs once (scan_states); later ticks pick up
  // handover-date changes and a scheduler back from downtime.
  @OnTask('scheduler', WARRANTY_SCAN_TASK, (c) => ({ pattern: '0 30 8-20 * * *', tz: c.BUSINESS_TIME_ZONE }))
  async scan(): Promise<WarrantyScanResult> {
    const today = this.today();
    const result = await this.ds.transaction(async (m) => {
      await m.query(
        `INSERT INTO scan_states (task, scanned_through, last_success_at) VALUES ($1, $2, now()) ON CONFLICT (task) DO NOTHING`,
        [WARRANTY_SCAN_TASK, addDays(today, -1)],
      );
      const [state] = await m.query<Array<{ through: string }>>(
        `SELECT to_char(scanned_through, 'YYYY-MM-DD') AS through FROM scan_states WHERE task = $1 FOR UPDATE`,
        [WARRANTY_SCAN_TASK],
      );
      const from = state!.through < today ? state!.through : null;
      const out: WarrantyScanResult = {
        from,
        through: today,
        notices: 0,
        late: 0,
        notifications: 0,
        rechecked: 0,
        superseded: 0,
      };
      if (from) {
        const items = await this.effectiveItems(m);
        const ranges = items.flatMap((i) => handoverRanges(i, from, today));
        // Month-based bands are a few days of handovers each: one statement. A season band is a whole year of
        // one estate's handovers (the day a heating season's notices fall due): one statement each, so no
        // single statement grows with the whole portfolio (statement_timeout is per statement).
        const chunks = [
          ranges.filter((r) => r.basis === 'months'),
          ...ranges.filter((r) => r.basis !== 'months').map((r) => [r]),
        ].filter((c) => c.length);
        for (const r of await this.eachChunk(chunks, (chunk) =>
          this.ds.transaction((c) => this.insertDue(c, chunk, from, today)),
        )) {
          out.notices += r.notices;
          out.late += r.late;
          out.notifications += r.notifications;
        }
      }
      Object.assign(out, await this.recheck(m, today, out));
      await m.query(
        `UPDATE scan_states SET scanned_through = GREATEST(scanned_through, $2::date), last_success_at = now() WHERE task = $1`,
        [WARRANTY_SCAN_TASK, today],
      );
      return out;
    });
    if (result.notices || result.rechecked) this.logger.log(result, 'warranty scan');
    return result;
  }

  /** Runs `work` over the chunks, WARRANTY_SCAN_CONNECTIONS at a time (one connection stays with the scan's state). */
  private async eachChunk<C, R>(chunks: C[], work: (chunk: C) => Promise<R>): Promise<R[]> {
    const lanes = Math.max(1, Math.min(this.config.WARRANTY_SCAN_CONNECTIONS, this.config.DB_POOL_SIZE - 1));
    const results: R[] = [];
    let next = 0;
    let failed = false;
    const lane = async (): Promise<void> => {
      // After a failure no new chunk starts; the ones under way finish (their transactions commit or roll back whole).
      while (next < chunks.length && !failed) {
        const i = next++;
        try {
          results[i] = await work(chunks[i]!);
        } catch (err) {
          failed = true;
          throw err;
        }
      }
    };
    const settled = await Promise.allSettled(Array.from({ length: Math.min(lanes, chunks.length) }, lane));
    const rejected = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (rejected) throw rejected.reason;
    return results;
  }

  /** Notices due in (from, through] for the given handover ranges, with their notifications. */
  private async insertDue(
    m: EntityManager,
    ranges: HandoverRange[],
    from: string,
    through: string,
  ): Promise<Pick<WarrantyScanResult, 'notices' | 'late' | 'notifications'>> {
    if (!ranges.length) return { notices: 0, late: 0, notifications: 0 };
    const [row] = await m.query<Array<{ notices: number; late: number; notifications: number }>>(
      `WITH r AS (SELECT * FROM ${rangeRecordset}),
       due AS (
         SELECT u.id AS unit_id, r."projectId" AS project_id, r.code, r.name, u.handover_date, e.expires_on,
                (e.expires_on - make_interval(months => r."monthsAhead"))::date AS due_on, names.*
         FROM r
         -- LATERAL: one index range scan of ix_units_project_handover per band, whatever the planner guesses of the bands
         CROSS JOIN LATERAL (SELECT * FROM units u WHERE u.project_id = r."projectId" AND u.handover_date BETWEEN r."handoverFrom" AND r."handoverTo" OFFSET 0) u
         CROSS JOIN LATERAL (SELECT warranty_expiry(u.handover_date, r.basis, r.amount, r."seasonStart", r."seasonEnd") AS expires_on) e
         -- the unit's row is at hand here: its label now, rather than a second look-up per notice
         CROSS JOIN LATERAL (${unitNamesSql('u')}) names
       ),
       ins AS (
         INSERT INTO warranty_notices (unit_id, project_id, item_code, item_name, handover_date, expires_on, due_on, late)
         SELECT unit_id, project_id, code, name, handover_date, expires_on, due_on, due_on < $3::date
         FROM due WHERE due_on > $2::date AND due_on <= $3::date
         ON CONFLICT (unit_id, item_code, expires_on) DO NOTHING
         RETURNING id, unit_id, item_code, item_name, expires_on, late
       ),
       told AS (
         SELECT ins.*, due.estate_name, due.unit_label
         FROM ins JOIN due ON due.unit_id = ins.unit_id AND due.code = ins.item_code AND due.expires_on = ins.expires_on
       ),
       ${notifyOwnersSql('told')}
       SELECT (SELECT count(*) FROM ins)::int AS notices, (SELECT count(*) FROM ins WHERE late)::int AS late,
              (SELECT count(*) FROM notified)::int AS notifications`,
      [JSON.stringify(ranges), from, through],
    );
    return row!;
  }

  /**
   * Units whose handover date or owners changed (triggers → warranty_rechecks). Notices computed from an
   * old handover date are superseded (their unsent notifications cancelled); what is due under the
   * current date and not yet expired is recorded now — late if it fell due before today; and every
   * current owner of the unit is told about its open notices (a buyer hears what the seller heard: the
   * key includes the owner). Cost follows the changes, not the notices or units held.
   */
  private async recheck(
    m: EntityManager,
    today: string,
    out: WarrantyScanResult,
  ): Promise<Pick<WarrantyScanResult, 'rechecked' | 'superseded' | 'notices' | 'late' | 'notifications'>> {
    const units = (
      await m.query<Array<{ unit_id: string }>>(
        // (a data-modifying CTE, so TypeORM returns plain rows rather than [rows, count])
        `WITH d AS (DELETE FROM warranty_rechecks WHERE unit_id IN (SELECT unit_id FROM warranty_rechecks ORDER BY changed_at LIMIT 10000 FOR UPDATE SKIP LOCKED) RETURNING unit_id) SELECT unit_id FROM d`,
      )
    ).map((r) => r.unit_id);
    if (!units.length) return out;
    const superseded = await m.query<Array<{ id: string }>>(
      `WITH s AS (UPDATE warranty_notices wn SET status = 'superseded' FROM units u
         WHERE wn.unit_id = u.id AND u.id = ANY($1::uuid[]) AND wn.status = 'notified' AND wn.handover_date IS DISTINCT FROM u.handover_date
         RETURNING wn.id) SELECT id FROM s`,
      [units],
    );
    if (superseded.length) {
      await cancelNotifications(m, { type: 'warranty_notice', ids: superseded.map((s) => s.id) });
    }
    const [row] = await m.query<Array<{ notices: number; late: number }>>(
      `WITH items AS (${effectiveItemsSql('p.id IN (SELECT project_id FROM units WHERE id = ANY($1::uuid[]))')}),
       due AS (
         SELECT u.id AS unit_id, i."projectId" AS project_id, i.code, i.name, u.handover_date, e.expires_on,
                (e.expires_on - make_interval(months => i."monthsAhead"))::date AS due_on
         FROM units u JOIN items i ON i."projectId" = u.project_id
         CROSS JOIN LATERAL (SELECT warranty_expiry(u.handover_date, i.basis, i.amount, i."seasonStart", i."seasonEnd") AS expires_on) e
         WHERE u.id = ANY($1::uuid[]) AND u.handover_date IS NOT NULL
       ),
       ins AS (
         INSERT INTO warranty_notices (unit_id, project_id, item_code, item_name, handover_date, expires_on, due_on, late)
         SELECT unit_id, project_id, code, name, handover_date, expires_on, due_on, due_on < $2::date
         FROM due WHERE due_on <= $2::date AND expires_on >= $2::date
         ON CONFLICT (unit_id, item_code, expires_on) DO NOTHING
         RETURNING late
       )
       SELECT count(*)::int AS notices, count(*) FILTER (WHERE late)::int AS late FROM ins`,
      [units, today],
    );
    const [told] = await m.query<Array<{ n: number }>>(
      `WITH open AS (
         SELECT wn.id, wn.unit_id, wn.item_code, wn.item_name, wn.expires_on, wn.late, names.*
         FROM warranty_notices wn JOIN units u ON u.id = wn.unit_id CROSS JOIN LATERAL (${unitNamesSql('u')}) names
         WHERE wn.unit_id = ANY($1::uuid[]) AND wn.status = 'notified' AND wn.expires_on >= $2::date
       ),
       ${notifyOwnersSql('open')}
       SELECT count(*)::int AS n FROM notified`,
      [units, today],
    );
    return {
      rechecked: units.length,
      superseded: superseded.length,
      notices: out.notices + row!.notices,
      late: out.late + row!.late,
      notifications: out.notifications + told!.n,
    };
  }
}
