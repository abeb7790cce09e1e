import { spawnSync } from 'node:child_process';
import { getQueueToken } from '@nestjs/bullmq';
import type { INestApplication } from '@nestjs/common';
import type { Queue } from 'bullmq';
import iconv from 'iconv-lite';
import request from 'supertest';
import type { DataSource } from 'typeorm';
import { fanOutNoticeStep, Queues, type OwnerEntity, type ProjectEntity, type UnitEntity } from '@kefu/shared';
import { expectEventually, factories, startTestApp, tokenFor, useFakeClock } from '@kefu/shared/testing';
import { NotifierWorker } from '../../../notifier/src/jobs/notifier.worker';
import { NoticeFanOutService } from '../../../notifier/src/notices/notice-fan-out.service';
import { notifierApp } from '../../../notifier/src/notifier.app';
import { startNotifierTestEnv, type NotifierTestEnv } from '../../../notifier/src/testing/notifier-test-env';
import { intakeApp } from '../intake.app';

/** The PDF's text layer, read by pdf-parse in a child process (pdf.js loads its worker with a native import jest cannot host). */
function pdfText(pdf: Buffer): string {
  const script = `const { PDFParse } = require(${JSON.stringify(require.resolve('pdf-parse'))});
    const chunks = []; process.stdin.on('data', (c) => chunks.push(c)).on('end', async () => {
      const p = new PDFParse({ data: new Uint8Array(Buffer.concat(chunks)), verbosity: 0 });
      const t = await p.getText(); process.stdout.write(JSON.stringify({ text: t.text })); await p.destroy(); });`;
  const r = spawnSync(process.execPath, ['-e', script], { input: pdf, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return (JSON.parse(r.stdout) as { text: string }).text.replace(/\s+/g, '');
}

/** 23:00 tomorrow in Shanghai: inside the default SMS quiet hours (21:00-08:00), never before the database's now(). */
function tomorrowShanghai(hhmm: string): string {
  const day = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date(Date.now() + 86_400_000));
  return `${day}T${hhmm}:00+08:00`;
}

describe('estate-wide notices', () => {
  let env: NotifierTestEnv;
  let intake: INestApplication;
  let ds: DataSource;
  let token: string;
  let estate: ProjectEntity;
  let b1: string, b2: string;
  /** Owners by role in the audience tests. */
  const o: Record<string, OwnerEntity> = {};
  const u: Record<string, UnitEntity> = {};

  beforeAll(async () => {
    env = await startNotifierTestEnv({ SMS_QUIET_HOURS: '21:00-08:00' });
    ds = env.db.dataSource;
    intake = await startTestApp(intakeApp, env.config);
    const at = tomorrowShanghai('23:00');
    env.clock.set(at);
    useFakeClock(intake, at);
    token = await tokenFor(intake, 'cs_rep', '客服小王');
    estate = await factories.createProject(ds, { name: '碧海云天' });
    b1 = (await factories.createBuilding(ds, { projectId: estate.id, name: '1栋' })).id;
    b2 = (await factories.createBuilding(ds, { projectId: estate.id, name: '2栋' })).id;
    const unit = (k: string, buildingId: string, room: string, handoverDate: string | null = '2022-06-30') =>
      factories.createUnit(ds, { buildingId, entrance: '1', room, handoverDate }).then((x) => (u[k] = x));
    await unit('a', b1, '101');
    await unit('b', b1, '102');
    await unit('c', b1, '103');
    await unit('d', b2, '201');
    await unit('e', b2, '202', null); // not handed over: its owner is 准业主
    await unit('f', b2, '203');
    const owner = async (k: string, unitKeys: string[], over: Partial<OwnerEntity> = {}) => {
      o[k] = await factories.createOwner(ds, { name: `业主${k}`, ...over });
      for (const uk of unitKeys) await factories.linkOwner(ds, o[k].id, u[uk]!.id, { since: '2021-01-01' });
    };
    await owner('plain', ['a', 'd']); // two units: reached once, about the first
    await owner('coOwner', ['a']);
    await owner('noContact', ['b'], { mobiles: [], email: null, postalAddress: null, postcode: null });
    await owner('erased', ['b'], {
      mobiles: [],
      email: null,
      postalAddress: null,
      postcode: null,
      erasedAt: new Date(),
      name: '已删除',
    });
    await owner('marketingOut', ['c'], { marketingOptOut: true });
    await owner('smsOut', ['c'], { optOuts: ['sms'], email: null, postalAddress: null, postcode: null });
    await owner('emailOnly', ['f'], { mobiles: [], preferredChannels: ['email'] });
    await owner('prospective', ['e']);
  });
  afterAll(async () => {
    await intake?.close();
    await env?.close();
  });

  const api = () => request(intake.getHttpServer());
  const auth = () => ({ Authorization: `Bearer ${token}` });
  const create = (body: Record<string, unknown>) =>
    api()
      .post('/api/v1/notices')
      .set(auth())
      .send({ projectId: estate.id, title: '台风“海燕”预警', body: '今晚台风过境，请关好门窗，勿外出。', ...body });
  const recipients = async (id: string) =>
    (await api().get(`/api/v1/notices/${id}/recipients?limit=500`).set(auth()).expect(200)).body.items.map(
      (r: { ownerName: string; excluded: string | null; unitLabel: string }) => [r.ownerName, r.excluded, r.unitLabel],
    ) as Array<[string, string | null, string]>;
  const messagesOf = (id: string) =>
    ds.query<Array<{ owner_id: string; channel: string; status: string; not_before: Date; urgent: boolean }>>(
      `SELECT owner_id, channel, status, not_before, urgent FROM notifications WHERE source_type = 'notice' AND source_id = $1`,
      [id],
    );
  const waitDone = (id: string, timeoutMs = 30_000) =>
    expectEventually(
      async () => {
        const r = await api().get(`/api/v1/notices/${id}`).set(auth()).expect(200);
        expect(r.body.status).toBe('done');
        return r.body as { status: string; progress: Record<string, number> };
      },
      { timeoutMs },
    );
  const queue = () => env.app.get<Queue>(getQueueToken(Queues.Notifier), { strict: false });
  /** Every job that can run now has run (deferred ones wait for their time). */
  const idle = () =>
    expectEventually(async () => {
      const c = await queue().getJobCounts('waiting', 'active', 'paused', 'prioritized');
      expect(c).toEqual({ waiting: 0, active: 0, paused: 0, prioritized: 0 });
    });
  const smsTo = (owner: OwnerEntity) => env.twilio.messages.filter((m) => m.to === `+86${owner.mobiles[0]}`);

  it('resolves the audience once per owner and says who is left out and why; a safety alert ignores the marketing opt-out', async () => {
    const res = await create({ kind: 'safety_alert' }).expect(201);
    expect(res.body).toMatchObject({
      status: 'draft',
      kind: 'safety_alert',
      estateName: '碧海云天',
      createdBy: '客服小王',
    });
    const list = await recipients(res.body.id);
    expect(list).toEqual(
      expect.arrayContaining([
        ['业主plain', null, '1栋1单元101'],
        ['业主coOwner', null, '1栋1单元101'],
        ['业主noContact', 'no_contact', '1栋1单元102'],
        ['已删除', 'erased', '1栋1单元102'],
        ['业主marketingOut', null, '1栋1单元103'],
        ['业主smsOut', 'opted_out', '1栋1单元103'],
        ['业主emailOnly', null, '2栋1单元203'],
        ['业主prospective', null, '2栋1单元202'],
      ]),
    );
    expect(list).toHaveLength(8);
    expect(res.body).toMatchObject({
      recipients: 5,
      excluded: 3,
      exclusions: { no_contact: 1, erased: 1, opted_out: 1 },
    });
  });

  it('a greeting leaves out whoever opted out of marketing; audiences narrow by building and by life stage', async () => {
    const greeting = await create({ kind: 'holiday_greeting', title: '中秋快乐', body: '祝您中秋快乐！' }).expect(201);
    expect(await recipients(greeting.body.id)).toContainEqual(['业主marketingOut', 'opted_out', '1栋1单元103']);
    const b2only = await create({ kind: 'official', audience: { buildingIds: [b2] } }).expect(201);
    expect((await recipients(b2only.body.id)).map((r) => r[0]).sort()).toEqual([
      '业主emailOnly',
      '业主plain',
      '业主prospective',
    ]);
    const prospective = await create({ kind: 'handover', audience: { lifeStages: ['prospective'] } }).expect(201);
    expect(await recipients(prospective.body.id)).toEqual([['业主prospective', null, '2栋1单元202']]);
    // Names of another estate are field errors, not a silently smaller audience.
    const other = await factories.createUnit(ds);
    const bad = await create({ kind: 'official', audience: { unitIds: [other.id] } }).expect(400);
    expect(bad.body.error.details.fields).toEqual([
      { field: 'audience.unitIds', message: "not all are this estate's" },
    ]);
    const badKind = await create({ kind: 'spam' }).expect(400);
    expect(JSON.stringify(badKind.body.error)).toContain('kind');
  });

  it('records an owner’s marketing opt-out from the API: the next greeting leaves them out, a safety alert does not', async () => {
    const set = (optOut: unknown, id = o.plain!.id) =>
      api().put(`/api/v1/owners/${id}/marketing-opt-out`).set(auth()).send({ optOut });
    await set(true).expect(200);
    const greeting = await create({ kind: 'holiday_greeting', title: '元旦快乐', body: '新年快乐！' }).expect(201);
    expect(await recipients(greeting.body.id)).toContainEqual(['业主plain', 'opted_out', '1栋1单元101']);
    const alert = await create({ kind: 'safety_alert' }).expect(201);
    expect(await recipients(alert.body.id)).toContainEqual(['业主plain', null, '1栋1单元101']);
    const bad = await set('yes').expect(400);
    expect(JSON.stringify(bad.body.error)).toContain('optOut');
    await set(false, o.erased!.id).expect(404);
    await set(false).expect(200);
    await api().post(`/api/v1/notices/${greeting.body.id}/cancel`).set(auth()).expect(200);
    await api().post(`/api/v1/notices/${alert.body.id}/cancel`).set(auth()).expect(200);
  });

  it('takes the audience from a spreadsheet of units (GBK from Excel too), naming each line that is no unit of the estate', async () => {
    const n = await create({ kind: 'official', title: '停水通知', body: '明日9:00-12:00停水。' }).expect(201);
    const csv = (text: string) =>
      api()
        .post(`/api/v1/notices/${n.body.id}/audience/csv`)
        .set(auth())
        .set('Content-Type', 'text/csv')
        .send(iconv.encode(text, 'gb18030'));
    const bad = await csv('楼栋,单元,房号\n1栋,1,103\n9栋,1,999\n').expect(400);
    expect(bad.body.error.details.rows).toEqual([{ line: 3, message: 'no unit 9栋1单元999 in this estate' }]);
    const ok = await csv('楼栋,单元,房号\n2,1,203\n1栋,1,103\n').expect(200);
    expect(ok.body).toMatchObject({ encoding: 'gb18030', recipients: 2, excluded: 1, audience: { csv: { rows: 2 } } });
    expect((await recipients(n.body.id)).map((r) => r[0]).sort()).toEqual([
      '业主emailOnly',
      '业主marketingOut',
      '业主smsOut',
    ]);
  });

  it('at 23:00 a typhoon alert goes out at once by SMS (email where there is no mobile); a greeting waits for the morning', async () => {
    env.twilio.reset();
    const alert = await create({ kind: 'safety_alert' }).expect(201);
    const greeting = await create({
      kind: 'holiday_greeting',
      title: '中秋快乐',
      body: '祝您中秋快乐，阖家幸福！',
    }).expect(201);
    await api().post(`/api/v1/notices/${alert.body.id}/send`).set(auth()).expect(200);
    await api().post(`/api/v1/notices/${greeting.body.id}/send`).set(auth()).expect(200);
    const done = await waitDone(alert.body.id);
    expect(done.progress).toMatchObject({ delivered: 4, failed: 1, queued: 0 });
    for (const k of ['plain', 'coOwner', 'marketingOut', 'prospective']) {
      expect(smsTo(o[k]!)).toHaveLength(1);
      expect(smsTo(o[k]!)[0]!.body).toContain('【碧海云天·台风“海燕”预警】今晚台风过境');
    }
    // No mobile: the SMS fails at once and the must-arrive chain goes on by email.
    const emailOnly = (await messagesOf(alert.body.id)).filter((m) => m.owner_id === o.emailOnly!.id);
    expect(emailOnly.map((m) => `${m.channel}:${m.status}`).sort()).toEqual(['email:sent', 'sms:failed']);
    expect(env.smtp.mails.some((m) => m.rcptTo.includes(o.emailOnly!.email!))).toBe(true);
    // The greeting is deferred to 08:00, not dropped.
    const greetings = await expectEventually(async () => {
      const g = await messagesOf(greeting.body.id);
      // Three owners on SMS wait (the channel is chosen when it goes); the one on email has it already.
      expect(
        g.filter((m) => m.status === 'pending' && m.not_before.getTime() > env.clock.now().getTime()),
      ).toHaveLength(3);
      expect(g.filter((m) => m.channel === 'email' && m.status === 'sent')).toHaveLength(1);
      return g;
    });
    expect(greetings.every((m) => !m.urgent)).toBe(true);
    const morning = new Date(tomorrowShanghai('23:00'));
    morning.setUTCHours(0, 0, 0, 0); // 08:00 Shanghai the next day
    morning.setUTCDate(morning.getUTCDate() + 1);
    expect(greetings.filter((m) => m.status === 'pending').map((m) => m.not_before.toISOString())).toEqual([
      morning.toISOString(),
      morning.toISOString(),
      morning.toISOString(),
    ]);
    expect(env.twilio.messages.filter((m) => m.body.includes('中秋'))).toHaveLength(0);
  });

  it('a second click sends nothing twice (409), and pause holds the unsent messages until resume', async () => {
    const worker = env.app.get(NotifierWorker).worker;
    env.twilio.reset();
    const n = await create({ kind: 'safety_alert', title: '暴雨预警', body: '暴雨红色预警，请勿外出。' }).expect(201);
    await worker.pause(true);
    await api().post(`/api/v1/notices/${n.body.id}/send`).set(auth()).expect(200);
    const again = await api().post(`/api/v1/notices/${n.body.id}/send`).set(auth()).expect(409);
    expect(again.body.error.message).toBe('A sending notice cannot be sent (again).');
    // The fan-out as the worker would run it; the messages' own jobs wait in the paused queue.
    await env.app.get(NoticeFanOutService).send({ noticeId: n.body.id, round: 1 });
    expect(await messagesOf(n.body.id)).toHaveLength(5);
    await api().post(`/api/v1/notices/${n.body.id}/pause`).set(auth()).expect(200);
    worker.resume();
    // Every queued job runs and finds its notice paused: nothing goes out, nothing is lost.
    await idle();
    expect(env.twilio.messages.filter((m) => m.body.includes('暴雨'))).toHaveLength(0);
    expect((await messagesOf(n.body.id)).every((m) => m.status === 'pending')).toBe(true);
    const paused = await api().get(`/api/v1/notices/${n.body.id}`).set(auth()).expect(200);
    expect(paused.body).toMatchObject({ status: 'paused', progress: { queued: 5 } });
    await api().post(`/api/v1/notices/${n.body.id}/resume`).set(auth()).expect(200);
    const done = await waitDone(n.body.id);
    expect(done.progress).toMatchObject({ queued: 0, sending: 0 });
    expect(env.twilio.messages.filter((m) => m.body.includes('暴雨'))).toHaveLength(4);
    expect(new Set(env.twilio.messages.filter((m) => m.body.includes('暴雨')).map((m) => m.to)).size).toBe(4);
  });

  it('cancel withdraws whatever was not sent', async () => {
    const worker = env.app.get(NotifierWorker).worker;
    const n = await create({ kind: 'construction_progress', title: '11月工程进度', body: '主体结构已封顶。' }).expect(
      201,
    );
    await worker.pause(true);
    await api().post(`/api/v1/notices/${n.body.id}/send`).set(auth()).expect(200);
    await env.app.get(NoticeFanOutService).send({ noticeId: n.body.id, round: 1 });
    const cancelled = await api().post(`/api/v1/notices/${n.body.id}/cancel`).set(auth()).expect(200);
    worker.resume();
    expect(cancelled.body).toMatchObject({ status: 'cancelled', progress: { cancelled: 5, queued: 0 } });
    await api().post(`/api/v1/notices/${n.body.id}/resume`).set(auth()).expect(409);
    await idle();
    expect(env.twilio.messages.filter((m) => m.body.includes('工程进度'))).toHaveLength(0);
  });

  it('a notifier stopped midway goes on where it stopped after a restart: every owner gets the alert exactly once', async () => {
    env.twilio.reset();
    const n = await create({ kind: 'safety_alert', title: '台风登陆', body: '台风即将登陆，请留在室内。' }).expect(201);
    const worker = env.app.get(NotifierWorker).worker;
    // The queue itself is paused first: a paused worker may still take the job its fetch already waits for (under
    // load it did, and fanned the whole notice out).
    await queue().pause();
    await worker.pause(true);
    try {
      await api().post(`/api/v1/notices/${n.body.id}/send`).set(auth()).expect(200);
      // The first chunk of two is committed, then the process dies, and its job with it.
      await ds.transaction((m) => fanOutNoticeStep(m, n.body.id, 1, env.clock.now(), 2));
      await expectEventually(async () => {
        const [r] = await ds.query<Array<{ relayed: boolean }>>(
          `SELECT relayed_at IS NOT NULL AS relayed FROM outbox WHERE dedupe_key = $1`,
          [`notice-send:${n.body.id}:1`],
        );
        expect(r?.relayed).toBe(true);
      });
      for (const job of await queue().getJobs(['waiting', 'paused', 'prioritized']))
        if (job.name === 'notice-send') await job.remove();
      // Before the restart, the first chunk has its messages and the rest nothing.
      expect(await messagesOf(n.body.id)).toHaveLength(2);
      // The stopped notifier stays stopped (its worker paused); a new one starts on the same database and Redis, and
      // finds the fan-out stalled.
      await ds.query(`UPDATE notices SET updated_at = now() - interval '5 minutes' WHERE id = $1`, [n.body.id]);
      await queue().resume();
      const restarted = await startTestApp(notifierApp, env.config);
      try {
        useFakeClock(restarted, env.clock.now());
        expect(await restarted.get(NoticeFanOutService).sweep()).toMatchObject({ resumed: 1 });
        const done = await waitDone(n.body.id);
        expect(done.progress).toMatchObject({ delivered: 4, failed: 1 });
        const sent = env.twilio.messages.filter((m) => m.body.includes('台风即将登陆'));
        expect(sent).toHaveLength(4);
        expect(new Set(sent.map((m) => m.to)).size).toBe(4);
        // Running the whole fan-out again (a retried job, a second sweep) creates nothing.
        expect(await restarted.get(NoticeFanOutService).send({ noticeId: n.body.id, round: 1 })).toEqual({
          created: 0,
          requeued: 0,
        });
      } finally {
        await restarted.close();
        worker.resume();
      }
    } finally {
      // Whatever happened above, the next tests find the queue and this notifier running.
      await queue().resume();
      worker.resume();
    }
  });

  it('keeps the sign-off record (who, how, when) as CSV and prints the notice as an A4 PDF with its title in the text', async () => {
    const [n] = await ds.query<Array<{ id: string }>>(
      `SELECT id FROM notices WHERE title = '台风“海燕”预警' AND status = 'done' LIMIT 1`,
    );
    const csv = await api().get(`/api/v1/notices/${n!.id}/sign-off.csv`).set(auth()).expect(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    const text = csv.text.replace(/^\uFEFF/, '');
    const lines = text.split('\r\n');
    expect(lines[0]).toContain('碧海云天 台风/暴雨预警：台风“海燕”预警');
    expect(lines[1]).toBe('序号,房号,业主,方式,状态,地址/号码,发送时间,送达时间,签收人,签收时间,未发送原因');
    const plain = lines.find((l) => l.includes('业主plain'))!;
    expect(plain).toMatch(/,短信,delivered,1\d\d\*\*\*\*\d{4},\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{4}-\d\d-\d\d/);
    expect(lines.find((l) => l.includes('业主emailOnly'))).toContain(',邮件,sent,');
    expect(lines.find((l) => l.includes('业主smsOut'))).toMatch(/已退订$/);
    expect(lines.find((l) => l.includes('已删除'))).toMatch(/已删除个人信息$/);
    const pdf = await api()
      .get(`/api/v1/notices/${n!.id}/pdf`)
      .set(auth())
      .buffer(true)
      .parse((res, cb) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => cb(null, Buffer.concat(chunks)));
      })
      .expect(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    const body = pdfText(pdf.body as Buffer);
    expect(body).toContain('台风“海燕”预警');
    expect(body).toContain('今晚台风过境，请关好门窗，勿外出。');
    expect(body).toContain('碧海云天');
  });

  it('a handover notice goes as an EMS letter; its sign-off record names who signed for it, from the tracking import', async () => {
    const n = await create({
      kind: 'handover',
      title: '交付通知书',
      body: '您的房屋将于下月交付，请携带购房合同到客服中心办理。',
      audience: { lifeStages: ['prospective'] },
    }).expect(201);
    await api().post(`/api/v1/notices/${n.body.id}/send`).set(auth()).expect(200);
    await waitDone(n.body.id);
    const [letter] = await ds.query<Array<{ reference: string }>>(
      `SELECT l.reference FROM letters l JOIN notifications x ON x.id = l.notification_id
        WHERE x.source_type = 'notice' AND x.source_id = $1 AND x.owner_id = $2`,
      [n.body.id, o.prospective!.id],
    );
    // The post office's waybill, then its tracking export, through the letters API (the notifier's).
    const rep = await tokenFor(env.app, 'cs_rep');
    const letters = () => request(env.app.getHttpServer());
    await letters()
      .post('/api/v1/letters/waybills')
      .set('Authorization', `Bearer ${rep}`)
      .send({ items: [{ reference: letter!.reference, waybill: 'EA123456785CN' }] })
      .expect(200);
    const tracking = ['邮件号,时间,处理动作,地点,签收人', 'EA123456785CN,2026-10-03 11:20:00,妥投,南山投递部,王建军'];
    await letters()
      .post('/api/v1/letters/tracking-imports')
      .set('Authorization', `Bearer ${rep}`)
      .set('Content-Type', 'application/octet-stream')
      .send(iconv.encode(tracking.join('\r\n'), 'gbk'))
      .expect(200);
    const csv = await api().get(`/api/v1/notices/${n.body.id}/sign-off.csv`).set(auth()).expect(200);
    const line = csv.text.split('\r\n').find((l) => l.includes('业主prospective'))!;
    expect(line).toMatch(/,EMS信件,signed_for,.*,王建军,2026-10-03 11:20:00,$/);
    const done = await api().get(`/api/v1/notices/${n.body.id}`).set(auth()).expect(200);
    expect(done.body.progress).toMatchObject({ delivered: 1 });
  });

  it('only customer service and managers may write or read notices', async () => {
    const operator = await tokenFor(intake, 'operator');
    await api()
      .get('/api/v1/notices')
      .set({ Authorization: `Bearer ${operator}` })
      .expect(403);
    await api().get('/api/v1/notices').expect(401);
  });
});
