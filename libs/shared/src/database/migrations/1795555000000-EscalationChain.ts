import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The escalation chain as data (issue 15, 002 §7.3.2): `escalation_levels` lists the levels above the person
 * responsible, each with its name and how its person is found. Seeded with the chain the scheduler had in code
 * (部门经理 of the case's department → 主管副总 → 总经理). Levels may now go up to 6 (reminders, cases).
 */
export class EscalationChain1795555000000 implements MigrationInterface {
  name = 'EscalationChain1795555000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "escalation_levels" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "level" smallint NOT NULL, "name" character varying(50) NOT NULL, "resolver" character varying(20) NOT NULL, "role" character varying(20), "within_case_department" boolean NOT NULL DEFAULT false, "department_id" uuid, "staff_id" uuid, "updated_by_id" uuid, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_escalation_levels_target" CHECK (("resolver" = 'role' AND "role" IS NOT NULL AND "department_id" IS NULL AND "staff_id" IS NULL) OR ("resolver" = 'department_manager' AND "department_id" IS NOT NULL AND "role" IS NULL AND "staff_id" IS NULL AND NOT "within_case_department") OR ("resolver" = 'staff' AND "staff_id" IS NOT NULL AND "role" IS NULL AND "department_id" IS NULL AND NOT "within_case_department")), CONSTRAINT "ck_escalation_levels_role" CHECK ("role" IS NULL OR "role" IN ('operator', 'cs_rep', 'dept_manager', 'vice_gm', 'gm', 'admin')), CONSTRAINT "ck_escalation_levels_resolver" CHECK ("resolver" IN ('role', 'department_manager', 'staff')), CONSTRAINT "ck_escalation_levels_level" CHECK ("level" BETWEEN 1 AND 6), CONSTRAINT "PK_913b7ba2a6fa1748e293bfb1c31" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_escalation_levels_level" ON "escalation_levels" ("level") `);
    await queryRunner.query(
      `ALTER TABLE "escalation_levels" ADD CONSTRAINT "fk_escalation_levels_department" FOREIGN KEY ("department_id") REFERENCES "departments"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "escalation_levels" ADD CONSTRAINT "fk_escalation_levels_staff" FOREIGN KEY ("staff_id") REFERENCES "staff"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "escalation_levels" ADD CONSTRAINT "fk_escalation_levels_updated_by" FOREIGN KEY ("updated_by_id") REFERENCES "staff"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(`INSERT INTO "escalation_levels" ("level", "name", "resolver", "role", "within_case_department") VALUES
      (1, '部门经理', 'role', 'dept_manager', true), (2, '主管副总', 'role', 'vice_gm', false), (3, '总经理', 'role', 'gm', false)`);
    await queryRunner.query(`ALTER TABLE "reminders" DROP CONSTRAINT "ck_reminders_level"`);
    await queryRunner.query(
      `ALTER TABLE "reminders" ADD CONSTRAINT "ck_reminders_level" CHECK ("level" BETWEEN 0 AND 6)`,
    );
    await queryRunner.query(`ALTER TABLE "cases" DROP CONSTRAINT "ck_cases_escalation_level"`);
    await queryRunner.query(
      `ALTER TABLE "cases" ADD CONSTRAINT "ck_cases_escalation_level" CHECK ("escalation_level" BETWEEN 0 AND 6)`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    // Levels above 3 become the top of the old chain (3, the GM).
    await queryRunner.query(`UPDATE "cases" SET "escalation_level" = 3 WHERE "escalation_level" > 3`);
    await queryRunner.query(`DELETE FROM "reminders" WHERE "level" > 3`);
    await queryRunner.query(`ALTER TABLE "cases" DROP CONSTRAINT "ck_cases_escalation_level"`);
    await queryRunner.query(
      `ALTER TABLE "cases" ADD CONSTRAINT "ck_cases_escalation_level" CHECK ("escalation_level" BETWEEN 0 AND 3)`,
    );
    await queryRunner.query(`ALTER TABLE "reminders" DROP CONSTRAINT "ck_reminders_level"`);
    await queryRunner.query(
      `ALTER TABLE "reminders" ADD CONSTRAINT "ck_reminders_level" CHECK ("level" BETWEEN 0 AND 3)`,
    );
    await queryRunner.query(`ALTER TABLE "escalation_levels" DROP CONSTRAINT "fk_escalation_levels_updated_by"`);
    await queryRunner.query(`ALTER TABLE "escalation_levels" DROP CONSTRAINT "fk_escalation_levels_staff"`);
    await queryRunner.query(`ALTER TABLE "escalation_levels" DROP CONSTRAINT "fk_escalation_levels_department"`);
    await queryRunner.query(`DROP INDEX "public"."uq_escalation_levels_level"`);
    await queryRunner.query(`DROP TABLE "escalation_levels"`);
  }
}
