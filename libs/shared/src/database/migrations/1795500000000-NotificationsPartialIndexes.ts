import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Three indexes of notifications only ever serve look-ups by a value (a case's messages, a provider's id in a
 * callback or bounce, an address's recent sends), and the column is empty on many rows: an estate-wide
 * notice has no case, and no row has a provider id or an address before it is sent. Partial, such rows
 * cost no entry in them (the warranty heating-notice day writes 70,000 at once).
 */
export class NotificationsPartialIndexes1795500000000 implements MigrationInterface {
  name = 'NotificationsPartialIndexes1795500000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."ix_notifications_case"`);
    await queryRunner.query(`DROP INDEX "public"."ix_notifications_provider"`);
    await queryRunner.query(`DROP INDEX "public"."ix_notifications_to_address"`);
    await queryRunner.query(
      `CREATE INDEX "ix_notifications_case" ON "notifications" ("case_id") WHERE "case_id" IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_notifications_provider" ON "notifications" ("provider_id") WHERE "provider_id" IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_notifications_to_address" ON "notifications" ("to_address", "sent_at") WHERE "to_address" IS NOT NULL`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."ix_notifications_to_address"`);
    await queryRunner.query(`DROP INDEX "public"."ix_notifications_provider"`);
    await queryRunner.query(`DROP INDEX "public"."ix_notifications_case"`);
    await queryRunner.query(`CREATE INDEX "ix_notifications_to_address" ON "notifications" ("to_address", "sent_at") `);
    await queryRunner.query(`CREATE INDEX "ix_notifications_provider" ON "notifications" ("provider_id") `);
    await queryRunner.query(`CREATE INDEX "ix_notifications_case" ON "notifications" ("case_id") `);
  }
}
