import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The claim's same-text limit (notification_claim: the same text to the same number at most N times in 24 hours)
 * counted a number's messages of the last day through ix_notifications_to_address (to_address, sent_at) and compared
 * each one's md5(body): a cost that grows with the messages the number got that day, paid on every claim, under the
 * number's advisory lock. A staff number that gets thousands of reminders and escalations a day (test:scale's
 * simulated week: 13,000 to one duty manager) made every claim for it take ~200 ms, one at a time: sends to it fell
 * to a few a second. This index finds the same text to the same number directly (0.4 ms at that size).
 */
export class NotificationSameTextIndex1795650000000 implements MigrationInterface {
  name = 'NotificationSameTextIndex1795650000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX "ix_notifications_sms_same_text" ON "notifications" ("to_address", md5("body"), "sent_at") WHERE "channel" = 'sms' AND "to_address" IS NOT NULL`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."ix_notifications_sms_same_text"`);
  }
}
