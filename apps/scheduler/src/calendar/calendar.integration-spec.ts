import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { createTestDatabase, startTestApp, testConfig, tokenFor, type TestDatabase } from '@kefu/shared/testing';
import { schedulerApp } from '../scheduler.app';

describe('calendar API', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let rep: string;
  let gm: string;
  beforeAll(async () => {
    db = await createTestDatabase();
    app = await startTestApp(schedulerApp, testConfig({ DATABASE_URL: db.url }));
    [rep, gm] = await Promise.all([tokenFor(app, 'cs_rep'), tokenFor(app, 'gm')]);
  });
  afterAll(async () => {
    await app.close();
    await db.drop();
  });
  const http = () => request(app.getHttpServer());

  it('lists National Day 2026 with its make-up Saturday', async () => {
    const res = await http()
      .get('/api/v1/calendar/days?from=2026-09-30&to=2026-10-10')
      .set('Authorization', `Bearer ${rep}`)
      .expect(200);
    const byDay = Object.fromEntries(
      (res.body as Array<{ day: string; working: boolean; reason: string }>).map((d) => [d.day, d]),
    );
    expect(byDay['2026-09-30']).toMatchObject({ working: true, reason: 'workday', provisional: false });
    expect(byDay['2026-10-01']).toMatchObject({
      working: false,
      reason: 'holiday',
      holidayName: expect.stringContaining('国庆'),
    });
    expect(byDay['2026-10-08']).toMatchObject({ working: true });
    expect(byDay['2026-10-10']).toMatchObject({ working: true, reason: 'make_up_workday' });
  });

  it('flags days beyond the data as provisional until a manager records the official notice', async () => {
    const day = '2027-02-06'; // a Saturday: perhaps a make-up day, the 2027 notice will tell
    const before = await http()
      .get(`/api/v1/calendar/days?from=${day}&to=${day}`)
      .set('Authorization', `Bearer ${rep}`)
      .expect(200);
    expect(before.body[0]).toMatchObject({ working: false, reason: 'weekend', provisional: true });

    await http()
      .put(`/api/v1/calendar/overrides/${day}`)
      .set('Authorization', `Bearer ${rep}`)
      .send({ kind: 'workday', note: 'x' })
      .expect(403);
    const put = await http()
      .put(`/api/v1/calendar/overrides/${day}`)
      .set('Authorization', `Bearer ${gm}`)
      .send({ kind: 'workday', note: '2027年国务院办公厅通知' })
      .expect(200);
    expect(put.body).toMatchObject({ working: true, reason: 'override_workday', provisional: false });

    const deadline = await http()
      .get('/api/v1/calendar/deadline')
      .query({ start: '2027-02-05T10:00:00+08:00', amount: 1, unit: 'working_days' })
      .set('Authorization', `Bearer ${rep}`)
      .expect(200);
    expect(deadline.body).toEqual({ at: '2027-02-06T10:00:00.000Z', provisional: false });

    await http().delete(`/api/v1/calendar/overrides/${day}`).set('Authorization', `Bearer ${gm}`).expect(204);
    const after = await http()
      .get('/api/v1/calendar/deadline')
      .query({ start: '2027-02-05T10:00:00+08:00', amount: 1, unit: 'working_days' })
      .set('Authorization', `Bearer ${rep}`)
      .expect(200);
    expect(after.body).toEqual({ at: '2027-02-08T10:00:00.000Z', provisional: true });
  });

  it('computes a deadline across a holiday and names bad query fields', async () => {
    const res = await http()
      .get('/api/v1/calendar/deadline')
      .query({ start: '2026-09-30T14:00:00+08:00', amount: 2, unit: 'working_days' })
      .set('Authorization', `Bearer ${rep}`)
      .expect(200);
    expect(res.body).toEqual({ at: '2026-10-09T10:00:00.000Z', provisional: false });
    const bad = await http()
      .get('/api/v1/calendar/days?from=2026-02-30&to=2025-01-01')
      .set('Authorization', `Bearer ${rep}`)
      .expect(400);
    expect(bad.body.error.details.fields.map((f: { field: string }) => f.field)).toContain('from');
    await http().get('/api/v1/calendar/days?from=2026-01-01&to=2026-01-02').expect(401);
  });
});
