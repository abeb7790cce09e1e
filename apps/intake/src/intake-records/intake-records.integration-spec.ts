import request from 'supertest';
import { CaseEntity } from '@kefu/shared';
import { tokenFor } from '@kefu/shared/testing';
import { fixture, startMailTestEnv, type MailTestEnv } from '../mailbox/testing/mail-test-env';

describe('intake records API: the quarantine and re-processing', () => {
  let env: MailTestEnv;
  let rep: string;
  const http = () => request(env.app.getHttpServer());

  beforeAll(async () => {
    env = await startMailTestEnv();
    rep = await tokenFor(env.app, 'cs_rep');
    await env.dovecot.appendMessages(
      'INBOX',
      ['malformed-no-boundary.eml', 'unknown-charset.eml', 'empty.eml', 'garbage.eml', 'big5-owner.eml'].map(fixture),
    );
    await env.poll();
  });
  afterAll(async () => {
    await env?.close();
  });

  it('lists quarantined mail with the reason, for customer service and up only', async () => {
    const res = await http()
      .get('/api/v1/intake-records?outcome=quarantined&page=1')
      .set('Authorization', `Bearer ${rep}`)
      .expect(200);
    expect(res.body).toMatchObject({ total: 4, page: 1, pageSize: 20 });
    expect(res.body.items.map((i: { outcomeReason: string }) => i.outcomeReason).sort()).toEqual([
      'empty message: no subject, no text, no attachment',
      'malformed MIME: "multipart/mixed" has no boundary',
      'unknown charset: x-mac-chinesesimp',
      'unparseable: the message does not start with a header block',
    ]);
    expect(res.body.items[0]).toMatchObject({
      channel: 'email',
      source: 'imap:cs',
      outcome: 'quarantined',
      attempts: 1,
      externalId: expect.stringMatching(/^\d+:\d+$/),
    });
    const operator = await tokenFor(env.app, 'operator');
    await http()
      .get('/api/v1/intake-records?outcome=quarantined')
      .set('Authorization', `Bearer ${operator}`)
      .expect(403);
    const bad = await http()
      .get('/api/v1/intake-records?outcome=lost&page=0')
      .set('Authorization', `Bearer ${rep}`)
      .expect(400);
    expect(bad.body.error.details.fields.map((f: { field: string }) => f.field).sort()).toEqual(['outcome.0', 'page']);
  });

  it('shows one record and hands out the stored message exactly as received', async () => {
    const rec = await env.record('charset-1@example.com');
    const detail = await http()
      .get(`/api/v1/intake-records/${rec!.id}`)
      .set('Authorization', `Bearer ${rep}`)
      .expect(200);
    expect(detail.body).toMatchObject({
      id: rec!.id,
      outcome: 'quarantined',
      hasRawBytes: true,
      attachments: [],
      raw: { folder: 'INBOX', mailbox: 'cs' },
    });
    const raw = await http()
      .get(`/api/v1/intake-records/${rec!.id}/raw`)
      .set('Authorization', `Bearer ${rep}`)
      .buffer(true)
      .parse((r, cb) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => cb(null, Buffer.concat(chunks)));
      })
      .expect(200);
    expect(raw.headers['content-type']).toMatch(/^message\/rfc822/);
    expect(raw.headers['content-disposition']).toContain('attachment');
    expect(Buffer.compare(raw.body as Buffer, fixture('unknown-charset.eml'))).toBe(0);
  });

  it('re-processes from the stored bytes: still bad stays quarantined (attempts + 1); fixed becomes a case', async () => {
    const still = await env.record('charset-1@example.com');
    const again = await http()
      .post(`/api/v1/intake-records/${still!.id}/reprocess`)
      .set('Authorization', `Bearer ${rep}`)
      .expect(200);
    expect(again.body).toMatchObject({
      result: { outcome: 'quarantined', reason: 'unknown charset: x-mac-chinesesimp' },
      record: { attempts: 2 },
    });

    // As if an earlier build had failed on this mail: quarantined with a processing error, the bytes kept.
    const raw = Buffer.from(
      'From: =?UTF-8?B?6ZmI5aWz5aOr?= <chen.owner@example.com>\r\nDate: Mon, 23 Nov 2026 10:00:00 +0800\r\nMessage-ID: <fixed-1@example.com>\r\nSubject: 水压太低\r\n\r\n12栋高层水压太低，洗澡都困难\r\n',
    );
    const [inserted] = await env.db.dataSource.query(
      `INSERT INTO intake_records (channel, source, external_id, raw, raw_bytes, message_id, content_hash, received_at, outcome, outcome_reason, attempts, processed_at)
       VALUES ('email', 'imap:cs', '1:999', '{"size": ${raw.length}}', $1, 'fixed-1@example.com', 'x', now(), 'quarantined', 'processing error: simulated', 1, now()) RETURNING id`,
      [raw],
    );
    const fixed = await http()
      .post(`/api/v1/intake-records/${inserted.id}/reprocess`)
      .set('Authorization', `Bearer ${rep}`)
      .expect(200);
    expect(fixed.body.result).toMatchObject({
      outcome: 'case_created',
      caseNumber: expect.stringMatching(/^KF-\d{4}-\d{5}$/),
    });
    expect(fixed.body.record).toMatchObject({
      outcome: 'case_created',
      attempts: 2,
      externalId: '1:999',
      messageId: 'fixed-1@example.com',
      caseNumber: fixed.body.result.caseNumber,
    });
    const c = await env.db.dataSource
      .getRepository(CaseEntity)
      .findOneByOrFail({ number: fixed.body.result.caseNumber });
    expect(c).toMatchObject({ channel: 'email', reporterName: '陈女士', reporterEmail: 'chen.owner@example.com' });
    const list = await http()
      .get('/api/v1/intake-records?outcome=quarantined')
      .set('Authorization', `Bearer ${rep}`)
      .expect(200);
    expect(list.body.total).toBe(4);
  });

  it('refuses to re-process what already became something, what has no stored message, and what does not exist', async () => {
    const done = await env.record('big5-20261123-0001@netvigator.example');
    const conflict = await http()
      .post(`/api/v1/intake-records/${done!.id}/reprocess`)
      .set('Authorization', `Bearer ${rep}`)
      .expect(409);
    expect(conflict.body.error.message).toContain('already processed (case_created)');
    const [hotline] = await env.db.dataSource.query(
      `INSERT INTO intake_records (channel, source, external_id, raw, received_at, outcome) VALUES ('hotline', 'hotline', 'k1', '{}', now(), 'quarantined') RETURNING id`,
    );
    await http()
      .post(`/api/v1/intake-records/${hotline.id}/reprocess`)
      .set('Authorization', `Bearer ${rep}`)
      .expect(409);
    await http()
      .post('/api/v1/intake-records/2f1d7a52-3c1e-4a49-9a51-000000000001/reprocess')
      .set('Authorization', `Bearer ${rep}`)
      .expect(404);
  });
});
