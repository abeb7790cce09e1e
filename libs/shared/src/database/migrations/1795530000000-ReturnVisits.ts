import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * 回访 answers, one per case and round (the n-th resolution): the unique pair is what makes the owner's link
 * work once and keeps staff and owner from both recording the same return visit.
 */
export class ReturnVisits1795530000000 implements MigrationInterface {
  name = 'ReturnVisits1795530000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "return_visits" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "case_id" uuid NOT NULL, "round" smallint NOT NULL, "via" character varying(20) NOT NULL, "satisfied" boolean NOT NULL, "rating" smallint, "comments" text, "recorded_by_id" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "uq_return_visits_case_round" UNIQUE ("case_id", "round"), CONSTRAINT "ck_return_visits_round" CHECK (round >= 1), CONSTRAINT "ck_return_visits_rating" CHECK (rating IS NULL OR rating BETWEEN 1 AND 5), CONSTRAINT "PK_96ee6edd0bea52b931d2284e56d" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_return_visits_created" ON "return_visits" ("created_at") `);
    await queryRunner.query(
      `ALTER TABLE "return_visits" ADD CONSTRAINT "fk_return_visits_case" FOREIGN KEY ("case_id") REFERENCES "cases"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "return_visits" ADD CONSTRAINT "fk_return_visits_recorded_by" FOREIGN KEY ("recorded_by_id") REFERENCES "staff"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "return_visits" DROP CONSTRAINT "fk_return_visits_recorded_by"`);
    await queryRunner.query(`ALTER TABLE "return_visits" DROP CONSTRAINT "fk_return_visits_case"`);
    await queryRunner.query(`DROP INDEX "public"."ix_return_visits_created"`);
    await queryRunner.query(`DROP TABLE "return_visits"`);
  }
}
