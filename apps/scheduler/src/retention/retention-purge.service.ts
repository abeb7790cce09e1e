import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import {
  APP_CONFIG,
  AppException,
  CLOCK,
  countTouched,
  OnTask,
  retentionPeriods,
  zonedParts,
  type AppConfig,
  type Clock,
  type RetentionKind,
  type RetentionRunStatus,
} from '@kefu/shared';
import {
  add,
  allowPurgeSql,
  callRecordingsSql,
  caselessIntakeBatchSql,
  caselessNotificationsBatchSql,
  deleteCases,
  deleteIntakeRecords,
  deleteNotices,
  deleteNotifications,
  deleteSurveyInvitations,
  endedCasesBatchSql,
  endedNoticesBatchSql,
  filedReportsSql,
  relayedOutboxSql,
  surveyInvitationsBatchSql,
  surveyRoundsSql,
  visitPlansSql,
  visitRecordsSql,
  webIpUsageSql,
  webUploadUsageSql,
} from './retention-purge.sql';

export const RETENTION_PURGE_TASK = 'retention-purge';
/** A run still 'running' after this long was killed (a crash, a deploy): the next run marks it interrupted. */
const STALE_RUN = '6 hours';

export interface RetentionRunView {
  id: string;
  trigger: string;
  triggeredById: string | null;
  status: RetentionRunStatus;
  asOf: string;
  counts: Record<string, number>;
  cutoffs: Record<string, string>;
  error: string | null;
  startedAt: string;
  finishedAt: string | null;
}

type Counts = Record<string, number>;

/**
 * The daily retention purge: every kind of record past its period (libs/shared/src/retention) is deleted — or, for
 * call recordings, its reference dropped — in bounded batches, each its own short transaction, and the run is recorded
 * in retention_runs with what it removed and the cutoffs it used. Idempotent: it removes only what is due now, so a
 * rerun, or a run after a crash, carries on and a second run finds nothing.
 */
@Injectable()
export class RetentionPurgeService {
  private readonly logger = new Logger(RetentionPurgeService.name);

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  // Once a day, at night in the business time zone, when the department is not at work.
  @OnTask('scheduler', RETENTION_PURGE_TASK, (c) => ({ pattern: '0 30 3 * * *', tz: c.BUSINESS_TIME_ZONE }))
  async tick(): Promise<RetentionRunView | null> {
    try {
      return await this.run('schedule', null);
    } catch (err) {
      // Another replica is running it: this tick has nothing to do.
      if (err instanceof AppException && err.code === 'conflict') return null;
      throw err;
    }
  }

  async run(trigger: 'schedule' | 'staff', staffId: string | null): Promise<RetentionRunView> {
    const asOf = this.clock.now();
    const cutoffs = await this.cutoffs(asOf);
    const runId = await this.start(trigger, staffId, asOf, cutoffs);
    const counts: Counts = {};
    try {
      const at = (kind: RetentionKind) => cutoffs[kind];
      const limit = this.config.RETENTION_BATCH_SIZE;
      add(counts, 'web_ip_usage', await this.loop((m) => countTouched(m, webIpUsageSql, [at('web_ip_usage'), limit])));
      // The upload budgets of the same web form, by the same period.
      add(
        counts,
        'web_upload_usage',
        await this.loop((m) => countTouched(m, webUploadUsageSql, [at('web_ip_usage'), limit])),
      );
      add(counts, 'outbox', await this.loop((m) => countTouched(m, relayedOutboxSql, [at('relayed_outbox'), limit])));
      const today = zonedParts(asOf, this.config.BUSINESS_TIME_ZONE).day;
      add(
        counts,
        'call_recordings',
        await this.loop((m) => countTouched(m, callRecordingsSql, [at('call_recording'), limit, today])),
      );
      add(
        counts,
        'visit_records',
        await this.loop((m) => countTouched(m, visitRecordsSql, [at('visit_record'), limit])),
      );
      const visitCutoff = zonedParts(new Date(at('visit_record')), this.config.BUSINESS_TIME_ZONE).day;
      // A plan brings its planned visits along: fewer per batch.
      const planLimit = Math.max(1, Math.floor(limit / 1000));
      add(counts, 'visit_plans', await this.loop((m) => countTouched(m, visitPlansSql, [visitCutoff, planLimit])));
      const reportCutoff = zonedParts(new Date(at('filed_report')), this.config.BUSINESS_TIME_ZONE).day;
      // A report carries its two documents (up to a few MB): a few per batch.
      const reportLimit = Math.max(1, Math.floor(limit / 100));
      add(counts, 'reports', await this.loop((m) => countTouched(m, filedReportsSql, [reportCutoff, reportLimit])));
      await this.progress(runId, counts);
      const surveyCutoff = zonedParts(new Date(at('survey_record')), this.config.BUSINESS_TIME_ZONE).day;
      await this.batches(counts, surveyInvitationsBatchSql, [surveyCutoff, limit], deleteSurveyInvitations);
      add(counts, 'survey_rounds', await this.loop((m) => countTouched(m, surveyRoundsSql, [surveyCutoff, limit])));
      await this.batches(
        counts,
        caselessNotificationsBatchSql,
        [at('caseless_notification'), limit],
        deleteNotifications,
      );
      await this.batches(
        counts,
        caselessIntakeBatchSql,
        [at('caseless_intake_item'), at('quarantined_intake_item'), limit],
        deleteIntakeRecords,
      );
      // After the notifications (its messages, same period); a notice brings its recipient list: fewer per batch.
      await this.batches(counts, endedNoticesBatchSql, [at('notice_record'), planLimit], deleteNotices);
      await this.progress(runId, counts);
      // Cases bring their timeline, calls, mail and messages along: fewer per batch.
      const caseLimit = Math.max(1, Math.floor(limit / 25));
      await this.batches(counts, endedCasesBatchSql, [at('case_record'), caseLimit], deleteCases);
      return await this.finish(runId, 'done', counts, null);
    } catch (err) {
      this.logger.error(`retention run ${runId} failed: ${(err as Error).message}`);
      await this.finish(runId, 'failed', counts, (err as Error).message);
      throw err;
    }
  }

