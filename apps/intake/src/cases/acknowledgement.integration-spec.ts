import type { INestApplication } from '@nestjs/common';
import { notificationVariables } from '@kefu/shared';
import { createTestDatabase, startTestApp, testConfig, type TestDatabase } from '@kefu/shared/testing';
import { intakeApp } from '../intake.app';
import { CaseIntakeService } from './case-intake.service';
import type { NewCaseInput } from './case-intake.types';

describe("the reporter's acknowledgement (受理回执)", () => {
  let db: TestDatabase;
  let app: INestApplication;
  beforeAll(async () => {
    db = await createTestDatabase();
    app = await startTestApp(intakeApp, testConfig({ DATABASE_URL: db.url }));
  });
  afterAll(async () => {
    await app.close();
    await db.drop();
  });

  const create = (o: Partial<NewCaseInput>) =>
    app.get(CaseIntakeService).create({
      channel: 'hotline',
      source: 'test',
      externalId: `ack-${Math.random()}`,
      raw: {},
      receivedAt: new Date(),
      reporter: {},
      description: '厨房下水道堵塞',
      actor: { kind: 'system', label: 'test' },
      ...o,
    });
  const acks = (caseId: string) =>
    db.dataSource.query<
      Array<{ id: string; channel: string; recipient_type: string; variables: Record<string, unknown>; status: string }>
    >(
      `SELECT id, channel, recipient_type, variables, status FROM notifications WHERE case_id = $1 AND kind = 'case_acknowledgement'`,
      [caseId],
    );

  it('asks the notifier for one SMS with the case number and promised reply date, queued through the outbox with the case', async () => {
    const { caseRow } = await create({ reporter: { name: '李女士', contact: '13912345678', phones: ['13912345678'] } });
    const [ack, ...more] = await acks(caseRow.id);
    expect(more).toEqual([]);
    expect(ack).toMatchObject({
      channel: 'sms',
      recipient_type: 'case_reporter',
      status: 'pending',
      variables: { caseNumber: caseRow.number },
    });
    // The notifier's template contract holds for what intake wrote.
    expect(notificationVariables.case_acknowledgement.safeParse(ack!.variables).success).toBe(true);
    expect(new Date(ack!.variables.promisedReplyAt as string).getTime()).toBe(caseRow.promisedReplyAt!.getTime());
    const jobs = await db.dataSource.query(
      `SELECT job_name FROM outbox WHERE payload->>'notificationId' = $1 OR payload->>'caseId' = $2 ORDER BY job_name`,
      [ack!.id, caseRow.id],
    );
    expect(jobs).toEqual([{ job_name: 'case-received' }, { job_name: 'notification-requested' }]);
  });

  it('answers an email by email, and tells nobody when there is nobody to tell', async () => {
    const mail = await create({ channel: 'email', reporter: { email: 'owner@example.com', contact: '13912345679' } });
    expect((await acks(mail.caseRow.id)).map((a) => a.channel)).toEqual(['email']);
    const anonymous = await create({ channel: 'suggestion_box', reporter: {} });
    expect(await acks(anonymous.caseRow.id)).toEqual([]);
  });

  it('writes nothing twice when the same item arrives again', async () => {
    const input = { externalId: 'ack-same', reporter: { contact: '13912340000', phones: ['13912340000'] } };
    const first = await create(input);
    const second = await create(input);
    expect(second.created).toBe(false);
    expect(second.caseRow.id).toBe(first.caseRow.id);
    expect(await acks(first.caseRow.id)).toHaveLength(1);
    expect(
      await db.dataSource.query(
        `SELECT count(*)::int AS n FROM intake_records WHERE source = 'test' AND external_id = 'ack-same'`,
      ),
    ).toEqual([{ n: 1 }]);
  });
});
