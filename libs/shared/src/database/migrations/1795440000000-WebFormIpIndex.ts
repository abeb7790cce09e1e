import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The web form's per-IP limit counts recent web intake records by hashed address: keep that count off a table scan. */
export class WebFormIpIndex1795440000000 implements MigrationInterface {
  name = 'WebFormIpIndex1795440000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX "ix_intake_records_web_ip" ON "intake_records" ((raw->'client'->>'ipHash'), "received_at") WHERE "source" = 'web'`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."ix_intake_records_web_ip"`);
  }
}
