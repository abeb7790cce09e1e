import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { AttachmentEntity, CaseEntity, IntakeRecordEntity } from '@kefu/shared';
import { createTestDatabase, factories, startTestApp, testConfig, type TestDatabase } from '@kefu/shared/testing';
import { formatPromise } from '../hotline/read-back';
import { intakeApp } from '../intake.app';
import { PowChallenges } from './pow.service';
import { images, inputValue, solve, unsolved } from './testing/fixtures';

const BITS = 8;

describe('web form', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let projectId: string;
  let unitId: string;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await startTestApp(
      intakeApp,
      testConfig({ DATABASE_URL: db.url, WEB_FORM_POW_BITS: String(BITS), WEB_FORM_MAX_PER_IP_PER_HOUR: '10000' }),
    );
    const project = await factories.createProject(db.dataSource, { code: 'BHYT01', name: '碧海云天' });
    projectId = project.id;
    await factories.createProject(db.dataSource, { name: '翠湖山庄' });
    const building = await factories.createBuilding(db.dataSource, { projectId, name: '3栋' });
    unitId = (await factories.createUnit(db.dataSource, { buildingId: building.id, entrance: '2', room: '1502' })).id;
  });
  afterAll(async () => {
    await app.close();
    await db.drop();
  });

  /** A fresh form: its challenge and the nonce pow.js would put in. */
  const freshForm = async () => {
    const page = (await http().get('/complaint').expect(200)).text;
    const challenge = inputValue(page, 'challenge');
    return { page, challenge, nonce: solve(challenge, BITS) };
  };
  const fields = (over: Record<string, string> = {}) => ({
    name: '王先生',
    mobile: '+86 138-1234-5678',
    email: '',
    projectId,
    unitText: '3栋2单元1502',
    type: 'repair',
    description: '卫生间天花板漏水，已经一周了',
    website: '',
    ...over,
  });
  /** Posts like a browser: multipart/form-data, photos as files. */
  const postForm = (values: Record<string, string>, photos: Array<[Buffer, string]> = []) => {
    let req = http().post('/complaint');
    for (const [k, v] of Object.entries(values)) req = req.field(k, v);
    for (const [buf, name] of photos) req = req.attach('photos', buf, name);
    return req;
  };
  const apiChallenge = async () => {
    const c = (await http().get('/api/v1/web-complaints/challenge').expect(200)).body as {
      challenge: string;
      bits: number;
    };
    expect(c.bits).toBe(BITS);
    return { challenge: c.challenge, nonce: solve(c.challenge, BITS) };
  };
  const casesWith = (description: string) => db.dataSource.getRepository(CaseEntity).countBy({ description });

  it('serves a Chinese, accessible form with nothing from another origin', async () => {
    const res = await http()
      .get('/complaint')
      .expect(200)
      .expect('Content-Type', /text\/html; charset=utf-8/);
    const page = res.text;
    expect(page).toContain('<html lang="zh-CN">');
    expect(page).toMatch(/<form id="complaint-form" method="post" action="\/complaint" enctype="multipart\/form-data"/);
    for (const [id, label] of [
      ['name', '姓名'],
      ['mobile', '手机号'],
      ['email', '电子邮箱'],
      ['projectId', '小区'],
      ['unitText', '楼栋单元房号'],
      ['description', '问题描述'],
      ['photos', '照片'],
    ]) {
      expect(page).toMatch(new RegExp(`<label for="f-${id}">${label}`));
      expect(page).toMatch(new RegExp(`id="f-${id}"`));
    }
    expect(page).toContain('<legend>问题类型</legend>');
    expect(page).toMatch(/<option value="[0-9a-f-]{36}">碧海云天<\/option>/);
    expect(page).toContain(':focus-visible');
    expect(page).toMatch(/<script src="\/complaint\/pow.js" defer><\/script>/);
    expect(page).not.toMatch(/https?:\/\//);
    expect(page).not.toMatch(/(?:src|href|action)="\/\//);
    expect(page).not.toMatch(/@import|url\(/);
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    const script = await http()
      .get('/complaint/pow.js')
      .expect(200)
      .expect('Content-Type', /javascript/);
    expect(script.text).toContain("crypto.subtle.digest('SHA-256'");
    expect(script.text).not.toMatch(/https?:\/\//);
  });

  it('shows the form again with a Chinese message next to each bad field, the values kept', async () => {
    const { challenge, nonce } = await freshForm();
    const res = await postForm(
      fields({
        name: '',
        mobile: '12345',
        email: 'wang@',
        description: '漏水',
        unitText: '3栋2单元1502',
        challenge,
        nonce,
      }),
    ).expect(400);
    const page = res.text;
    expect(page).toContain('role="alert"');
    expect(page).toContain('提交未成功，请修改以下4处');
    expect(page).toMatch(/<p class="error" id="f-name-error">请填写姓名<\/p>/);
    expect(page).toMatch(/<p class="error" id="f-mobile-error">请填写正确的中国大陆手机号/);
    expect(page).toMatch(/<p class="error" id="f-email-error">电子邮箱格式不正确/);
    expect(page).toMatch(/<p class="error" id="f-description-error">问题描述至少5个字/);
    expect(page).toMatch(
      /id="f-mobile" name="mobile" value="12345" required aria-invalid="true" aria-describedby="f-mobile-hint f-mobile-error"/,
    );
    expect(page).toContain('value="3栋2单元1502"');
    expect(page).toMatch(/<textarea[^>]*>漏水<\/textarea>/);
    expect(page).toMatch(new RegExp(`<option value="${projectId}" selected>`));
    expect(page).toMatch(/value="repair" checked/);
    // Same submission key and the work already done: nothing to redo.
    expect(inputValue(page, 'challenge')).toBe(challenge);
    expect(inputValue(page, 'nonce')).toBe(nonce);
    expect(await db.dataSource.getRepository(IntakeRecordEntity).countBy({ source: 'web' })).toBe(0);
  });

  it('answers a good submission with the case number and the promised reply date, and keeps it as received', async () => {
    const { challenge, nonce } = await freshForm();
    const res = await postForm(fields({ challenge, nonce, email: 'Wang@Example.com' })).expect(200);
    const c = await db.dataSource
      .getRepository(CaseEntity)
      .findOneByOrFail({ description: '卫生间天花板漏水，已经一周了' });
    expect(c).toMatchObject({
      channel: 'web',
      type: 'repair',
      projectId,
      unitId,
      reporterName: '王先生',
      reporterContact: '+86 138-1234-5678',
      reporterPhone: '13812345678',
      reporterEmail: 'wang@example.com',
    });
    expect(c.number).toMatch(/^BHYT01-\d{4}-\d{5}$/);
    expect(res.text).toContain(`您的编号：<strong>${c.number}</strong>`);
    expect(res.text).toContain(
      `我们会在<strong>${formatPromise(c.promisedReplyAt!, 'Asia/Shanghai')}</strong>前答复您`,
    );
    expect(res.text).toMatch(/\d{1,2}月\d{1,2}日（星期.）\d\d:\d\d/);

    const rec = await db.dataSource.getRepository(IntakeRecordEntity).findOneByOrFail({ caseId: c.id });
    expect(rec).toMatchObject({
      channel: 'web',
      source: 'web',
      externalId: challenge.split('.')[1],
      outcome: 'case_created',
    });
    expect(rec.raw).toMatchObject({
      name: '王先生',
      mobile: '+86 138-1234-5678',
      unitText: '3栋2单元1502',
      challenge,
      nonce,
      photos: [],
      client: { pow: 'solved', via: 'form', ipHash: expect.stringMatching(/^[0-9a-f]{32}$/) },
    });
    expect(JSON.stringify(rec.raw)).not.toMatch(/127\.0\.0\.1|::1/);
  });

  it('takes the same as JSON, and refuses bad JSON naming each field in Chinese', async () => {
    const bad = await http()
      .post('/api/v1/web-complaints')
      .send({ mobile: '0755-83345678', type: 'claim' })
      .expect(400);
    const problems = bad.body.error.details.fields as Array<{ field: string; message: string }>;
    expect(problems.map((f) => f.field)).toEqual([
      'name',
      'mobile',
      'projectId',
      'unitText',
      'type',
      'description',
      'challenge',
    ]);
    for (const p of problems) expect(p.message).toMatch(/[\u4e00-\u9fff]/);
    expect(bad.body.error.message).toMatch(/^提交未成功，请检查：姓名、手机号/);

    const { challenge, nonce } = await apiChallenge();
    const ok = await http()
      .post('/api/v1/web-complaints')
      .send({
        ...fields({ description: '小区南门路灯不亮，晚上很黑' }),
        type: 'complaint',
        challenge,
        nonce: Number(nonce),
      })
      .expect(201);
    expect(ok.body.case).toEqual({ number: expect.stringMatching(/^BHYT01-/), promisedReplyAt: expect.any(String) });
    expect(ok.body.message).toBe(
      `已收到您的投诉，编号 ${ok.body.case.number}。我们会在${formatPromise(new Date(ok.body.case.promisedReplyAt), 'Asia/Shanghai')}前答复您。`,
    );
  });

  it('keeps honeypot spam in quarantine, makes no case and answers neutrally', async () => {
    const { challenge, nonce } = await freshForm();
    const res = await postForm(
      fields({ description: '便宜发票 代开 http://spam.example', website: 'http://spam.example', challenge, nonce }),
    ).expect(200);
    expect(res.text).toContain('感谢您的反馈，我们已收到');
    expect(res.text).not.toContain('编号');
    expect(await casesWith('便宜发票 代开 http://spam.example')).toBe(0);
    const rows = await db.dataSource.query(
      `SELECT outcome, outcome_reason, case_id, raw->>'description' AS d FROM intake_records WHERE raw->>'website' = 'http://spam.example'`,
    );
    expect(rows).toEqual([
      {
        outcome: 'quarantined',
        outcome_reason: 'spam: honeypot',
        case_id: null,
        d: '便宜发票 代开 http://spam.example',
      },
    ]);
    const api = await http()
      .post('/api/v1/web-complaints')
      .send(fields({ website: 'x', challenge, nonce }))
      .expect(202);
    expect(api.body).toEqual({ case: null, message: '感谢您的反馈，我们已收到。' });
  });

  it('lets a solved challenge work once: the same submission again gets the same case, a different one is refused', async () => {
    const { challenge, nonce } = await apiChallenge();
    const body = { ...fields({ description: '地下车库积水严重' }), challenge, nonce };
    const first = await http().post('/api/v1/web-complaints').send(body).expect(201);
    const again = await http().post('/api/v1/web-complaints').send(body).expect(200);
    expect(again.body.case.number).toBe(first.body.case.number);
    const reuse = await http()
      .post('/api/v1/web-complaints')
      .send({ ...body, description: '另一个问题：电梯坏了' })
      .expect(409);
    expect(reuse.body.error.details.fields).toEqual([
      { field: 'challenge', message: expect.stringContaining('已经提交过') },
    ]);
    expect(await casesWith('地下车库积水严重')).toBe(1);
    expect(await casesWith('另一个问题：电梯坏了')).toBe(0);
    // The challenge id is the record's key: one record, holding the first submission's fingerprint.
    expect(
      await db.dataSource.query(
        `SELECT count(*)::int AS n FROM intake_records WHERE source = 'web' AND external_id = $1`,
        [challenge.split('.')[1]],
      ),
    ).toEqual([{ n: 1 }]);
  });

  it('refuses a forged, an expired and an unsolved challenge', async () => {
    const send = (challenge: string, nonce: string, description: string) =>
      http()
        .post('/api/v1/web-complaints')
        .send({ ...fields({ description }), challenge, nonce });
    const { challenge, nonce } = await apiChallenge();
    const forged = challenge.replace(/\.(\d+)\.8\./, (_m, exp: string) => `.${Number(exp) + 86_400}.8.`);
    expect((await send(forged, solve(forged, BITS), '伪造的验证').expect(400)).body.error.details.fields).toEqual([
      { field: 'challenge', message: '安全验证信息无效，请重新提交' },
    ]);
    const lowered = challenge.replace('.8.', '.0.');
    expect((await send(lowered, '0', '降低难度的验证').expect(400)).body.error.details.fields[0].field).toBe(
      'challenge',
    );

    const old = app.get(PowChallenges).issue(new Date(Date.now() - 3 * 3600_000));
    expect(
      (await send(old.challenge, solve(old.challenge, BITS), '过期的验证').expect(400)).body.error.details.fields,
    ).toEqual([{ field: 'challenge', message: '页面已过期，请重新提交' }]);

    expect(
      (await send(challenge, unsolved(challenge, BITS), '没有完成验证').expect(400)).body.error.details.fields,
    ).toEqual([{ field: 'nonce', message: '安全验证未通过，请重新提交' }]);
    expect((await send(challenge, '', '没有完成验证').expect(400)).body.error.details.fields[0]).toMatchObject({
      field: 'nonce',
      message: expect.stringContaining('请先完成安全验证'),
    });
    const html = await postForm(
      fields({ description: '没有完成验证', challenge, nonce: unsolved(challenge, BITS) }),
    ).expect(400);
    expect(html.text).toContain('安全验证未通过，请重新提交');
    for (const d of ['伪造的验证', '降低难度的验证', '过期的验证', '没有完成验证']) expect(await casesWith(d)).toBe(0);
    // The challenge was not spent by the refusals.
    await send(challenge, nonce, '最后正确提交').expect(201);
  });

  it('takes the form without JavaScript (no proof of work) and marks it so', async () => {
    const { challenge } = await freshForm();
    await postForm(fields({ description: '没有JavaScript的手机提交', challenge, nonce: '' })).expect(200);
    const [rec] = await db.dataSource.query(
      `SELECT raw->'client'->>'pow' AS pow FROM intake_records WHERE raw->>'description' = '没有JavaScript的手机提交'`,
    );
    expect(rec).toEqual({ pow: 'none' });
  });

  it('creates one case when the form is submitted twice at once', async () => {
    const { challenge, nonce } = await freshForm();
    const values = fields({ description: '双击提交按钮：门禁卡失灵', challenge, nonce });
    const [a, b] = await Promise.all([
      postForm(values, [[images.jpeg, 'door.jpg']]),
      postForm(values, [[images.jpeg, 'door.jpg']]),
    ]);
    expect([a.status, b.status]).toEqual([200, 200]);
    const number = /您的编号：<strong>([^<]+)<\/strong>/.exec(a.text)?.[1];
    expect(number).toBeDefined();
    expect(b.text).toContain(`您的编号：<strong>${number}</strong>`);
    expect(await casesWith('双击提交按钮：门禁卡失灵')).toBe(1);
    const c = await db.dataSource
      .getRepository(CaseEntity)
      .findOneByOrFail({ description: '双击提交按钮：门禁卡失灵' });
    expect(await db.dataSource.getRepository(AttachmentEntity).countBy({ caseId: c.id })).toBe(1);
  });

  it('stores up to five photos, sniffed, and refuses a non-image or a sixth photo', async () => {
    let form = await freshForm();
    await postForm(fields({ description: '外墙瓷砖脱落，见照片', challenge: form.challenge, nonce: form.nonce }), [
      [images.jpeg, '外墙.jpg'],
      [images.png, 'IMG_0002.PNG'],
      [images.heic, 'IMG_0003.HEIC'],
    ]).expect(200);
    const c = await db.dataSource.getRepository(CaseEntity).findOneByOrFail({ description: '外墙瓷砖脱落，见照片' });
    const stored = await db.dataSource.getRepository(AttachmentEntity).find({
      where: { caseId: c.id },
      select: ['filename', 'contentType', 'role', 'size', 'sha256', 'data', 'intakeRecordId'],
      order: { filename: 'ASC' },
    });
    expect(stored.map((a) => [a.filename, a.contentType, a.role])).toEqual([
      ['IMG_0002.PNG', 'image/png', 'photo'],
      ['IMG_0003.HEIC', 'image/heic', 'photo'],
      ['外墙.jpg', 'image/jpeg', 'photo'],
    ]);
    expect(stored.find((a) => a.filename === '外墙.jpg')!.data.equals(images.jpeg)).toBe(true);
    const rec = await db.dataSource.getRepository(IntakeRecordEntity).findOneByOrFail({ caseId: c.id });
    expect(stored.every((a) => a.intakeRecordId === rec.id)).toBe(true);
    expect(JSON.stringify(rec.raw)).not.toContain(images.jpeg.toString('base64'));
    expect((rec.raw as { photos: unknown[] }).photos).toHaveLength(3);

    form = await freshForm();
    const notImage = await postForm(
      fields({ description: '附件不是图片的提交', challenge: form.challenge, nonce: form.nonce }),
      [[Buffer.from('<?php system($_GET["c"]); ?>'), 'shell.jpg']],
    ).expect(400);
    expect(notImage.text).toMatch(/<p class="error" id="f-photos-error">「shell.jpg」不是图片/);
    expect(notImage.text).toContain('value="王先生"');
    const six = await postForm(
      fields({ description: '六张照片的提交', challenge: form.challenge, nonce: form.nonce }),
      Array.from({ length: 6 }, (_, i): [Buffer, string] => [images.jpeg, `p${i}.jpg`]),
    ).expect(400);
    expect(six.text).toContain('最多上传5张照片');
    const big = await postForm(
      fields({ description: '超大照片的提交', challenge: form.challenge, nonce: form.nonce }),
      [[Buffer.concat([images.jpeg, Buffer.alloc(10 * 1024 * 1024)]), 'big.jpg']],
    ).expect(400);
    expect(big.text).toContain('每张照片不能超过10MB');
    expect(big.text).toMatch(/<textarea[^>]*>超大照片的提交<\/textarea>/);
    const json = await http()
      .post('/api/v1/web-complaints')
      .send({
        ...fields({ description: 'JSON里的假照片' }),
        ...(await apiChallenge()),
        photos: [{ filename: 'a.png', contentBase64: Buffer.from('GIF89a').toString('base64') }],
      })
      .expect(400);
    expect(json.body.error.details.fields).toEqual([{ field: 'photos', message: expect.stringContaining('不是图片') }]);
    for (const d of ['附件不是图片的提交', '六张照片的提交', '超大照片的提交', 'JSON里的假照片'])
      expect(await casesWith(d)).toBe(0);

    // API clients may send multipart too (photos over the 1 MB JSON limit), or small photos inline in JSON.
    const { challenge, nonce } = await apiChallenge();
    let multipart = http().post('/api/v1/web-complaints');
    for (const [k, v] of Object.entries({ ...fields({ description: 'App提交：阳台玻璃破裂' }), challenge, nonce }))
      multipart = multipart.field(k, v);
    const viaApp = await multipart.attach('photos', images.webp, 'balcony.webp').expect(201);
    const inline = await http()
      .post('/api/v1/web-complaints')
      .send({
        ...fields({ description: '小程序提交：门口地砖松动' }),
        ...(await apiChallenge()),
        photos: [{ filename: 'tile.png', contentBase64: images.png.toString('base64') }],
      })
      .expect(201);
    for (const [res, type] of [
      [viaApp, 'image/webp'],
      [inline, 'image/png'],
    ] as const) {
      const k = await db.dataSource.getRepository(CaseEntity).findOneByOrFail({ number: res.body.case.number });
      expect(
        (await db.dataSource.getRepository(AttachmentEntity).findBy({ caseId: k.id })).map((a) => a.contentType),
      ).toEqual([type]);
    }
  });

  it('stores HTML in a description as text and escapes it on the success page', async () => {
    const evil = '<script>alert("xss")</script><img src=x onerror=alert(1)> 楼道灯坏了';
    const { challenge, nonce } = await freshForm();
    const res = await postForm(fields({ description: evil, challenge, nonce })).expect(200);
    expect(res.text).not.toContain('<script>alert');
    expect(res.text).not.toContain('<img src=x');
    expect(res.text).toContain(
      '&lt;script&gt;alert(&quot;xss&quot;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt; 楼道灯坏了',
    );
    expect(await casesWith(evil)).toBe(1);
  });
});
