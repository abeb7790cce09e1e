import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Routing (issue 15): which department answers for a category of case, per estate or in any estate; each
 * department's duty roster (by weekday or date); which department is customer service, where cases no rule
 * routes go. Intake reads them in the case's own write to set its department and assignee.
 */
export class Routing1795520000000 implements MigrationInterface {
  name = 'Routing1795520000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "department_responsibilities" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "category" character varying(30) NOT NULL, "project_id" uuid, "department_id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_department_responsibilities_category" CHECK ("category" IN ('engineering_quality', 'planning_design', 'sales', 'property_management', 'customer_service', 'other')), CONSTRAINT "PK_ceaae7af5d1a5014b9457382590" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_department_responsibilities_any_estate" ON "department_responsibilities" ("category") WHERE "project_id" IS NULL`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_department_responsibilities_estate" ON "department_responsibilities" ("category", "project_id") WHERE "project_id" IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE TABLE "duty_roster" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "department_id" uuid NOT NULL, "staff_id" uuid NOT NULL, "weekday" smallint, "day" date, "position" smallint NOT NULL DEFAULT '0', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_duty_roster_weekday" CHECK ("weekday" IS NULL OR "weekday" BETWEEN 1 AND 7), CONSTRAINT "ck_duty_roster_when" CHECK (("weekday" IS NULL) <> ("day" IS NULL)), CONSTRAINT "PK_799edd3b86e5b1f514478f61e84" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_duty_roster_day" ON "duty_roster" ("department_id", "day", "staff_id") WHERE "day" IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_duty_roster_weekday" ON "duty_roster" ("department_id", "weekday", "staff_id") WHERE "weekday" IS NOT NULL`,
    );
    await queryRunner.query(`ALTER TABLE "departments" ADD "customer_service" boolean NOT NULL DEFAULT false`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_departments_customer_service" ON "departments" ("customer_service") WHERE "customer_service"`,
    );
    // The case queue by department (and a department's deletion, which sets its cases' department to null).
    await queryRunner.query(`CREATE INDEX "ix_cases_department" ON "cases" ("department_id", "received_at") `);
    await queryRunner.query(
      `ALTER TABLE "department_responsibilities" ADD CONSTRAINT "fk_department_responsibilities_project" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "department_responsibilities" ADD CONSTRAINT "fk_department_responsibilities_department" FOREIGN KEY ("department_id") REFERENCES "departments"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "duty_roster" ADD CONSTRAINT "fk_duty_roster_department" FOREIGN KEY ("department_id") REFERENCES "departments"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "duty_roster" ADD CONSTRAINT "fk_duty_roster_staff" FOREIGN KEY ("staff_id") REFERENCES "staff"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "duty_roster" DROP CONSTRAINT "fk_duty_roster_staff"`);
    await queryRunner.query(`ALTER TABLE "duty_roster" DROP CONSTRAINT "fk_duty_roster_department"`);
    await queryRunner.query(
      `ALTER TABLE "department_responsibilities" DROP CONSTRAINT "fk_department_responsibilities_department"`,
    );
    await queryRunner.query(
      `ALTER TABLE "department_responsibilities" DROP CONSTRAINT "fk_department_responsibilities_project"`,
    );
    await queryRunner.query(`DROP INDEX "public"."ix_cases_department"`);
    await queryRunner.query(`DROP INDEX "public"."uq_departments_customer_service"`);
    await queryRunner.query(`ALTER TABLE "departments" DROP COLUMN "customer_service"`);
    await queryRunner.query(`DROP INDEX "public"."uq_duty_roster_weekday"`);
    await queryRunner.query(`DROP INDEX "public"."uq_duty_roster_day"`);
    await queryRunner.query(`DROP TABLE "duty_roster"`);
    await queryRunner.query(`DROP INDEX "public"."uq_department_responsibilities_estate"`);
    await queryRunner.query(`DROP INDEX "public"."uq_department_responsibilities_any_estate"`);
    await queryRunner.query(`DROP TABLE "department_responsibilities"`);
  }
}
