import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import {
  createTestDatabase,
  factories,
  startTestApp,
  testConfig,
  tokenFor,
  type TestDatabase,
} from '@kefu/shared/testing';
import { intakeApp } from '../intake.app';
import type { ErasureAnswer } from './privacy-erase.service';
import type { PersonalDataExport } from './privacy-export.service';

describe("owners' personal data: export and erasure (PIPL)", () => {
  let db: TestDatabase;
  let app: INestApplication;
  let admin: string;
  let manager: string;
  const http = () => request(app.getHttpServer());
  const auth = (t: string) => ({ Authorization: `Bearer ${t}` });
  const q = <T>(sql: string, params: unknown[] = []) => db.dataSource.query<T[]>(sql, params);
  const a = { name: '王小明', mobile: '13811112222', email: 'wang@owner.example', address: '深圳市南山区海岸路8号' };
  const b = { name: '赵大海', mobile: '13933334444', email: 'zhao@owner.example', address: '深圳市福田区中心路1号' };
  let ownerA: string;
  let ownerB: string;
  let caseA: string;
  let caseB: string;

  /** A case reported by the owner, with a call, the item as received, a sent reply with its receipt and letter, a pending notice. */
  const caseOf = async (ownerId: string, o: typeof a, status: 'assigned' | 'closed') => {
    const c = await factories.createCase(db.dataSource, {
      ownerId,
      status,
      closedAt: status === 'closed' ? new Date(Date.now() - 40 * 86_400_000) : null,
      receivedAt: new Date(Date.now() - 50 * 86_400_000),
      reporterName: o.name,
      reporterContact: o.mobile,
      reporterPhone: o.mobile,
      description: `我是${o.name}，电话${o.mobile}，住${o.address}，楼上漏水`,
    });
    const [rec] = await q<{ id: string }>(
      `INSERT INTO intake_records (channel, source, external_id, raw, received_at, outcome, case_id)
       VALUES ('hotline', 'hotline', gen_random_uuid()::text, $1, now(), 'case_created', $2) RETURNING id`,
      [{ callerNumber: o.mobile, name: o.name }, c.id],
    );
    await q(
      `INSERT INTO calls (case_id, intake_record_id, caller_number, caller_digits, started_at, recording_ref, summary)
       VALUES ($1, $2, $3, $3, now() - interval '50 days', 'rec/a.wav', $4)`,
      [c.id, rec!.id, o.mobile, `${o.name}来电反映漏水`],
    );
    const [n] = await q<{ id: string }>(
      `INSERT INTO notifications (idempotency_key, kind, channel, recipient_type, case_id, status, to_address, subject, body, variables)
       VALUES (gen_random_uuid()::text, 'case_reply', 'letter', 'case_reporter', $1, 'signed_for', $2, '答复', $3, $4) RETURNING id`,
      [c.id, o.address, `尊敬的${o.name}：您的投诉已处理。`, { name: o.name }],
    );
    await q(
      `INSERT INTO notification_receipts (notification_id, occurred_at, status, source) VALUES ($1, now(), 'signed_for', 'ems')`,
      [n!.id],
    );
    await q(
      `INSERT INTO letters (notification_id, reference, recipient_name, postal_address, phone, pdf, pdf_size, pdf_sha256, status, signer)
       VALUES ($1::uuid, 'KF' || substr(replace($1::text, '-', ''), 1, 12), $2, $3, $4, '\\x25504446', 4, 'abc', 'signed_for', $2)`,
      [n!.id, o.name, o.address, o.mobile],
    );
    await q(
      `INSERT INTO notifications (idempotency_key, kind, recipient_type, owner_id, status, variables)
       VALUES (gen_random_uuid()::text, 'warranty_expiry', 'owner', $1, 'pending', $2)`,
      [ownerId, { ownerName: o.name }],
    );
    return c.id;
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await startTestApp(intakeApp, testConfig({ DATABASE_URL: db.url }));
    [admin, manager] = await Promise.all([tokenFor(app, 'admin'), tokenFor(app, 'gm')]);
    const unit = await factories.createUnit(db.dataSource);
    const owner = (o: typeof a) =>
      factories.createOwner(db.dataSource, {
        name: o.name,
        mobiles: [o.mobile],
        email: o.email,
        postalAddress: o.address,
      });
    ownerA = (await owner(a)).id;
    ownerB = (await owner(b)).id;
    // Co-owners of one unit: each one's export must not show the other.
    await factories.linkOwner(db.dataSource, ownerA, unit.id);
    await factories.linkOwner(db.dataSource, ownerB, unit.id, { relation: 'co_owner', isPrimaryContact: false });
    caseA = await caseOf(ownerA, a, 'assigned');
    caseB = await caseOf(ownerB, b, 'closed');
    for (const [ownerId, o] of [
      [ownerA, a],
      [ownerB, b],
    ] as const)
      await q(
        `INSERT INTO visit_records (project_id, unit_id, owner_id, visited_at, method, topics, notes, outcome)
         VALUES ($1, $2, $3, now() - interval '3 days', 'home', '{停车}', $4, 'satisfied')`,
        [unit.projectId, unit.id, ownerId, `${o.name}说手机${o.mobile}常打不通`],
      );
  });
  afterAll(async () => {
    await app.close();
    await db.drop();
  });

  it('is for admins only', async () => {
    await http().get(`/api/v1/owners/${ownerA}/personal-data`).set(auth(manager)).expect(403);
    await http().post(`/api/v1/owners/${ownerA}/erase`).set(auth(manager)).expect(403);
    await http().get(`/api/v1/owners/${ownerA}/personal-data`).expect(401);
    expect(await q(`SELECT 1 FROM privacy_requests`)).toEqual([]);
    await http().get(`/api/v1/owners/00000000-0000-4000-8000-000000000000/personal-data`).set(auth(admin)).expect(404);
  });

  it("exports everything held about the owner, and nothing of anyone else's", async () => {
    const res = await http().get(`/api/v1/owners/${ownerA}/personal-data`).set(auth(admin)).expect(200);
    const data = res.body as PersonalDataExport;
    expect(data.owner).toMatchObject({
      id: ownerA,
      name: a.name,
      mobiles: [a.mobile],
      email: a.email,
      postalAddress: a.address,
    });
    expect(data.units).toHaveLength(1);
    expect(data.units[0]).toMatchObject({ relation: 'owner', isPrimaryContact: true });
    expect(data.cases.map((c) => c.id)).toEqual([caseA]);
    expect(data.cases[0]).toMatchObject({
      reporterName: a.name,
      calls: [expect.objectContaining({ callerNumber: a.mobile, recordingHeld: true })],
      itemsReceived: [expect.objectContaining({ asReceived: { callerNumber: a.mobile, name: a.name } })],
    });
    expect(data.notifications.map((n) => n.kind).sort()).toEqual(['case_reply', 'warranty_expiry']);
    expect(data.visitRecords).toEqual([
      expect.objectContaining({ method: 'home', topics: ['停车'], notes: `${a.name}说手机${a.mobile}常打不通` }),
    ]);
    const reply = data.notifications.find((n) => n.kind === 'case_reply')!;
    expect(reply).toMatchObject({
      toAddress: a.address,
      receipts: [expect.objectContaining({ status: 'signed_for', source: 'ems' })],
      letter: expect.objectContaining({ recipientName: a.name, postalAddress: a.address }),
    });
    const text = JSON.stringify(data);
    for (const v of Object.values(b)) expect(text).not.toContain(v);
    expect(text).not.toContain(ownerB);
    expect(await q(`SELECT kind, owner_id FROM privacy_requests`)).toEqual([{ kind: 'export', owner_id: ownerA }]);
  });

  it('erases their contact details everywhere, keeps what the rules require, and says what and why', async () => {
    const res = await http().post(`/api/v1/owners/${ownerA}/erase`).set(auth(admin)).expect(200);
    const answer = res.body as ErasureAnswer;
    const erasedCount = (what: RegExp) => answer.erased.find((e) => what.test(e.what))?.count;
    const kept = (what: RegExp) => answer.kept.find((k) => what.test(k.what));
    expect(erasedCount(/reporter's name/)).toBe(1);
    expect(erasedCount(/items as received/)).toBe(1);
    expect(erasedCount(/not yet sent/)).toBe(1);
    expect(erasedCount(/EMS letters/)).toBe(1);
    expect(erasedCount(/call recordings past/)).toBe(0); // its case is still open
    expect(kept(/their cases/)).toMatchObject({ count: 1, why: expect.stringContaining('002 §8.1') });
    expect(kept(/call recordings still/)).toMatchObject({ count: 1, why: expect.stringContaining('004 篇3 §4.5') });
    expect(kept(/delivery receipts/)).toMatchObject({ count: 1 });
    expect(kept(/units/)).toMatchObject({ count: 1 });
    expect(erasedCount(/notes of visits/)).toBe(1);
    expect(kept(/visits made to them/)).toMatchObject({ count: 1, why: expect.stringContaining('002 §8.2') });
    expect(await q(`SELECT owner_id = $1 AS theirs, notes FROM visit_records ORDER BY 1 DESC`, [ownerA])).toEqual([
      { theirs: true, notes: '***说手机***常打不通' },
      { theirs: false, notes: `${b.name}说手机${b.mobile}常打不通` },
    ]);

    // Nothing of theirs is left in what we keep.
    const rows = await q<Record<string, unknown>>(
      `SELECT (SELECT row_to_json(o) FROM owners o WHERE o.id = $1) AS owner,
              (SELECT row_to_json(c) FROM cases c WHERE c.id = $2) AS "case",
              (SELECT json_agg(row_to_json(r)) FROM (SELECT raw, raw_bytes FROM intake_records WHERE case_id = $2) r) AS items,
              (SELECT json_agg(row_to_json(cl)) FROM calls cl WHERE cl.case_id = $2) AS calls,
              (SELECT json_agg(row_to_json(n)) FROM notifications n WHERE n.owner_id = $1 OR n.case_id = $2) AS notifications,
              (SELECT json_agg(json_build_object('name', l.recipient_name, 'address', l.postal_address, 'phone', l.phone,
                        'signer', l.signer, 'pdf', octet_length(l.pdf)))
                 FROM letters l JOIN notifications n ON n.id = l.notification_id WHERE n.case_id = $2) AS letters`,
      [ownerA, caseA],
    );
    const text = JSON.stringify(rows);
    for (const v of Object.values(a)) expect(text).not.toContain(v);
    const [c] = await q<{ status: string; description: string; reporter_name: string | null }>(
      `SELECT status, description, reporter_name FROM cases WHERE id = $1`,
      [caseA],
    );
    expect(c).toEqual({ status: 'assigned', description: '我是***，电话***，住***，楼上漏水', reporter_name: null });
    expect(await q(`SELECT status FROM notifications WHERE owner_id = $1`, [ownerA])).toEqual([
      { status: 'cancelled' },
    ]);
    expect(await q(`SELECT kind FROM case_events WHERE case_id = $1`, [caseA])).toEqual([{ kind: 'created' }]);
    expect(
      await q(`SELECT count(*)::int AS n FROM calls WHERE case_id = $1 AND recording_ref IS NOT NULL`, [caseA]),
    ).toEqual([{ n: 1 }]);

    // The co-owner is untouched.
    const res2 = await http().get(`/api/v1/owners/${ownerB}/personal-data`).set(auth(admin)).expect(200);
    const bData = res2.body as PersonalDataExport;
    expect(bData.owner).toMatchObject({ name: b.name, mobiles: [b.mobile], email: b.email });
    expect(bData.cases[0]).toMatchObject({ id: caseB, reporterName: b.name });

    const [req] = await q<{ kind: string; result: ErasureAnswer }>(
      `SELECT kind, result FROM privacy_requests WHERE owner_id = $1 AND kind = 'erase'`,
      [ownerA],
    );
    expect(req!.result.kept).toEqual(answer.kept);
  });

  it('a second erasure changes nothing more and is recorded too', async () => {
    const res = await http().post(`/api/v1/owners/${ownerA}/erase`).set(auth(admin)).expect(200);
    const answer = res.body as ErasureAnswer;
    expect(answer.erased.map((e) => e.count)).toEqual(answer.erased.map(() => 0));
    expect(answer.kept).toEqual(
      expect.arrayContaining([expect.objectContaining({ what: expect.stringMatching(/their cases/), count: 1 })]),
    );
    expect((await q(`SELECT 1 FROM privacy_requests WHERE kind = 'erase'`)).length).toBe(2);
  });
});
