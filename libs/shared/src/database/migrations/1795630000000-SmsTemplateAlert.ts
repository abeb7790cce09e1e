import type { MigrationInterface, QueryRunner } from 'typeorm';

const KINDS_BEFORE = `'case_acknowledgement', 'case_reply', 'staff_reminder', 'escalation', 'staff_digest', 'warranty_expiry', 'certificate_collection', 'return_visit_request', 'survey_invitation', 'visit_due', 'estate_notice', 'estate_update', 'case_writeup_shared'`;
const KINDS_AFTER = `${KINDS_BEFORE}, 'sms_template_refused'`;

/** The `sms_template_refused` kind: administrators told when a domestic SMS provider refuses a template (issue 19). */
export class SmsTemplateAlert1795630000000 implements MigrationInterface {
  name = 'SmsTemplateAlert1795630000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "notifications" DROP CONSTRAINT "ck_notifications_kind"`);
    await queryRunner.query(
      `ALTER TABLE "notifications" ADD CONSTRAINT "ck_notifications_kind" CHECK ("kind" IN (${KINDS_AFTER}))`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DELETE FROM "notifications" WHERE "kind" = 'sms_template_refused'`);
    await queryRunner.query(`ALTER TABLE "notifications" DROP CONSTRAINT "ck_notifications_kind"`);
    await queryRunner.query(
      `ALTER TABLE "notifications" ADD CONSTRAINT "ck_notifications_kind" CHECK ("kind" IN (${KINDS_BEFORE}))`,
    );
  }
}
