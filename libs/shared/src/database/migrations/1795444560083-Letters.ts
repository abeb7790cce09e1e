import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Letters1795444560083 implements MigrationInterface {
  name = 'Letters1795444560083';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "letter_manifests" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "letter_count" integer NOT NULL, "created_by_id" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_6368d8b34290e132392e349f0fe" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "letters" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "notification_id" uuid NOT NULL, "reference" character varying(30) NOT NULL, "recipient_name" character varying(100) NOT NULL, "postal_address" character varying(300) NOT NULL, "postcode" character varying(6), "phone" character varying(30), "pdf" bytea NOT NULL, "pdf_size" integer NOT NULL, "pdf_sha256" character varying(64) NOT NULL, "status" character varying(20) NOT NULL DEFAULT 'generated', "manifest_id" uuid, "waybill" character varying(13), "signer" character varying(100), "posted_at" TIMESTAMP WITH TIME ZONE, "last_event_at" TIMESTAMP WITH TIME ZONE, "signed_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "uq_letters_reference" UNIQUE ("reference"), CONSTRAINT "uq_letters_notification" UNIQUE ("notification_id"), CONSTRAINT "ck_letters_status" CHECK ("status" IN ('generated', 'manifested', 'posted', 'accepted', 'in_transit', 'out_for_delivery', 'undelivered', 'signed_for', 'returned')), CONSTRAINT "PK_bf70c41d26aa84cf2651d571889" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_letters_manifest" ON "letters" ("manifest_id") `);
    await queryRunner.query(`CREATE INDEX "ix_letters_status" ON "letters" ("status", "created_at") `);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_letters_waybill" ON "letters" ("waybill") WHERE "waybill" IS NOT NULL`,
    );
    await queryRunner.query(
      `ALTER TABLE "letter_manifests" ADD CONSTRAINT "fk_letter_manifests_created_by" FOREIGN KEY ("created_by_id") REFERENCES "staff"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "letters" ADD CONSTRAINT "fk_letters_notification" FOREIGN KEY ("notification_id") REFERENCES "notifications"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "letters" ADD CONSTRAINT "fk_letters_manifest" FOREIGN KEY ("manifest_id") REFERENCES "letter_manifests"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "letters" DROP CONSTRAINT "fk_letters_manifest"`);
    await queryRunner.query(`ALTER TABLE "letters" DROP CONSTRAINT "fk_letters_notification"`);
    await queryRunner.query(`ALTER TABLE "letter_manifests" DROP CONSTRAINT "fk_letter_manifests_created_by"`);
    await queryRunner.query(`DROP INDEX "public"."uq_letters_waybill"`);
    await queryRunner.query(`DROP INDEX "public"."ix_letters_status"`);
    await queryRunner.query(`DROP INDEX "public"."ix_letters_manifest"`);
    await queryRunner.query(`DROP TABLE "letters"`);
    await queryRunner.query(`DROP TABLE "letter_manifests"`);
  }
}
