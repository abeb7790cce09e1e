import { createHash } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { JobRouter } from '@kefu/shared';
import {
  createTestDatabase,
  factories,
  startTestApp,
  testConfig,
  tokenFor,
  useFakeClock,
  type TestDatabase,
} from '@kefu/shared/testing';
import { schedulerApp } from '../scheduler.app';
import { RETENTION_PURGE_TASK, type RetentionRunView } from './retention-purge.service';

describe('records retention purge (002 §8, 004 篇2 §3.2, 004 篇3 §4.5)', () => {
  let db: TestDatabase;
  let app: INestApplication;
  // The append-only triggers check their floor against Postgres's own clock: the app's clock stays on today.
  const now = new Date(Math.floor(Date.now() / 1000) * 1000);
  const http = () => request(app.getHttpServer());
  const auth = (t: string) => ({ Authorization: `Bearer ${t}` });
  const purge = () => app.get(JobRouter).runTask(RETENTION_PURGE_TASK) as Promise<RetentionRunView>;
  const q = <T>(sql: string, params: unknown[] = []) => db.dataSource.query<T[]>(sql, params);
  /** `now - interval (+ plus)` as Postgres counts calendar intervals. */
  const ago = async (interval: string, plus = '0 seconds'): Promise<Date> =>
    (await q<{ t: Date }>(`SELECT $1::timestamptz - $2::interval + $3::interval AS t`, [now, interval, plus]))[0]!.t;
  const exists = async (table: string, id: string) =>
    (await q<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE id = $1`, [id]))[0]!.n === 1;
  let ownerId: string;

  const intakeRecord = async (o: { caseId?: string | null; outcome?: string; receivedAt?: Date } = {}) => {
    const [r] = await q<{ id: string }>(
      `INSERT INTO intake_records (channel, source, external_id, raw_bytes, received_at, outcome, case_id)
       VALUES ('email', 'imap:cs', gen_random_uuid()::text, 'From: o@owner.example', $1, $2, $3) RETURNING id`,
      [o.receivedAt ?? now, o.outcome ?? 'case_created', o.caseId ?? null],
    );
    return r!.id;
  };
  const attachment = async (o: { caseId?: string | null; intakeRecordId?: string | null }) => {
    const data = Buffer.from('photo');
    const [a] = await q<{ id: string }>(
      `INSERT INTO attachments (case_id, intake_record_id, filename, content_type, size, sha256, data)
       VALUES ($1, $2, 'a.jpg', 'image/jpeg', $3, $4, $5) RETURNING id`,
      [o.caseId ?? null, o.intakeRecordId ?? null, data.length, createHash('sha256').update(data).digest('hex'), data],
    );
    return a!.id;
  };
  const notification = async (o: {
    caseId?: string | null;
    createdAt?: Date;
    status?: string;
    fallbackOfId?: string;
  }) => {
    const [n] = await q<{ id: string }>(
      `INSERT INTO notifications (idempotency_key, kind, recipient_type, owner_id, case_id, status, to_address, body, created_at, fallback_of_id)
       VALUES (gen_random_uuid()::text, $1, 'owner', $2, $3, $4, '13800138000', '尊敬的业主', $5, $6) RETURNING id`,
      [
        o.caseId ? 'case_reply' : 'warranty_expiry',
        ownerId,
        o.caseId ?? null,
        o.status ?? 'delivered',
        o.createdAt ?? now,
        o.fallbackOfId ?? null,
      ],
    );
    await q(
      `INSERT INTO notification_receipts (notification_id, occurred_at, status, source) VALUES ($1, $2, 'delivered', 'twilio')`,
      [n!.id, o.createdAt ?? now],
    );
    await q(
      `INSERT INTO letters (notification_id, reference, recipient_name, postal_address, pdf, pdf_size, pdf_sha256)
       VALUES ($1::uuid, 'KF' || substr(replace($1::text, '-', ''), 1, 12), '张三', '深圳市南山区', '\\x25504446', 4, 'x')`,
      [n!.id],
    );
    return n!.id;
  };
  /** A case with something of every kind filed with it. */
  const fullCase = async (o: { status: string; closedAt?: Date | null; receivedAt: Date }) => {
    const c = await factories.createCase(db.dataSource, {
      status: o.status as 'closed',
      closedAt: o.closedAt ?? null,
      receivedAt: o.receivedAt,
      ownerId,
    });
    const rec = await intakeRecord({ caseId: c.id, receivedAt: o.receivedAt });
    const [call] = await q<{ id: string }>(
      `INSERT INTO calls (case_id, intake_record_id, caller_number, started_at, recording_ref, summary)
       VALUES ($1, $2, '13800138000', $3, 'rec/1.wav', '楼上漏水') RETURNING id`,
      [c.id, rec, o.receivedAt],
    );
    await attachment({ caseId: c.id, intakeRecordId: rec });
    await notification({ caseId: c.id, createdAt: o.receivedAt });
    await q(
      `INSERT INTO return_visits (case_id, round, via, satisfied, comments) VALUES ($1, 1, 'phone', true, '满意')`,
      [c.id],
    );
    await q(`INSERT INTO sent_messages (message_id, case_id) VALUES (gen_random_uuid()::text || '@kefu', $1)`, [c.id]);
    return { id: c.id, callId: call!.id, recordId: rec };
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await startTestApp(schedulerApp, testConfig({ DATABASE_URL: db.url }));
    useFakeClock(app, now);
    ownerId = (await factories.createOwner(db.dataSource)).id;
  });
  afterAll(async () => {
    await app.close();
    await db.drop();
  });

  it('runs daily as a scheduler task', () => {
    expect(app.get(JobRouter).taskNames()).toContain(RETENTION_PURGE_TASK);
  });

  it('removes each kind of record exactly at the end of its period, not a day before, and records the run', async () => {
    // Case records: 6 years after closing (1 year with customer service + 5 archived, 002 §8.1).
    const due = await fullCase({
      status: 'closed',
      closedAt: await ago('6 years'),
      receivedAt: await ago('6 years 1 month'),
    });
    const notYet = await fullCase({
      status: 'closed',
      closedAt: await ago('6 years', '1 day'),
      receivedAt: await ago('6 years 1 month'),
    });
    const open = await fullCase({ status: 'assigned', receivedAt: await ago('8 years') });
    const rejected = await fullCase({ status: 'rejected', receivedAt: await ago('7 years') });
    await q(`INSERT INTO case_events (case_id, kind, actor_label, occurred_at) VALUES ($1, 'reject', '李四', $2)`, [
      rejected.id,
      await ago('6 years'),
    ]);

    // Call recordings: 30 days, and only once the case is finished (004 篇3 §4.5).
    const closedRecently = await fullCase({
      status: 'closed',
      closedAt: await ago('1 day'),
      receivedAt: await ago('30 days'),
    });
    const closedRecently2 = await fullCase({
      status: 'closed',
      closedAt: await ago('1 day'),
      receivedAt: await ago('30 days', '1 day'),
    });
    const unresolved = await fullCase({ status: 'replied', receivedAt: await ago('90 days') });
    const keptLonger = await fullCase({
      status: 'closed',
      closedAt: await ago('1 day'),
      receivedAt: await ago('60 days'),
    });
    const today = now.toLocaleDateString('sv-SE', { timeZone: 'Asia/Shanghai' });
    await q(`UPDATE calls SET recording_keep_until = $2 WHERE case_id = $1`, [keptLonger.id, today]);

    // Notices about no case: 2 years; a pending one never; a fallback chain goes leaves first.
    const notice = await notification({ createdAt: await ago('2 years') });
    const noticeNotYet = await notification({ createdAt: await ago('2 years', '1 day') });
    const pending = await notification({ createdAt: await ago('3 years'), status: 'pending' });
    const original = await notification({ createdAt: await ago('3 years'), status: 'undelivered' });
    const fallback = await notification({ createdAt: await ago('3 years', '1 hour'), fallbackOfId: original });

    // Intake items that joined no case: 90 days; quarantined ones as long as a case record.
    const autoReply = await intakeRecord({ outcome: 'auto_reply', receivedAt: await ago('90 days') });
    const autoReplyAttachment = await attachment({ intakeRecordId: autoReply });
    const bounceNotYet = await intakeRecord({ outcome: 'bounce', receivedAt: await ago('90 days', '1 day') });
    const quarantinedOld = await intakeRecord({ outcome: 'quarantined', receivedAt: await ago('6 years') });
    const quarantined = await intakeRecord({ outcome: 'quarantined', receivedAt: await ago('5 years') });

    // Relayed outbox rows: 7 days; web-form address usage left over (intake sweeps it hourly): 1 day.
    const outbox = async (relayedAt: Date | null, createdAt: Date) =>
      (
        await q<{ id: string }>(
          `INSERT INTO outbox (job_name, payload, dedupe_key, created_at, relayed_at) VALUES ('case-received', '{}', gen_random_uuid()::text, $2, $1) RETURNING id`,
          [relayedAt, createdAt],
        )
      )[0]!.id;
    const relayed = await outbox(await ago('7 days'), await ago('8 days'));
    const relayedNotYet = await outbox(await ago('7 days', '1 day'), await ago('8 days'));
    const unrelayed = await outbox(null, await ago('30 days'));
    const ip = async (hash: string, at: Date) =>
      q(`INSERT INTO web_ip_usage (ip_hash, hits, updated_at) VALUES ($1, ARRAY[$2::timestamptz], $2)`, [hash, at]);
    await ip('old', await ago('1 day'));
    await ip('recent', await ago('1 day', '1 hour'));
    // The web form's hourly upload budgets (upload-budget.guard.ts): an hour a day old goes.
    const budget = async (hash: string, hour: Date) =>
      q(
        `INSERT INTO web_upload_usage (hour, ip_hash, attempts, bytes) VALUES (date_trunc('hour', $1::timestamptz), $2, 1, 100)`,
        [hour, hash],
      );
    await budget('old', await ago('1 day', '-1 hour'));
    await budget('recent', await ago('1 day', '1 hour'));
    // Visit records (客户访问记录单): 2 years (002 §8.2); a year's visit plan 2 years after its year ended.
    const visitUnit = await factories.createUnit(db.dataSource);
    const visitRecord = async (at: Date) =>
      (
        await q<{ id: string }>(
          `INSERT INTO visit_records (project_id, unit_id, visited_at, method, outcome) VALUES ($1, $2, $3, 'phone', 'satisfied') RETURNING id`,
          [visitUnit.projectId, visitUnit.id, at],
        )
      )[0]!.id;
    const visitOld = await visitRecord(await ago('2 years'));
    const visitNotYet = await visitRecord(await ago('2 years', '1 day'));
    const plan = async (yearsBack: number) =>
      (
        await q<{ id: string }>(
          `INSERT INTO visit_plans (project_id, year, starts_on, interval_months, generated_at)
           VALUES ($1, $2::int, make_date($2::int, 1, 1), 4, now()) RETURNING id`,
          [visitUnit.projectId, now.getUTCFullYear() - yearsBack],
        )
      )[0]!.id;
    const planOld = await plan(3);
    const planNotYet = await plan(2);
    await q(
      `INSERT INTO owner_visits (plan_id, project_id, unit_id, kind, seq, due_on) VALUES ($1, $2, $3, 'routine', 0, make_date($4::int, 3, 1))`,
      [planOld, visitUnit.projectId, visitUnit.id, now.getUTCFullYear() - 3],
    );

    const run = await purge();

    expect(run).toMatchObject({ status: 'done', trigger: 'schedule', error: null });
    for (const c of [due, rejected]) {
      expect(await exists('cases', c.id)).toBe(false);
      expect(await exists('intake_records', c.recordId)).toBe(false);
      expect(await q(`SELECT 1 FROM case_events WHERE case_id = $1`, [c.id])).toEqual([]);
    }
    for (const c of [notYet, open]) {
      expect(await exists('cases', c.id)).toBe(true);
      expect(
        (await q<{ n: number }>(`SELECT count(*)::int AS n FROM notifications WHERE case_id = $1`, [c.id]))[0]!.n,
      ).toBe(1);
    }
    const recording = async (callId: string) =>
      (
        await q<{ recording_ref: string | null; purged: boolean }>(
          `SELECT recording_ref, recording_purged_at IS NOT NULL AS purged FROM calls WHERE id = $1`,
          [callId],
        )
      )[0];
    expect(await recording(closedRecently.callId)).toEqual({ recording_ref: null, purged: true });
    expect(await recording(closedRecently2.callId)).toEqual({ recording_ref: 'rec/1.wav', purged: false });
    expect(await recording(unresolved.callId)).toEqual({ recording_ref: 'rec/1.wav', purged: false });
    expect(await recording(keptLonger.callId)).toEqual({ recording_ref: 'rec/1.wav', purged: false });
    expect(await recording(notYet.callId)).toEqual({ recording_ref: null, purged: true }); // closed, years old

    for (const id of [notice, original, fallback]) expect(await exists('notifications', id)).toBe(false);
    for (const id of [noticeNotYet, pending]) expect(await exists('notifications', id)).toBe(true);
    expect(await exists('intake_records', autoReply)).toBe(false);
    expect(await exists('attachments', autoReplyAttachment)).toBe(false);
    expect(await exists('intake_records', quarantinedOld)).toBe(false);
    for (const id of [bounceNotYet, quarantined]) expect(await exists('intake_records', id)).toBe(true);
    expect(await exists('outbox', relayed)).toBe(false);
    for (const id of [relayedNotYet, unrelayed]) expect(await exists('outbox', id)).toBe(true);
    expect((await q<{ ip_hash: string }>(`SELECT ip_hash FROM web_ip_usage`)).map((r) => r.ip_hash)).toEqual([
      'recent',
    ]);

    expect((await q<{ ip_hash: string }>(`SELECT ip_hash FROM web_upload_usage`)).map((r) => r.ip_hash)).toEqual([
      'recent',
    ]);

    expect(await exists('visit_records', visitOld)).toBe(false);
    expect(await exists('visit_records', visitNotYet)).toBe(true);
    expect(await exists('visit_plans', planOld)).toBe(false);
    expect(await exists('visit_plans', planNotYet)).toBe(true);
    expect(await q(`SELECT 1 FROM owner_visits WHERE plan_id = $1`, [planOld])).toEqual([]);

    expect(run.counts).toEqual({
      web_ip_usage: 1,
      web_upload_usage: 1,
      outbox: 1,
      visit_records: 1,
      visit_plans: 1,
      reports: 0, // filed reports: reports.integration-spec.ts
      survey_rounds: 0,
      call_recordings: 4, // closedRecently, notYet, and the two purged cases' (dropped before their cases go)
      // 2 cases' replies + the notice + the fallback chain of 2
      notifications: 5,
      notification_receipts: 5,
      letters: 5,
      attachments: 3, // 2 cases' + the auto-reply's
      intake_records: 4, // 2 cases' + the auto-reply + the old quarantined item
      calls: 2,
      reminders: 0,
      case_deadlines: 0,
      return_visits: 2,
      sent_messages: 2,
      case_events: 3, // 2 created + 1 reject
      case_links: 0,
      cases: 2,
    });
    const [row] = await q<{ status: string; counts: Record<string, number>; cutoffs: Record<string, string> }>(
      `SELECT status, counts, cutoffs FROM retention_runs WHERE id = $1`,
      [run.id],
    );
    expect(row).toMatchObject({ status: 'done', counts: run.counts });
    expect(new Date(row!.cutoffs.case_record!).getTime()).toBe((await ago('6 years')).getTime());
  });

  it('a rerun finds nothing more: every count is 0, and the run is recorded too', async () => {
    const again = await purge();
    expect(again.status).toBe('done');
    expect(Object.values(again.counts).every((n) => n === 0)).toBe(true);
    expect((await q(`SELECT 1 FROM retention_runs`)).length).toBe(2);
  });

  it('the timeline stays append-only outside the purge, and inside it for a case within its period', async () => {
    const c = await factories.createCase(db.dataSource, { status: 'closed', closedAt: await ago('5 years') });
    await expect(q(`DELETE FROM case_events WHERE case_id = $1`, [c.id])).rejects.toThrow(
      /append-only: DELETE refused/,
    );
    await expect(
      db.dataSource.transaction(async (m) => {
        await m.query(`SELECT set_config('kefu.retention_purge', 'on', true)`);
        await m.query(`DELETE FROM case_events WHERE case_id = $1`, [c.id]);
      }),
    ).rejects.toThrow(/append-only: DELETE refused/);
    await expect(
      db.dataSource.transaction(async (m) => {
        await m.query(`SELECT set_config('kefu.retention_purge', 'on', true)`);
        await m.query(`UPDATE case_events SET kind = 'x' WHERE case_id = $1`, [c.id]);
      }),
    ).rejects.toThrow(/append-only: UPDATE refused/);
  });

  it('one run at a time: a run in progress answers 409 (the tick skips); a run killed long ago is marked interrupted', async () => {
    const admin = await tokenFor(app, 'admin');
    const [busy] = await q<{ id: string }>(
      `INSERT INTO retention_runs (trigger, status, as_of, started_at) VALUES ('schedule', 'running', now(), now()) RETURNING id`,
    );
    await http().post('/api/v1/retention/runs').set(auth(admin)).expect(409);
    await expect(purge()).resolves.toBeNull();
    // The same row as if its scheduler had died 7 hours ago: the next run closes it and carries on.
    await q(`UPDATE retention_runs SET started_at = now() - interval '7 hours' WHERE id = $1`, [busy!.id]);
    await expect(purge()).resolves.toMatchObject({ status: 'done' });
    expect(await q(`SELECT status FROM retention_runs WHERE id = $1`, [busy!.id])).toEqual([{ status: 'interrupted' }]);
  });

  it('runs are listed to managers, started by admins only', async () => {
    const [manager, rep, admin] = await Promise.all([
      tokenFor(app, 'dept_manager'),
      tokenFor(app, 'cs_rep'),
      tokenFor(app, 'admin'),
    ]);
    const list = await http().get('/api/v1/retention/runs').set(auth(manager)).expect(200);
    expect((list.body as RetentionRunView[])[0]).toMatchObject({ status: 'done', trigger: 'schedule' });
    await http().get('/api/v1/retention/runs').set(auth(rep)).expect(403);
    await http().post('/api/v1/retention/runs').set(auth(manager)).expect(403);
    const started = await http().post('/api/v1/retention/runs').set(auth(admin)).expect(201);
    expect(started.body).toMatchObject({ status: 'done', trigger: 'staff' });
    const periods = await http().get('/api/v1/retention/periods').set(auth(manager)).expect(200);
    expect(periods.body).toMatchObject({
      call_recording: { interval: '30 days' },
      case_record: { interval: '6 years' },
    });
  });
});
