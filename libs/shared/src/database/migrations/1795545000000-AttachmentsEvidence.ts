import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Evidence staff add to a case (photos, recordings, documents) and photos of forms the owner signed on paper
 * (003 §8.1.4, SM03-07) are attachments too: four more roles, and who uploaded each. TypeORM compares CHECK
 * constraints by name only, so the role list is changed here by hand.
 */
export class AttachmentsEvidence1795545000000 implements MigrationInterface {
  name = 'AttachmentsEvidence1795545000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "attachments" ADD "uploaded_by_id" uuid`);
    await queryRunner.query(
      `ALTER TABLE "attachments" ADD CONSTRAINT "fk_attachments_uploaded_by" FOREIGN KEY ("uploaded_by_id") REFERENCES "staff"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(`ALTER TABLE "attachments" DROP CONSTRAINT "ck_attachments_role"`);
    await queryRunner.query(
      `ALTER TABLE "attachments" ADD CONSTRAINT "ck_attachments_role" CHECK ("role" IN ('attachment', 'inline', 'fax_document', 'photo', 'slip_photo', 'evidence_photo', 'evidence_recording', 'evidence_document', 'signed_form'))`,
    );
  }

  // Refuses (the old CHECK fails) while evidence is stored: reverting must not drop what owners signed.
  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "attachments" DROP CONSTRAINT "ck_attachments_role"`);
    await queryRunner.query(
      `ALTER TABLE "attachments" ADD CONSTRAINT "ck_attachments_role" CHECK ("role" IN ('attachment', 'inline', 'fax_document', 'photo', 'slip_photo'))`,
    );
    await queryRunner.query(`ALTER TABLE "attachments" DROP CONSTRAINT "fk_attachments_uploaded_by"`);
    await queryRunner.query(`ALTER TABLE "attachments" DROP COLUMN "uploaded_by_id"`);
  }
}
