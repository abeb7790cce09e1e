import type { MigrationInterface, QueryRunner } from 'typeorm';

export class IntakeChannels1795437785544 implements MigrationInterface {
  name = 'IntakeChannels1795437785544';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "attachments" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "case_id" uuid, "intake_record_id" uuid, "role" character varying(20) NOT NULL DEFAULT 'attachment', "filename" character varying(255) NOT NULL, "content_type" character varying(150) NOT NULL, "size" integer NOT NULL, "sha256" character varying(64) NOT NULL, "content_id" character varying(300), "page_count" integer, "extracted_text" text, "data" bytea NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_attachments_size" CHECK ("size" >= 0), CONSTRAINT "ck_attachments_role" CHECK ("role" IN ('attachment', 'inline', 'fax_document', 'photo', 'slip_photo')), CONSTRAINT "PK_5e1f050bcff31e3084a1d662412" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_attachments_intake_record" ON "attachments" ("intake_record_id") `);
    await queryRunner.query(`CREATE INDEX "ix_attachments_case" ON "attachments" ("case_id") `);
    await queryRunner.query(
      `CREATE TABLE "mailbox_cursors" ("mailbox" character varying(100) NOT NULL, "folder" character varying(200) NOT NULL, "uid_validity" bigint NOT NULL, "last_uid" bigint NOT NULL DEFAULT '0', "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_8f9f92a52d97babd05d1599c264" PRIMARY KEY ("mailbox"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "sent_messages" ("message_id" character varying(500) NOT NULL, "case_id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_5d18eda1843872d603294c2fb4b" PRIMARY KEY ("message_id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_sent_messages_case" ON "sent_messages" ("case_id") `);
    await queryRunner.query(
      `CREATE TABLE "suggestion_boxes" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "project_id" uuid NOT NULL, "location" character varying(200) NOT NULL, "active" boolean NOT NULL DEFAULT true, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "uq_suggestion_boxes_location" UNIQUE ("project_id", "location"), CONSTRAINT "PK_76f487aa247d57a9c3b40b9b9ca" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "box_collections" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "box_id" uuid NOT NULL, "collected_at" TIMESTAMP WITH TIME ZONE NOT NULL, "collector_id" uuid NOT NULL, "slip_count" integer NOT NULL DEFAULT '0', "note" character varying(500), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "uq_box_collections_box_time" UNIQUE ("box_id", "collected_at"), CONSTRAINT "PK_708a7eb59556edb619656e3978b" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "used_challenges" ("challenge_id" character varying(64) NOT NULL, "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_283bca40de5219ce246bd99d0b8" PRIMARY KEY ("challenge_id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_used_challenges_expires" ON "used_challenges" ("expires_at") `);
    await queryRunner.query(`ALTER TABLE "intake_records" ADD "raw_bytes" bytea`);
    await queryRunner.query(`ALTER TABLE "intake_records" ADD "message_id" character varying(500)`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_intake_records_message" ON "intake_records" ("message_id", "content_hash") WHERE "message_id" IS NOT NULL`,
    );
    await queryRunner.query(
      `ALTER TABLE "attachments" ADD CONSTRAINT "fk_attachments_case" FOREIGN KEY ("case_id") REFERENCES "cases"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "attachments" ADD CONSTRAINT "fk_attachments_intake_record" FOREIGN KEY ("intake_record_id") REFERENCES "intake_records"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "sent_messages" ADD CONSTRAINT "fk_sent_messages_case" FOREIGN KEY ("case_id") REFERENCES "cases"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "suggestion_boxes" ADD CONSTRAINT "fk_suggestion_boxes_project" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "box_collections" ADD CONSTRAINT "fk_box_collections_box" FOREIGN KEY ("box_id") REFERENCES "suggestion_boxes"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "box_collections" ADD CONSTRAINT "fk_box_collections_collector" FOREIGN KEY ("collector_id") REFERENCES "staff"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "box_collections" DROP CONSTRAINT "fk_box_collections_collector"`);
    await queryRunner.query(`ALTER TABLE "box_collections" DROP CONSTRAINT "fk_box_collections_box"`);
    await queryRunner.query(`ALTER TABLE "suggestion_boxes" DROP CONSTRAINT "fk_suggestion_boxes_project"`);
    await queryRunner.query(`ALTER TABLE "sent_messages" DROP CONSTRAINT "fk_sent_messages_case"`);
    await queryRunner.query(`ALTER TABLE "attachments" DROP CONSTRAINT "fk_attachments_intake_record"`);
    await queryRunner.query(`ALTER TABLE "attachments" DROP CONSTRAINT "fk_attachments_case"`);
    await queryRunner.query(`DROP INDEX "public"."uq_intake_records_message"`);
    await queryRunner.query(`ALTER TABLE "intake_records" DROP COLUMN "message_id"`);
    await queryRunner.query(`ALTER TABLE "intake_records" DROP COLUMN "raw_bytes"`);
    await queryRunner.query(`DROP INDEX "public"."ix_used_challenges_expires"`);
    await queryRunner.query(`DROP TABLE "used_challenges"`);
    await queryRunner.query(`DROP TABLE "box_collections"`);
    await queryRunner.query(`DROP TABLE "suggestion_boxes"`);
    await queryRunner.query(`DROP INDEX "public"."ix_sent_messages_case"`);
    await queryRunner.query(`DROP TABLE "sent_messages"`);
    await queryRunner.query(`DROP TABLE "mailbox_cursors"`);
    await queryRunner.query(`DROP INDEX "public"."ix_attachments_case"`);
    await queryRunner.query(`DROP INDEX "public"."ix_attachments_intake_record"`);
    await queryRunner.query(`DROP TABLE "attachments"`);
  }
}
