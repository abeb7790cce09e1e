import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Reports1795605000000 implements MigrationInterface {
  name = 'Reports1795605000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "reports" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "kind" character varying(10) NOT NULL, "period_key" character varying(10) NOT NULL, "period_start" date NOT NULL, "period_end" date NOT NULL, "title" character varying(100) NOT NULL, "figures" jsonb NOT NULL, "xlsx" bytea NOT NULL, "pdf" bytea NOT NULL, "xlsx_size" integer NOT NULL, "pdf_size" integer NOT NULL, "final" boolean NOT NULL, "trigger" character varying(10) NOT NULL, "generated_by_id" uuid, "generated_at" TIMESTAMP WITH TIME ZONE NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "uq_reports_kind_period" UNIQUE ("kind", "period_key"), CONSTRAINT "ck_reports_kind" CHECK ("kind" IN ('weekly', 'monthly', 'quarterly', 'yearly')), CONSTRAINT "PK_d9013193989303580053c0b5ef6" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_reports_period_end" ON "reports" ("period_end") `);
    await queryRunner.query(
      `CREATE TABLE "report_deliveries" ("report_id" uuid NOT NULL, "address" character varying(254) NOT NULL, "status" character varying(10) NOT NULL, "message_id" character varying(300), "detail" text, "attempted_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "ck_report_deliveries_status" CHECK ("status" IN ('sending', 'sent', 'failed')), CONSTRAINT "PK_f8801c73151cb8cbb9ffc060c6e" PRIMARY KEY ("report_id", "address"))`,
    );
    await queryRunner.query(
      `ALTER TABLE "reports" ADD CONSTRAINT "fk_reports_generated_by" FOREIGN KEY ("generated_by_id") REFERENCES "staff"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "report_deliveries" ADD CONSTRAINT "fk_report_deliveries_report" FOREIGN KEY ("report_id") REFERENCES "reports"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "report_deliveries" DROP CONSTRAINT "fk_report_deliveries_report"`);
    await queryRunner.query(`ALTER TABLE "reports" DROP CONSTRAINT "fk_reports_generated_by"`);
    await queryRunner.query(`DROP TABLE "report_deliveries"`);
    await queryRunner.query(`DROP INDEX "public"."ix_reports_period_end"`);
    await queryRunner.query(`DROP TABLE "reports"`);
  }
}
