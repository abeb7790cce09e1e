import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { createTestDatabase, startTestApp, testConfig, tokenFor, type TestDatabase } from '@kefu/shared/testing';
import { intakeApp } from '../../intake.app';
import { images } from '../../web-form/testing/fixtures';

/** A few bytes that sniff as each file type (the magic bytes, then filler). */
const files = {
  jpeg: images.jpeg,
  png: images.png,
  pdf: Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(300, 0x20)]),
  amr: Buffer.concat([Buffer.from('#!AMR\n'), Buffer.alloc(300, 0x3c)]),
  mp3: Buffer.concat([Buffer.from('ID3'), Buffer.from([4, 0, 0, 0, 0, 0, 0]), Buffer.alloc(300, 0xaa)]),
  html: Buffer.from('<html><script>alert(1)</script></html>'),
};

interface EventRow {
  kind: string;
  actor_id: string | null;
  actor_label: string;
  details: Record<string, unknown>;
}

/** 003 §8.1.4, SM03-07: evidence on a case — staff's photos, recordings, documents, and owners' signed forms. */
describe('case evidence and signed forms', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let operator: string;
  let rep: string;
  let manager: string;
  let repId: string;
  const http = () => request(app.getHttpServer());
  const as = (token: string) => ({ Authorization: `Bearer ${token}` });

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await startTestApp(intakeApp, testConfig({ DATABASE_URL: db.url }));
    [operator, rep, manager] = await Promise.all([
      tokenFor(app, 'operator'),
      tokenFor(app, 'cs_rep', '客服 陈敏'),
      tokenFor(app, 'dept_manager', '工程部 王经理'),
    ]);
    repId = (await db.dataSource.query<[{ id: string }]>(`SELECT id FROM staff WHERE name = '客服 陈敏'`))[0].id;
  });
  afterAll(async () => {
    await app.close();
    await db.drop();
  });

  const newCase = async (callerNumber: string) =>
    (
      await http()
        .post('/api/v1/hotline/calls')
        .set(as(operator))
        .send({
          callerNumber,
          startedAt: new Date().toISOString(),
          durationSeconds: 90,
          summary: '卫生间顶棚渗水，投诉',
        })
        .expect(201)
    ).body.case as { id: string };
  const evidence = (
    id: string,
    fields: Record<string, string>,
    file?: { buf: Buffer; name: string; type?: string; part?: string },
    token = rep,
  ) => {
    let req = http().post(`/api/v1/cases/${id}/evidence`).set(as(token));
    for (const [k, v] of Object.entries(fields)) req = req.field(k, v);
    if (file)
      req = req.attach(file.part ?? 'file', file.buf, {
        filename: file.name,
        contentType: file.type ?? 'application/octet-stream',
      });
    return req;
  };
  const signedForm = (id: string, fields: Record<string, string>, photo?: Buffer, token = rep) => {
    let req = http().post(`/api/v1/cases/${id}/signed-forms`).set(as(token));
    for (const [k, v] of Object.entries(fields)) req = req.field(k, v);
    if (photo) req = req.attach('photo', photo, { filename: '评价表.jpg', contentType: 'image/jpeg' });
    return req;
  };
  const download = (id: string, attachmentId: string) =>
    http()
      .get(`/api/v1/cases/${id}/attachments/${attachmentId}`)
      .set(as(rep))
      .buffer(true)
      .parse((res, cb) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => cb(null, Buffer.concat(chunks)));
      });
  const stored = async (caseId: string) => ({
    attachments: await db.dataSource.query<Array<{ role: string; uploaded_by_id: string | null }>>(
      `SELECT role, uploaded_by_id FROM attachments WHERE case_id = $1 ORDER BY created_at`,
      [caseId],
    ),
    events: await db.dataSource.query<EventRow[]>(
      `SELECT kind, actor_id, actor_label, details FROM case_events
        WHERE case_id = $1 AND kind IN ('evidence_added', 'signed_form') ORDER BY id`,
      [caseId],
    ),
  });
  const fieldsOf = (body: { error: { details: { fields: Array<{ field: string }> } } }) =>
    body.error.details.fields.map((f) => f.field).sort();

  it('stores each kind of evidence by its bytes, with who uploaded it, on the timeline and in the case view', async () => {
    const { id } = await newCase('13855550001');
    const photo = await evidence(
      id,
      { kind: 'photo', caption: '卫生间顶棚渗水处' },
      { buf: files.jpeg, name: '顶棚.jpg', type: 'image/jpeg' },
    ).expect(201);
    // The declared type is the sender's word: the stored one is what the bytes are.
    const recording = await evidence(
      id,
      { kind: 'recording', caption: '与业主通话录音' },
      { buf: files.amr, name: '通话.amr' },
    ).expect(201);
    const mp3 = await evidence(
      id,
      { kind: 'recording', caption: '现场录音' },
      { buf: files.mp3, name: 'site.mp3', type: 'audio/mpeg' },
      manager,
    ).expect(201);
    const doc = await evidence(
      id,
      { kind: 'document', caption: '现场勘查记录（扫描件）' },
      { buf: files.pdf, name: '勘查记录.pdf', type: 'application/pdf' },
    ).expect(201);

    expect(photo.body).toMatchObject({
      role: 'evidence_photo',
      filename: '顶棚.jpg',
      contentType: 'image/jpeg',
      size: files.jpeg.length,
      uploadedBy: { id: repId, name: '客服 陈敏' },
      event: { kind: 'evidence_added', details: { evidenceKind: 'photo', caption: '卫生间顶棚渗水处' } },
    });
    expect(recording.body).toMatchObject({ role: 'evidence_recording', contentType: 'audio/amr' });
    expect(mp3.body).toMatchObject({
      role: 'evidence_recording',
      contentType: 'audio/mpeg',
      uploadedBy: { name: '工程部 王经理' },
    });
    expect(doc.body).toMatchObject({ role: 'evidence_document', contentType: 'application/pdf' });

    const rows = await stored(id);
    expect(rows.attachments).toEqual([
      { role: 'evidence_photo', uploaded_by_id: repId },
      { role: 'evidence_recording', uploaded_by_id: repId },
      { role: 'evidence_recording', uploaded_by_id: expect.not.stringMatching(repId) },
      { role: 'evidence_document', uploaded_by_id: repId },
    ]);
    expect(rows.events).toHaveLength(4);
    expect(rows.events[0]).toEqual({
      kind: 'evidence_added',
      actor_id: repId,
      actor_label: '客服 陈敏',
      details: {
        attachmentId: photo.body.attachmentId,
        evidenceKind: 'photo',
        caption: '卫生间顶棚渗水处',
        filename: '顶棚.jpg',
        contentType: 'image/jpeg',
        size: files.jpeg.length,
      },
    });

    const detail = await http().get(`/api/v1/cases/${id}`).set(as(rep)).expect(200);
    expect(detail.body.attachments).toEqual([
      expect.objectContaining({ id: photo.body.attachmentId, role: 'evidence_photo', filename: '顶棚.jpg' }),
      expect.objectContaining({
        id: recording.body.attachmentId,
        role: 'evidence_recording',
        contentType: 'audio/amr',
      }),
      expect.objectContaining({ id: mp3.body.attachmentId, role: 'evidence_recording' }),
      expect.objectContaining({ id: doc.body.attachmentId, role: 'evidence_document', filename: '勘查记录.pdf' }),
    ]);
    expect(
      detail.body.events
        .filter((e: { kind: string }) => e.kind === 'evidence_added')
        .map((e: { actor: string; details: { caption: string } }) => [e.actor, e.details.caption]),
    ).toEqual([
      ['客服 陈敏', '卫生间顶棚渗水处'],
      ['客服 陈敏', '与业主通话录音'],
      ['工程部 王经理', '现场录音'],
      ['客服 陈敏', '现场勘查记录（扫描件）'],
    ]);

    // Downloaded through the case's attachment link, as a download, never rendered.
    const dl = await download(id, recording.body.attachmentId as string).expect(200);
    expect(Buffer.compare(dl.body as Buffer, files.amr)).toBe(0);
    expect(dl.headers).toMatchObject({
      'content-type': 'audio/amr',
      'x-content-type-options': 'nosniff',
      'content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent('通话.amr')}`,
    });
    const other = await newCase('13855550002');
    await download(other.id, doc.body.attachmentId as string).expect(404);
  });

  it('refuses a bad kind, caption, type or size with a 400 naming the field, and stores nothing', async () => {
    const { id } = await newCase('13855550003');
    // A PDF is no photo; an HTML page is no recording, whatever it calls itself.
    const pdfAsPhoto = await evidence(
      id,
      { kind: 'photo', caption: '照片' },
      { buf: files.pdf, name: 'x.jpg', type: 'image/jpeg' },
    ).expect(400);
    expect(pdfAsPhoto.body.error.code).toBe('validation_failed');
    expect(fieldsOf(pdfAsPhoto.body)).toEqual(['file']);
    expect(pdfAsPhoto.body.error.message).toContain('application/pdf');
    expect(pdfAsPhoto.body.error.message).toContain('photo');
    const htmlAsAudio = await evidence(
      id,
      { kind: 'recording', caption: '录音' },
      { buf: files.html, name: 'a.mp3', type: 'audio/mpeg' },
    ).expect(400);
    expect(fieldsOf(htmlAsAudio.body)).toEqual(['file']);
    expect(htmlAsAudio.body.error.message).toContain('recording');

    // A photo over the web form's 10 MB (a document may be larger).
    const big = Buffer.concat([files.jpeg, Buffer.alloc(10 * 1024 * 1024, 1)]);
    const tooBig = await evidence(id, { kind: 'photo', caption: '大照片' }, { buf: big, name: 'big.jpg' }).expect(400);
    expect(fieldsOf(tooBig.body)).toEqual(['file']);
    expect(tooBig.body.error.message).toContain('10MB');
    // Over every kind's limit: multer stops reading, and it is still a 400 on the field, not a bare 413.
    const huge = Buffer.concat([files.pdf, Buffer.alloc(30 * 1024 * 1024, 1)]);
    const tooHuge = await evidence(id, { kind: 'document', caption: '超大' }, { buf: huge, name: 'huge.pdf' }).expect(
      400,
    );
    expect(fieldsOf(tooHuge.body)).toEqual(['file']);
    expect(tooHuge.body.error.message).toContain('30MB');

    const noFields = await evidence(id, {}, { buf: files.jpeg, name: 'a.jpg' }).expect(400);
    expect(fieldsOf(noFields.body)).toEqual(['caption', 'kind']);
    const badKind = await evidence(id, { kind: 'video', caption: '视频' }, { buf: files.jpeg, name: 'a.jpg' }).expect(
      400,
    );
    expect(fieldsOf(badKind.body)).toEqual(['kind']);
    const noFile = await evidence(id, { kind: 'photo', caption: '没有文件' }).expect(400);
    expect(fieldsOf(noFile.body)).toEqual(['file']);
    const wrongPart = await evidence(
      id,
      { kind: 'photo', caption: '文件名错' },
      { buf: files.jpeg, name: 'a.jpg', part: 'upload' },
    ).expect(400);
    expect(fieldsOf(wrongPart.body)).toEqual(['file', 'upload']);

    // The controls: the same requests with the problem removed pass.
    await evidence(id, { kind: 'document', caption: 'PDF 是文件' }, { buf: files.pdf, name: 'x.pdf' }).expect(201);
    const bigDoc = Buffer.concat([files.pdf, Buffer.alloc(10 * 1024 * 1024, 1)]);
    await evidence(id, { kind: 'document', caption: '大文件' }, { buf: bigDoc, name: 'big.pdf' }).expect(201);
    const rows = await stored(id);
    expect(rows.attachments.map((a) => a.role)).toEqual(['evidence_document', 'evidence_document']);
    expect(rows.events.map((e) => e.details.caption)).toEqual(['PDF 是文件', '大文件']);
  });

  it('lets only case handlers add evidence, to a case that exists', async () => {
    const { id } = await newCase('13855550004');
    const photo = { buf: files.jpeg, name: 'a.jpg' };
    await http()
      .post(`/api/v1/cases/${id}/evidence`)
      .field('kind', 'photo')
      .field('caption', '未登录')
      .attach('file', files.jpeg, 'a.jpg')
      .expect(401);
    await http()
      .post(`/api/v1/cases/${id}/signed-forms`)
      .field('formKind', 'reply')
      .field('signedAt', new Date().toISOString())
      .attach('photo', files.jpeg, 'a.jpg')
      .expect(401);
    await evidence(id, { kind: 'photo', caption: '接线员' }, photo, operator).expect(403);
    await signedForm(id, { formKind: 'reply', signedAt: new Date().toISOString() }, files.jpeg, operator).expect(403);
    await evidence('00000000-0000-4000-8000-000000000000', { kind: 'photo', caption: '无此案件' }, photo).expect(404);
    await evidence('not-a-uuid', { kind: 'photo', caption: '无此案件' }, photo).expect(400);
    expect(await stored(id)).toEqual({ attachments: [], events: [] });
  });

  it("records the owner's signed forms with a photo of the paper: evaluation 满意/不满意 with comments, reply, repair sign-off", async () => {
    const { id } = await newCase('13855550005');
    const signedAt = new Date(Date.now() - 3600_000).toISOString();
    const evaluation = await signedForm(
      id,
      { formKind: 'evaluation', signedAt, satisfied: 'false', comments: '维修后仍有渗水痕迹' },
      files.jpeg,
    ).expect(201);
    expect(evaluation.body).toMatchObject({
      role: 'signed_form',
      filename: '评价表.jpg',
      contentType: 'image/jpeg',
      uploadedBy: { id: repId },
      event: {
        kind: 'signed_form',
        details: { formKind: 'evaluation', signedAt, satisfied: false, comments: '维修后仍有渗水痕迹' },
      },
    });
    await signedForm(id, { formKind: 'reply', signedAt, comments: '' }, files.jpeg).expect(201);
    await signedForm(id, { formKind: 'repair_signoff', signedAt }, files.png, manager).expect(201);

    const rows = await stored(id);
    expect(rows.attachments).toEqual([
      { role: 'signed_form', uploaded_by_id: repId },
      { role: 'signed_form', uploaded_by_id: repId },
      { role: 'signed_form', uploaded_by_id: expect.any(String) },
    ]);
    expect(rows.events.map((e) => [e.kind, e.actor_label, e.details.formKind, e.details.satisfied])).toEqual([
      ['signed_form', '客服 陈敏', 'evaluation', false],
      ['signed_form', '客服 陈敏', 'reply', undefined],
      ['signed_form', '工程部 王经理', 'repair_signoff', undefined],
    ]);
    expect(rows.events[1]!.details).not.toHaveProperty('comments');

    const detail = await http().get(`/api/v1/cases/${id}`).set(as(rep)).expect(200);
    expect(detail.body.attachments.map((a: { id: string; role: string }) => a.role)).toEqual([
      'signed_form',
      'signed_form',
      'signed_form',
    ]);
    expect(detail.body.events.filter((e: { kind: string }) => e.kind === 'signed_form')).toHaveLength(3);
    const dl = await download(id, evaluation.body.attachmentId as string).expect(200);
    expect(Buffer.compare(dl.body as Buffer, files.jpeg)).toBe(0);
    expect(dl.headers).toMatchObject({
      'x-content-type-options': 'nosniff',
      'content-disposition': expect.stringMatching(/^attachment; filename\*=UTF-8''/),
    });
  });

  it('refuses a signed form without its photo, with a bad form, time or answer, naming each field', async () => {
    const { id } = await newCase('13855550006');
    const now = new Date().toISOString();
    const noPhoto = await signedForm(id, { formKind: 'evaluation', signedAt: now, satisfied: 'true' }).expect(400);
    expect(fieldsOf(noPhoto.body)).toEqual(['photo']);
    const pdf = await signedForm(id, { formKind: 'evaluation', signedAt: now }, files.pdf).expect(400);
    expect(fieldsOf(pdf.body)).toEqual(['photo']);
    const bad = await signedForm(id, { formKind: 'contract', signedAt: 'yesterday' }, files.jpeg).expect(400);
    expect(fieldsOf(bad.body)).toEqual(['formKind', 'signedAt']);
    const future = new Date(Date.now() + 86_400_000).toISOString();
    expect(fieldsOf((await signedForm(id, { formKind: 'reply', signedAt: future }, files.jpeg)).body)).toEqual([
      'signedAt',
    ]);
    const notAnEvaluation = await signedForm(id, { formKind: 'reply', signedAt: now, satisfied: 'true' }, files.jpeg);
    expect(notAnEvaluation.status).toBe(400);
    expect(fieldsOf(notAnEvaluation.body)).toEqual(['satisfied']);
    const notBoolean = await signedForm(id, { formKind: 'evaluation', signedAt: now, satisfied: '满意' }, files.jpeg);
    expect(fieldsOf(notBoolean.body)).toEqual(['satisfied']);
    // Over its length, a field is named by the check, not cut short by multer.
    const long = await signedForm(
      id,
      { formKind: 'evaluation', signedAt: now, comments: '水'.repeat(5001) },
      files.jpeg,
    );
    expect(fieldsOf(long.body)).toEqual(['comments']);
    expect(await stored(id)).toEqual({ attachments: [], events: [] });

    await signedForm(id, { formKind: 'evaluation', signedAt: now, satisfied: 'true' }, files.jpeg).expect(201);
    expect((await stored(id)).events.map((e) => e.details.satisfied)).toEqual([true]);
  });
});
