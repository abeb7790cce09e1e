import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A repair's warranty standing on the case (000 §6.5.1(2), 003 §11.2.4): decided at intake, correctable by staff.
 * Existing cases keep null (not decided); nothing is backfilled, as the decision belongs to the time of intake.
 */
export class CasesWarranty1795550000000 implements MigrationInterface {
  name = 'CasesWarranty1795550000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "cases" ADD "warranty_status" character varying(20)`);
    await queryRunner.query(`ALTER TABLE "cases" ADD "warranty_item_code" character varying(40)`);
    await queryRunner.query(`ALTER TABLE "cases" ADD "warranty_expires_on" date`);
    await queryRunner.query(
      `ALTER TABLE "cases" ADD CONSTRAINT "ck_cases_warranty_status" CHECK ("warranty_status" IS NULL OR "warranty_status" IN ('in_warranty', 'out_of_warranty', 'unknown'))`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "cases" DROP CONSTRAINT "ck_cases_warranty_status"`);
    await queryRunner.query(`ALTER TABLE "cases" DROP COLUMN "warranty_expires_on"`);
    await queryRunner.query(`ALTER TABLE "cases" DROP COLUMN "warranty_item_code"`);
    await queryRunner.query(`ALTER TABLE "cases" DROP COLUMN "warranty_status"`);
  }
}
