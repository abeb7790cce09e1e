import { spawnSync } from 'node:child_process';
import type { INestApplication } from '@nestjs/common';
import iconv from 'iconv-lite';
import request from 'supertest';
import { NotificationEntity, requestNotification } from '@kefu/shared';
import {
  createTestDatabase,
  factories,
  startTestApp,
  testConfig,
  tokenFor,
  useFakeClock,
  type TestDatabase,
} from '@kefu/shared/testing';
import { ChannelRegistry } from '../channels/channel-sender';
import { notifierApp } from '../notifier.app';
import { LetterSender } from './letter.sender';

/** The PDF's text layer, read by pdf-parse in a child process (pdf.js loads its worker with a native import jest cannot host). */
function pdfText(pdf: Buffer): string {
  const script = `const { PDFParse } = require(${JSON.stringify(require.resolve('pdf-parse'))});
    const chunks = []; process.stdin.on('data', (c) => chunks.push(c)).on('end', async () => {
      const p = new PDFParse({ data: new Uint8Array(Buffer.concat(chunks)), verbosity: 0 });
      const t = await p.getText(); process.stdout.write(JSON.stringify({ pages: t.total, text: t.text })); await p.destroy(); });`;
  const r = spawnSync(process.execPath, ['-e', script], { input: pdf, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  const { pages, text } = JSON.parse(r.stdout) as { pages: number; text: string };
  expect(pages).toBe(1);
  return text.replace(/\s+/g, '');
}

const certificate = {
  estateName: '碧海云天',
  unitLabel: '3栋2单元1502',
  place: '碧海云天客服中心',
  hours: '工作日 9:00-17:00',
  documents: ['身份证', '购房合同'],
  fromDate: '2026-10-10',
  deadline: '2026-12-31',
  stage: 'notice' as const,
};
const message = {
  subject: '办证通知',
  body: '尊敬的业主：您好！碧海云天3栋2单元1502的不动产权证书已可办理，请于2026年12月31日前携带身份证、购房合同到碧海云天客服中心办理。',
  html: null,
};

describe('EMS letters', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let rep: string;
  let sender: LetterSender;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await startTestApp(
      notifierApp,
      testConfig({
        DATABASE_URL: db.url,
        LETTER_COMPANY_NAME: '碧海地产客户服务部',
        LETTER_COMPANY_ADDRESS: '深圳市南山区海岸路8号',
        LETTER_COMPANY_HOTLINE: '400-800-1234',
      }),
    );
    useFakeClock(app, '2026-10-01T09:00:00+08:00');
    rep = await tokenFor(app, 'cs_rep');
    sender = app.get(LetterSender);
  });
  afterAll(async () => {
    await app.close();
    await db.drop();
  });

  /** A certificate-collection letter notification for a new owner, sent by the letter sender. */
  async function letterFor(
    name = '王建国',
  ): Promise<{ notification: NotificationEntity; reference: string; ownerMobile: string }> {
    const owner = await factories.createOwner(db.dataSource, {
      name,
      postalAddress: '广东省深圳市南山区海岸路8号碧海云天3栋2单元1502',
      postcode: '518054',
    });
    const { id } = await db.dataSource.transaction((m) =>
      requestNotification(m, {
        idempotencyKey: `cert:${owner.id}`,
        kind: 'certificate_collection',
        recipient: { ownerId: owner.id },
        channel: 'letter',
        variables: certificate,
        source: { type: 'certificate_notice', id: owner.id },
      }),
    );
    const notification = await db.dataSource.getRepository(NotificationEntity).findOneByOrFail({ id });
    const out = await sender.send(
      notification,
      { name, address: owner.postalAddress!, postcode: owner.postcode },
      message,
    );
    if (out.kind !== 'sent') throw new Error(JSON.stringify(out));
    return { notification, reference: out.providerId, ownerMobile: owner.mobiles[0]! };
  }

  it('registers itself as the letter channel', () => {
    expect(app.get(ChannelRegistry).get('letter')).toBe(sender);
  });

  it('makes an A4 PDF with the Chinese notice, the letterhead, the address block and the reference; once per notification', async () => {
    const { notification, reference } = await letterFor();
    expect(reference).toMatch(/^KF[0-9A-F]{12}$/);
    const again = await Promise.all(
      [1, 2].map(() => sender.send(notification, { name: '王建国', address: 'x' }, message)),
    );
    expect(again).toEqual([
      expect.objectContaining({ kind: 'sent', providerId: reference }),
      expect.objectContaining({ kind: 'sent', providerId: reference }),
    ]);
    const rows = await db.dataSource.query(`SELECT id, status, pdf, pdf_size FROM letters WHERE notification_id = $1`, [
      notification.id,
    ]);
    expect(rows).toHaveLength(1);
    const pdf: Buffer = rows[0].pdf;
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(pdf.length).toBeLessThan(60_000); // the CJK font is subset, not embedded whole (5 MB)
    const text = pdfText(pdf);
    for (const s of [
      '碧海地产客户服务部',
      '400-800-1234',
      '518054',
      '碧海云天3栋2单元1502',
      '王建国收',
      '办证通知',
      '不动产权证书已可办理',
      reference,
      '2026年10月1日',
    ])
      expect(text).toContain(s);
    // the same bytes through the API
    const res = await http()
      .get(`/api/v1/letters/${rows[0].id}/pdf`)
      .set('Authorization', `Bearer ${rep}`)
      .buffer(true)
      .parse((r, cb) => {
        const c: Buffer[] = [];
        r.on('data', (b: Buffer) => c.push(b)).on('end', () => cb(null, Buffer.concat(c)));
      });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(Buffer.compare(res.body as Buffer, pdf)).toBe(0);
    const list = await http()
      .get(`/api/v1/letters?notificationId=${notification.id}&status=generated`)
      .set('Authorization', `Bearer ${rep}`);
    expect(list.body).toMatchObject({
      total: 1,
      items: [{ reference, status: 'generated', recipientName: '王建国', postcode: '518054' }],
    });
  });

  it('makes one letter when the same notification is sent twice at once', async () => {
    const owner = await factories.createOwner(db.dataSource);
    const { id } = await db.dataSource.transaction((m) =>
      requestNotification(m, {
        idempotencyKey: `twice:${owner.id}`,
        kind: 'certificate_collection',
        recipient: { ownerId: owner.id },
        channel: 'letter',
        variables: certificate,
      }),
    );
    const n = await db.dataSource.getRepository(NotificationEntity).findOneByOrFail({ id });
    const outs = await Promise.all(
      [1, 2, 3].map(() =>
        sender.send(n, { name: '张三', address: owner.postalAddress!, postcode: owner.postcode }, message),
      ),
    );
    expect(new Set(outs.map((o) => (o.kind === 'sent' ? o.providerId : o.kind))).size).toBe(1);
    expect(
      await db.dataSource.query(`SELECT count(*)::int AS n FROM letters WHERE notification_id = $1`, [id]),
    ).toEqual([{ n: 1 }]);
  });

  it('fails a letter with no postal address as no_address', async () => {
    const owner = await factories.createOwner(db.dataSource, { postalAddress: null });
    const { id } = await db.dataSource.transaction((m) =>
      requestNotification(m, {
        idempotencyKey: `noaddr:${owner.id}`,
        kind: 'certificate_collection',
        recipient: { ownerId: owner.id },
        channel: 'letter',
        variables: certificate,
      }),
    );
    const n = await db.dataSource.getRepository(NotificationEntity).findOneByOrFail({ id });
    expect(await sender.send(n, { name: '张三', address: '  ' }, message)).toMatchObject({
      kind: 'failed',
      code: 'no_address',
    });
    expect(await db.dataSource.query(`SELECT 1 FROM letters WHERE notification_id = $1`, [id])).toEqual([]);
  });

  it('batches letters into a manifest CSV for the post office, records waybills (bad rows named), imports GBK tracking once', async () => {
    const a = await letterFor('李雷');
    const b = await letterFor('韩梅梅');
    const created = await http().post('/api/v1/letters/manifests').set('Authorization', `Bearer ${rep}`);
    expect(created.status).toBe(201);
    expect(created.body.letterCount).toBeGreaterThanOrEqual(2);
    const manifestId: string = created.body.id;
    expect((await http().post('/api/v1/letters/manifests').set('Authorization', `Bearer ${rep}`)).status).toBe(409);

    const csv = await http()
      .get(`/api/v1/letters/manifests/${manifestId}/csv`)
      .set('Authorization', `Bearer ${rep}`)
      .buffer(true)
      .parse((r, cb) => {
        const c: Buffer[] = [];
        r.on('data', (x: Buffer) => c.push(x)).on('end', () => cb(null, Buffer.concat(c)));
      });
    expect(csv.headers['content-type']).toMatch(/^text\/csv; charset=utf-8/);
    const bytes = csv.body as Buffer;
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = bytes.subarray(3).toString('utf8').trimEnd().split('\r\n');
    expect(lines[0]).toBe(
      '序号,收件人,收件人电话,收件地址,邮编,参考号,重量(千克),内件,件数,寄件人,寄件人电话,寄件地址,邮件号',
    );
    const lineA = lines.find((l) => l.includes(a.reference))!;
    expect(lineA.split(',')).toEqual([
      expect.any(String),
      '李雷',
      a.ownerMobile,
      '广东省深圳市南山区海岸路8号碧海云天3栋2单元1502',
      '518054',
      a.reference,
      '0.02',
      '文件',
      '1',
      '碧海地产客户服务部',
      '400-800-1234',
      '深圳市南山区海岸路8号',
      '',
    ]);

    // A bad check digit and an unknown reference refuse the whole upload, naming the rows.
    const bad = await http()
      .post('/api/v1/letters/waybills')
      .set('Authorization', `Bearer ${rep}`)
      .send({
        items: [
          { reference: a.reference, waybill: 'EA123456785CN' },
          { reference: b.reference, waybill: 'EA123456784CN' },
          { reference: 'KFNOPE', waybill: '1123456789012' },
        ],
      });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.rows).toEqual([
      { row: 2, message: expect.stringContaining('expected 5') },
      { row: 3, waybill: '1123456789012', message: 'no letter with reference KFNOPE' },
    ]);
    expect(await db.dataSource.query(`SELECT waybill FROM letters WHERE reference = $1`, [a.reference])).toEqual([
      { waybill: null },
    ]);
    const empty = await http().post('/api/v1/letters/waybills').set('Authorization', `Bearer ${rep}`).send({});
    expect(empty.status).toBe(400);
    expect(empty.body.error.details.fields).toEqual([expect.objectContaining({ field: 'items' })]);

    // The filled-in manifest comes back from Excel as GBK: a 13-digit domestic number and an S10 number.
    const filled = [
      lines[0],
      ...lines
        .slice(1)
        .map((l) =>
          l.includes(a.reference)
            ? l.replace(/,$/, ',EA123456785CN')
            : l.includes(b.reference)
              ? l.replace(/,$/, ',1123456789012')
              : l,
        ),
    ].join('\r\n');
    const ok = await http()
      .post('/api/v1/letters/waybills')
      .set('Authorization', `Bearer ${rep}`)
      .set('Content-Type', 'application/octet-stream')
      .send(iconv.encode(filled, 'gbk'));
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ recorded: 2, unchanged: 0 });
    const again = await http()
      .post('/api/v1/letters/waybills')
      .set('Authorization', `Bearer ${rep}`)
      .send({ items: [{ reference: a.reference, waybill: 'ea123456785cn' }] });
    expect(again.body).toEqual({ recorded: 0, unchanged: 1 });
    const taken = await http()
      .post('/api/v1/letters/waybills')
      .set('Authorization', `Bearer ${rep}`)
      .send({ items: [{ reference: b.reference, waybill: 'EA123456785CN' }] });
    expect(taken.status).toBe(400);
    expect(taken.body.error.details.rows[0].message).toMatch(/already has waybill 1123456789012/);
    expect(
      await db.dataSource.query(
        `SELECT l.status, n.provider_id FROM letters l JOIN notifications n ON n.id = l.notification_id WHERE reference = $1`,
        [a.reference],
      ),
    ).toEqual([{ status: 'posted', provider_id: 'EA123456785CN' }]);

    const tracking = [
      '邮件号,时间,处理动作,地点,签收人',
      'EA123456785CN,2026-10-02 09:15:00,收寄,深圳市邮政速递南山营业部,',
      'EA123456785CN,2026-10-02 18:40:00,离开【深圳邮区中心】,深圳,',
      'EA123456785CN,2026-10-03 08:05:00,派送中,南山投递部,',
      'EA123456785CN,2026-10-03 11:20:00,妥投,南山投递部,王建军',
      '1123456789012,2026-10-03 10:00:00,未妥投,南山投递部,',
      '1123456789012,2026-10-08 10:00:00,退回,南山投递部,',
      'EA000000005CN,2026-10-03 10:00:00,收寄,北京,',
      'EA123456785CN,下午,到达,,',
    ].join('\r\n');
    const imported = await http()
      .post('/api/v1/letters/tracking-imports')
      .set('Authorization', `Bearer ${rep}`)
      .set('Content-Type', 'application/octet-stream')
      .send(iconv.encode(tracking, 'gbk'));
    expect(imported.body).not.toHaveProperty('error');
    expect(imported.status).toBe(200);
    expect(imported.body).toEqual({
      rows: 8,
      recorded: 6,
      duplicates: 0,
      problems: [
        { row: 8, waybill: 'EA000000005CN', message: 'no letter has this waybill number' },
        { row: 9, waybill: 'EA123456785CN', message: expect.stringContaining('"下午"') },
      ],
    });
    const reimport = await http()
      .post('/api/v1/letters/tracking-imports')
      .set('Authorization', `Bearer ${rep}`)
      .set('Content-Type', 'text/csv; charset=utf-8')
      .send(tracking);
    expect(reimport.body).toMatchObject({ recorded: 0, duplicates: 6 });

    const receipts = await db.dataSource.query(
      `SELECT status, source, detail FROM notification_receipts WHERE notification_id = $1 ORDER BY occurred_at`,
      [a.notification.id],
    );
    expect(receipts.map((r: { status: string }) => r.status)).toEqual([
      'accepted',
      'in_transit',
      'out_for_delivery',
      'signed_for',
    ]);
    expect(receipts[3]).toMatchObject({ source: 'ems', detail: expect.stringContaining('签收人：王建军') });
    // What the scheduler's certificate batch reads: source_type certificate_notice, status signed_for.
    const [na] = await db.dataSource.query(
      `SELECT status, delivered_at FROM notifications WHERE id = $1 AND source_type = 'certificate_notice'`,
      [a.notification.id],
    );
    expect(na).toEqual({ status: 'signed_for', delivered_at: new Date('2026-10-03T03:20:00Z') });
    expect(await db.dataSource.query(`SELECT status, signer FROM letters WHERE reference = $1`, [a.reference])).toEqual(
      [{ status: 'signed_for', signer: '王建军' }],
    );
    const [nb] = await db.dataSource.query(`SELECT status FROM notifications WHERE id = $1`, [b.notification.id]);
    expect(nb.status).toBe('returned');
    const rb = await db.dataSource.query(
      `SELECT status FROM notification_receipts WHERE notification_id = $1 ORDER BY occurred_at`,
      [b.notification.id],
    );
    expect(rb.map((r: { status: string }) => r.status)).toEqual(['undelivered', 'returned']);

    // An out-of-order older line never moves a settled letter back.
    const late = await http()
      .post('/api/v1/letters/tracking-imports')
      .set('Authorization', `Bearer ${rep}`)
      .set('Content-Type', 'text/csv')
      .send('邮件号,时间,处理动作\nEA123456785CN,2026-10-02 20:00:00,到达\n');
    expect(late.body).toMatchObject({ recorded: 1 });
    expect(
      await db.dataSource.query(
        `SELECT l.status, n.status AS n FROM letters l JOIN notifications n ON n.id = l.notification_id WHERE reference = $1`,
        [a.reference],
      ),
    ).toEqual([{ status: 'signed_for', n: 'signed_for' }]);
  });

  it('needs a staff token', async () => {
    expect((await http().get('/api/v1/letters')).status).toBe(401);
  });
});
