import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * projects.units_version: bumped by triggers whenever an estate's units or buildings change (a unit
 * added, a building renamed, a unit moved or deleted), so intake's cached unit directory can tell with
 * one primary-key read that its copy is still right, instead of counting thousands of units per item (a
 * count also missed renames). Statement-level triggers with transition tables: an import of 5,000 units
 * bumps each estate once.
 */
export class UnitsVersion1795450000000 implements MigrationInterface {
  name = 'UnitsVersion1795450000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "projects" ADD "units_version" bigint NOT NULL DEFAULT '0'`);
    await queryRunner.query(`
      CREATE FUNCTION kefu_bump_units_version() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'INSERT' THEN
          UPDATE projects SET units_version = units_version + 1 WHERE id IN (SELECT project_id FROM new_rows);
        ELSIF TG_OP = 'UPDATE' THEN
          UPDATE projects SET units_version = units_version + 1 WHERE id IN (SELECT project_id FROM new_rows UNION SELECT project_id FROM old_rows);
        ELSE
          UPDATE projects SET units_version = units_version + 1 WHERE id IN (SELECT project_id FROM old_rows);
        END IF;
        RETURN NULL;
      END $$`);
    for (const table of ['units', 'buildings']) {
      await queryRunner.query(
        `CREATE TRIGGER "tr_${table}_version_ins" AFTER INSERT ON "${table}" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION kefu_bump_units_version()`,
      );
      await queryRunner.query(
        `CREATE TRIGGER "tr_${table}_version_upd" AFTER UPDATE ON "${table}" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION kefu_bump_units_version()`,
      );
      await queryRunner.query(
        `CREATE TRIGGER "tr_${table}_version_del" AFTER DELETE ON "${table}" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION kefu_bump_units_version()`,
      );
    }
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['units', 'buildings']) {
      for (const op of ['ins', 'upd', 'del'])
        await queryRunner.query(`DROP TRIGGER "tr_${table}_version_${op}" ON "${table}"`);
    }
    await queryRunner.query(`DROP FUNCTION kefu_bump_units_version()`);
    await queryRunner.query(`ALTER TABLE "projects" DROP COLUMN "units_version"`);
  }
}
