import type { MigrationInterface, QueryRunner } from 'typeorm';

export class EstateNotices1795590000000 implements MigrationInterface {
  name = 'EstateNotices1795590000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "notices" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "project_id" uuid NOT NULL, "kind" character varying(30) NOT NULL, "title" character varying(100) NOT NULL, "body" text NOT NULL, "audience" jsonb NOT NULL DEFAULT '{}', "status" character varying(12) NOT NULL DEFAULT 'draft', "created_by_id" uuid, "recipients" integer NOT NULL DEFAULT '0', "excluded" integer NOT NULL DEFAULT '0', "queued_through" integer NOT NULL DEFAULT '0', "send_round" integer NOT NULL DEFAULT '0', "sent_at" TIMESTAMP WITH TIME ZONE, "sent_by_id" uuid, "queued_at" TIMESTAMP WITH TIME ZONE, "finished_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_notices_status" CHECK ("status" IN ('draft', 'sending', 'paused', 'cancelled', 'done')), CONSTRAINT "ck_notices_kind" CHECK ("kind" IN ('handover', 'construction_progress', 'safety_alert', 'holiday_greeting', 'official')), CONSTRAINT "PK_3eb18c29da25d6935fcbe584237" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_notices_sending" ON "notices" ("status") WHERE "status" = 'sending'`);
    await queryRunner.query(`CREATE INDEX "ix_notices_project" ON "notices" ("project_id", "created_at") `);
    await queryRunner.query(
      `CREATE TABLE "notice_recipients" ("notice_id" uuid NOT NULL, "owner_id" uuid NOT NULL, "unit_id" uuid NOT NULL, "seq" integer NOT NULL, "excluded" character varying(20), CONSTRAINT "ck_notice_recipients_excluded" CHECK ("excluded" IS NULL OR "excluded" IN ('erased', 'no_contact', 'opted_out')), CONSTRAINT "PK_8ad716dbd616a229d7014a2eace" PRIMARY KEY ("notice_id", "owner_id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_notice_recipients_seq" ON "notice_recipients" ("notice_id", "seq") `,
    );
    await queryRunner.query(`ALTER TABLE "owners" ADD "marketing_opt_out" boolean NOT NULL DEFAULT false`);
    await queryRunner.query(
      `CREATE INDEX "ix_notifications_notice_status" ON "notifications" ("source_id", "status") WHERE "source_type" = 'notice'`,
    );
    await queryRunner.query(
      `ALTER TABLE "notices" ADD CONSTRAINT "fk_notices_project" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "notices" ADD CONSTRAINT "fk_notices_created_by" FOREIGN KEY ("created_by_id") REFERENCES "staff"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "notices" ADD CONSTRAINT "fk_notices_sent_by" FOREIGN KEY ("sent_by_id") REFERENCES "staff"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "notice_recipients" ADD CONSTRAINT "fk_notice_recipients_notice" FOREIGN KEY ("notice_id") REFERENCES "notices"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "notice_recipients" ADD CONSTRAINT "fk_notice_recipients_owner" FOREIGN KEY ("owner_id") REFERENCES "owners"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "notice_recipients" ADD CONSTRAINT "fk_notice_recipients_unit" FOREIGN KEY ("unit_id") REFERENCES "units"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    // Two notification kinds for estate-wide notices (migration generators do not see CHECK changes).
    await queryRunner.query(`ALTER TABLE "notifications" DROP CONSTRAINT "ck_notifications_kind"`);
    await queryRunner.query(
      `ALTER TABLE "notifications" ADD CONSTRAINT "ck_notifications_kind" CHECK ("kind" IN ('case_acknowledgement', 'case_reply', 'staff_reminder', 'escalation', 'staff_digest', 'warranty_expiry', 'certificate_collection', 'return_visit_request', 'survey_invitation', 'visit_due', 'estate_notice', 'estate_update'))`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "notifications" DROP CONSTRAINT "ck_notifications_kind"`);
    await queryRunner.query(
      `ALTER TABLE "notifications" ADD CONSTRAINT "ck_notifications_kind" CHECK ("kind" IN ('case_acknowledgement', 'case_reply', 'staff_reminder', 'escalation', 'staff_digest', 'warranty_expiry', 'certificate_collection', 'return_visit_request', 'survey_invitation', 'visit_due'))`,
    );
    await queryRunner.query(`ALTER TABLE "notice_recipients" DROP CONSTRAINT "fk_notice_recipients_unit"`);
    await queryRunner.query(`ALTER TABLE "notice_recipients" DROP CONSTRAINT "fk_notice_recipients_owner"`);
    await queryRunner.query(`ALTER TABLE "notice_recipients" DROP CONSTRAINT "fk_notice_recipients_notice"`);
    await queryRunner.query(`ALTER TABLE "notices" DROP CONSTRAINT "fk_notices_sent_by"`);
    await queryRunner.query(`ALTER TABLE "notices" DROP CONSTRAINT "fk_notices_created_by"`);
    await queryRunner.query(`ALTER TABLE "notices" DROP CONSTRAINT "fk_notices_project"`);
    await queryRunner.query(`DROP INDEX "public"."ix_notifications_notice_status"`);
    await queryRunner.query(`ALTER TABLE "owners" DROP COLUMN "marketing_opt_out"`);
    await queryRunner.query(`DROP INDEX "public"."uq_notice_recipients_seq"`);
    await queryRunner.query(`DROP TABLE "notice_recipients"`);
    await queryRunner.query(`DROP INDEX "public"."ix_notices_project"`);
    await queryRunner.query(`DROP INDEX "public"."ix_notices_sending"`);
    await queryRunner.query(`DROP TABLE "notices"`);
  }
}
