import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Domestic SMS (issue 19): the provider each SMS attempt went through, so receipts and reconciliation find it. */
export class SmsRoute1795600000000 implements MigrationInterface {
  name = 'SmsRoute1795600000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "notifications" ADD "sms_route" character varying(10)`);
    await queryRunner.query(
      `ALTER TABLE "notifications" ADD CONSTRAINT "ck_notifications_sms_route" CHECK ("sms_route" IS NULL OR "sms_route" IN ('twilio', 'aliyun', 'tencent'))`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "notifications" DROP CONSTRAINT "ck_notifications_sms_route"`);
    await queryRunner.query(`ALTER TABLE "notifications" DROP COLUMN "sms_route"`);
  }
}
