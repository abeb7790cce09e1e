import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `outbox.settled_at`: the relayed job has run (its worker says so, or the lost-job sweep found it finished).
 * Until then the sweep (OutboxSweep) looks the job up in Redis after a grace period and queues it again under the
 * same job id if Redis lost it. Rows relayed before this migration are taken as settled: their jobs ran long ago.
 */
export class OutboxSettled1795620000000 implements MigrationInterface {
  name = 'OutboxSettled1795620000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "outbox" ADD "settled_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`UPDATE "outbox" SET "settled_at" = "relayed_at" WHERE "relayed_at" IS NOT NULL`);
    await queryRunner.query(
      `CREATE INDEX "ix_outbox_unsettled" ON "outbox" ("relayed_at") WHERE "relayed_at" IS NOT NULL AND "settled_at" IS NULL`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."ix_outbox_unsettled"`);
    await queryRunner.query(`ALTER TABLE "outbox" DROP COLUMN "settled_at"`);
  }
}
