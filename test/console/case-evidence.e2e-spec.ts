import request from 'supertest';
import { factories, tokenFor } from '@kefu/shared/testing';
import { startConsoleStack, type ConsoleStack } from './stack';

/** A real 4×3 PNG, so the thumbnail has pixels to decode. */
const png = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAQAAAADCAIAAAA7ljmRAAAAEElEQVR4nGM4EaABRww4OQAsNg8BoqhHXQAAAABJRU5ErkJggg==',
  'base64',
);
const amr = Buffer.concat([Buffer.from('#!AMR\n'), Buffer.alloc(200, 0x3c)]);

/** Evidence staff added and a form the owner signed, as the case page shows them (in words, both languages). */
describe('case evidence in the console', () => {
  let stack: ConsoleStack;

  beforeAll(async () => {
    stack = await startConsoleStack();
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('shows evidence and signed forms on the timeline, with what they are and who added them', async () => {
    const c = await factories.createCase(stack.db.dataSource, { type: 'complaint', description: '卫生间顶棚渗水' });
    const rep = await stack.staff('cs_rep', { name: '客服 陈敏' });
    const token = await tokenFor(stack.intake, 'cs_rep', '客服 李强');
    const http = () => request(stack.intake.getHttpServer());
    const photo = await http()
      .post(`/api/v1/cases/${c.id}/evidence`)
      .set('Authorization', `Bearer ${token}`)
      .field('kind', 'photo')
      .field('caption', '顶棚渗水处特写')
      .attach('file', png, { filename: '顶棚.png', contentType: 'image/png' })
      .expect(201);
    await http()
      .post(`/api/v1/cases/${c.id}/evidence`)
      .set('Authorization', `Bearer ${token}`)
      .field('kind', 'recording')
      .field('caption', '与业主通话录音')
      .attach('file', amr, { filename: '通话.amr', contentType: 'audio/amr' })
      .expect(201);
    await http()
      .post(`/api/v1/cases/${c.id}/signed-forms`)
      .set('Authorization', `Bearer ${token}`)
      .field('formKind', 'evaluation')
      .field('signedAt', new Date(Date.now() - 600_000).toISOString())
      .field('satisfied', 'false')
      .field('comments', '维修后仍有水迹')
      .attach('photo', png, { filename: '评价表.png', contentType: 'image/png' })
      .expect(201);

    const { page, context } = await stack.loggedIn(rep);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`/console#/cases/${c.id}`);
    await page.getByRole('heading', { name: `案件 ${c.number}` }).waitFor();
    const timeline = page.locator('.case-timeline');
    const added = page.locator('.case-tl-event', { hasText: '顶棚渗水处特写' });
    await expect(added.innerText()).resolves.toMatch(/添加证据[\s\S]*客服 李强[\s\S]*证据说明/);
    const signed = await page.locator('.case-tl-event', { hasText: '客户签字表单' }).innerText();
    expect(signed).toContain('客户评价（客户签字）');
    expect(signed).toContain('不满意');
    expect(signed).toContain('维修后仍有水迹');
    const text = await timeline.innerText();
    for (const words of ['证据照片', '证据录音', '签字表单照片', '顶棚.png', '通话.amr', '评价表.png'])
      expect(text).toContain(words);
    // The evidence photo is fetched with the token and decoded for real.
    const id = photo.body.attachmentId as string;
    await page.waitForFunction(
      `(() => { const img = document.querySelector('img[data-thumb="${id}"]'); return !!img && img.complete && img.naturalWidth > 0; })()`,
      undefined,
      { timeout: 10_000 },
    );
    await stack.screenshot(page, 'case-evidence');

    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('heading', { name: `Case ${c.number}` }).waitFor();
    const en = await timeline.innerText();
    for (const words of [
      'Evidence added',
      'What it shows',
      'Form signed by the customer',
      'Customer evaluation (signed)',
    ])
      expect(en).toContain(words);
    for (const words of ['Evidence photo', 'Evidence recording', 'Photo of a signed form']) expect(en).toContain(words);
    expect(errors).toEqual([]);
    await context.close();
  });
});