  /** Each kind's cutoff (ISO): records at or before it are past their period. Postgres does the calendar arithmetic. */
  private async cutoffs(asOf: Date): Promise<Record<RetentionKind, string>> {
    const periods = retentionPeriods(this.config);
    const kinds = Object.keys(periods) as RetentionKind[];
    const [row] = await this.ds.query<Array<{ c: Record<RetentionKind, string> }>>(
      `SELECT jsonb_object_agg(k, to_char(($1::timestamptz - i::interval) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')) AS c
         FROM unnest($2::text[], $3::text[]) AS t(k, i)`,
      [asOf, kinds, kinds.map((k) => periods[k].interval)],
    );
    return row!.c;
  }

  private async start(trigger: string, staffId: string | null, asOf: Date, cutoffs: Record<RetentionKind, string>) {
    return this.ds.transaction(async (m) => {
      await m.query(
        `UPDATE retention_runs SET status = 'interrupted', finished_at = now(), error = 'stopped before it finished'
          WHERE status = 'running' AND started_at < now() - interval '${STALE_RUN}'`,
      );
      const [run] = await m.query<Array<{ id: string }>>(
        `INSERT INTO retention_runs (trigger, triggered_by_id, status, as_of, cutoffs, started_at)
         VALUES ($1, $2, 'running', $3, $4, now()) ON CONFLICT DO NOTHING RETURNING id`,
        [trigger, staffId, asOf, cutoffs],
      );
      if (!run) throw new AppException('conflict', 'A retention run is already running');
      return run.id;
    });
  }

  /** Repeats one statement, a batch per transaction, until it touches nothing. */
  private async loop(step: (m: EntityManager) => Promise<number>): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.ds.transaction(step);
      total += n;
      if (n === 0) return total;
    }
  }

  /** Repeats: choose a batch of ids (locked), delete them and what hangs off them, in one transaction; until none. */
  private async batches(
    counts: Counts,
    selectSql: string,
    params: unknown[],
    remove: (m: EntityManager, ids: string[], counts: Counts) => Promise<void>,
  ): Promise<void> {
    for (;;) {
      const done = await this.ds.transaction(async (m) => {
        const ids = (await m.query<Array<{ id: string }>>(selectSql, params)).map((r) => r.id);
        if (!ids.length) return true;
        await m.query(allowPurgeSql);
        await remove(m, ids, counts);
        return false;
      });
      if (done) return;
    }
  }

  private async progress(runId: string, counts: Counts): Promise<void> {
    await this.ds.query(`UPDATE retention_runs SET counts = $2 WHERE id = $1`, [runId, counts]);
  }

  private async finish(runId: string, status: RetentionRunStatus, counts: Counts, error: string | null) {
    const [row] = await this.ds.query<RetentionRunView[]>(
      `WITH u AS (UPDATE retention_runs SET status = $2, counts = $3, error = $4, finished_at = now() WHERE id = $1
       RETURNING *) SELECT ${runColumns} FROM u`,
      [runId, status, counts, error],
    );
    this.logger.log(`retention run ${runId} ${status}: ${JSON.stringify(counts)}`);
    return row!;
  }
}

export const runColumns = `id, trigger, triggered_by_id AS "triggeredById", status, as_of AS "asOf", counts, cutoffs, error,
  started_at AS "startedAt", finished_at AS "finishedAt"`;
