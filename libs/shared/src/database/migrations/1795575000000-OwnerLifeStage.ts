import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The move-in date an owner may tell us, and owners' life stages in SQL (libs/shared/src/owner-care/life-stage.ts). */
export class OwnerLifeStage1795575000000 implements MigrationInterface {
  name = 'OwnerLifeStage1795575000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "owner_units" ADD "moved_in_on" date`);
    await queryRunner.query(`CREATE FUNCTION owner_moved_in_on(since date, handover date, moved_in date) RETURNS date
      LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
        SELECT COALESCE(moved_in, CASE WHEN handover IS NULL THEN NULL ELSE GREATEST(handover, since) END)
      $fn$`);
    await queryRunner.query(`CREATE FUNCTION owner_life_stage(moved_in date, today date) RETURNS text
      LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
        SELECT CASE
          WHEN moved_in IS NULL OR moved_in > today THEN 'prospective'
          WHEN today < (moved_in + interval '12 months')::date THEN 'settling'
          WHEN today < (moved_in + interval '24 months')::date THEN 'stable'
          ELSE 'established' END
      $fn$`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP FUNCTION owner_life_stage(date, date)`);
    await queryRunner.query(`DROP FUNCTION owner_moved_in_on(date, date, date)`);
    await queryRunner.query(`ALTER TABLE "owner_units" DROP COLUMN "moved_in_on"`);
  }
}
