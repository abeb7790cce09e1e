import type { MigrationInterface, QueryRunner } from 'typeorm';

export class WebUploadUsage1795570000000 implements MigrationInterface {
  name = 'WebUploadUsage1795570000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "web_upload_usage" ("hour" TIMESTAMP WITH TIME ZONE NOT NULL, "ip_hash" character varying(32) NOT NULL, "attempts" integer NOT NULL DEFAULT '0', "bytes" bigint NOT NULL DEFAULT '0', CONSTRAINT "PK_299092cd5a3f5c142749da7d978" PRIMARY KEY ("hour", "ip_hash"))`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "web_upload_usage"`);
  }
}
