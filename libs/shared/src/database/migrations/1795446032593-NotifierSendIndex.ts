import type { MigrationInterface, QueryRunner } from 'typeorm';

export class NotifierSendIndex1795446032593 implements MigrationInterface {
  name = 'NotifierSendIndex1795446032593';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX "ix_notifications_to_address" ON "notifications" ("to_address", "sent_at") `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."ix_notifications_to_address"`);
  }
}
