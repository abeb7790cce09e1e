import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A delivery or feedback report is parsed once, by intake, and the parsed report travels with its record:
 * the notifier reads it instead of parsing the mail a second time (two parsers had drifted and a bounce
 * only one of them recognised was silently dropped).
 */
export class IntakeDeliveryReport1795480000000 implements MigrationInterface {
  name = 'IntakeDeliveryReport1795480000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "intake_records" ADD "delivery_report" jsonb`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "intake_records" DROP COLUMN "delivery_report"`);
  }
}
