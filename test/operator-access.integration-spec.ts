import { createHash } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { AttachmentEntity } from '@kefu/shared';
import {
  createTestDatabase,
  factories,
  startTestApp,
  testConfig,
  tokenFor,
  type TestDatabase,
} from '@kefu/shared/testing';
import { intakeApp } from '../apps/intake/src/intake.app';

/**
 * Issue 16 (11): hotline operators see the contact details and attachments of the phone cases of the last 30 days
 * (the calls they take, the callbacks they owe), not of every case: others are masked, their attachments refused.
 */
describe('what an operator sees of a case', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let operator: string;
  let rep: string;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await startTestApp(intakeApp, testConfig({ DATABASE_URL: db.url }));
    [operator, rep] = await Promise.all([tokenFor(app, 'operator'), tokenFor(app, 'cs_rep')]);
  });
  afterAll(async () => {
    await app.close();
    await db.drop();
  });

  const withPhoto = async (o: Parameters<typeof factories.createCase>[1]) => {
    const c = await factories.createCase(db.dataSource, {
      reporterName: '王先生',
      reporterContact: '王先生 13812345678 wang@example.com',
      description: '联系电话 13812345678，卫生间漏水',
      ...o,
    });
    const data = Buffer.from('photo');
    const a = await db.dataSource.getRepository(AttachmentEntity).save({
      caseId: c.id,
      filename: '漏水.jpg',
      contentType: 'image/jpeg',
      size: data.length,
      sha256: createHash('sha256').update(data).digest('hex'),
      data,
    });
    return { id: c.id, attachmentId: a.id };
  };

  it("masks a mail case's contacts and refuses its attachments to an operator; a rep sees them", async () => {
    const c = await withPhoto({ channel: 'email' });
    const seen = await http().get(`/api/v1/cases/${c.id}`).set('Authorization', `Bearer ${operator}`).expect(200);
    expect(seen.body.case).toMatchObject({ contactsHidden: true, reporterName: '王先生' });
    expect(JSON.stringify(seen.body)).not.toMatch(/13812345678|wang@example\.com/);
    expect(seen.body.attachments).toEqual([]);
    const download = await http()
      .get(`/api/v1/cases/${c.id}/attachments/${c.attachmentId}`)
      .set('Authorization', `Bearer ${operator}`)
      .expect(403);
    expect(download.body.error.message).toMatch(/phone cases of the last 30 days/);

    const asRep = await http().get(`/api/v1/cases/${c.id}`).set('Authorization', `Bearer ${rep}`).expect(200);
    expect(asRep.body.case).toMatchObject({
      contactsHidden: false,
      reporterContact: '王先生 13812345678 wang@example.com',
    });
    await http()
      .get(`/api/v1/cases/${c.id}/attachments/${c.attachmentId}`)
      .set('Authorization', `Bearer ${rep}`)
      .expect(200);
  });

  it('shows an operator the whole of a recent phone case, and masks an old one', async () => {
    const recent = await withPhoto({ channel: 'hotline' });
    const seen = await http().get(`/api/v1/cases/${recent.id}`).set('Authorization', `Bearer ${operator}`).expect(200);
    expect(seen.body.case).toMatchObject({
      contactsHidden: false,
      reporterContact: '王先生 13812345678 wang@example.com',
    });
    await http()
      .get(`/api/v1/cases/${recent.id}/attachments/${recent.attachmentId}`)
      .set('Authorization', `Bearer ${operator}`)
      .expect(200);
    const old = await withPhoto({ channel: 'hotline', receivedAt: new Date(Date.now() - 31 * 86_400_000) });
    const masked = await http().get(`/api/v1/cases/${old.id}`).set('Authorization', `Bearer ${operator}`).expect(200);
    expect(masked.body.case.contactsHidden).toBe(true);
    expect(JSON.stringify(masked.body)).not.toMatch(/13812345678/);
  });
});
