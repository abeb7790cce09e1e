import type { MigrationInterface, QueryRunner } from 'typeorm';

const KINDS_BEFORE = `'case_acknowledgement', 'case_reply', 'staff_reminder', 'escalation', 'staff_digest', 'warranty_expiry', 'certificate_collection', 'return_visit_request', 'survey_invitation'`;
const KINDS_AFTER = `${KINDS_BEFORE}, 'visit_due'`;

/**
 * Owner visits (002 §7.5.2, 004 篇3 §4.13, 000 §6.4.2, §6.5.2): the staff who visit each estate, the yearly
 * plans, the planned visits and the visit records; and the `visit_due` notification kind (the generator does not
 * see CHECK lists change, so that part is written by hand).
 */
export class OwnerVisits1795585000000 implements MigrationInterface {
  name = 'OwnerVisits1795585000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "visit_staff" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "project_id" uuid NOT NULL, "staff_id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "uq_visit_staff_project_staff" UNIQUE ("project_id", "staff_id"), CONSTRAINT "PK_e97f737be1a4c525b8d72bd59ff" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "visit_plans" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "project_id" uuid NOT NULL, "year" smallint NOT NULL, "starts_on" date NOT NULL, "interval_months" smallint NOT NULL, "generated_at" TIMESTAMP WITH TIME ZONE NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "uq_visit_plans_project_year" UNIQUE ("project_id", "year"), CONSTRAINT "PK_2ad73c560aa9d8768ffe625f8e5" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "owner_visits" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "plan_id" uuid NOT NULL, "project_id" uuid NOT NULL, "unit_id" uuid NOT NULL, "owner_id" uuid, "staff_id" uuid, "kind" character varying(20) NOT NULL, "seq" smallint NOT NULL, "due_on" date NOT NULL, "status" character varying(10) NOT NULL DEFAULT 'planned', "done_at" TIMESTAMP WITH TIME ZONE, "record_id" uuid, "ended_at" TIMESTAMP WITH TIME ZONE, "end_reason" character varying(30), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "uq_owner_visits_plan_unit_kind_seq" UNIQUE ("plan_id", "unit_id", "kind", "seq"), CONSTRAINT "ck_owner_visits_status" CHECK ("status" IN ('planned', 'done', 'ended')), CONSTRAINT "ck_owner_visits_kind" CHECK ("kind" IN ('routine', 'handover', 'decoration')), CONSTRAINT "PK_e2966c4ce363161e06583f77cf0" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_owner_visits_unit" ON "owner_visits" ("unit_id") `);
    await queryRunner.query(`CREATE INDEX "ix_owner_visits_project_due" ON "owner_visits" ("project_id", "due_on") `);
    await queryRunner.query(
      `CREATE INDEX "ix_owner_visits_staff_due" ON "owner_visits" ("staff_id", "due_on") WHERE "status" = 'planned'`,
    );
    await queryRunner.query(
      `CREATE TABLE "visit_records" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "visit_id" uuid, "project_id" uuid NOT NULL, "unit_id" uuid NOT NULL, "owner_id" uuid, "staff_id" uuid, "visited_at" TIMESTAMP WITH TIME ZONE NOT NULL, "method" character varying(10) NOT NULL, "topics" character varying(40) array NOT NULL DEFAULT '{}', "notes" text, "outcome" character varying(20) NOT NULL, "case_id" uuid, "recorded_by_id" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_visit_records_outcome" CHECK ("outcome" IN ('satisfied', 'issues', 'not_reached')), CONSTRAINT "ck_visit_records_method" CHECK ("method" IN ('phone', 'home', 'office', 'group', 'other')), CONSTRAINT "PK_0158798600fd7e78a975fe1156f" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_visit_records_unit" ON "visit_records" ("unit_id", "visited_at") `);
    await queryRunner.query(
      `CREATE INDEX "ix_visit_records_visit" ON "visit_records" ("visit_id") WHERE "visit_id" IS NOT NULL`,
    );
    await queryRunner.query(
      `ALTER TABLE "visit_staff" ADD CONSTRAINT "fk_visit_staff_project" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "visit_staff" ADD CONSTRAINT "fk_visit_staff_staff" FOREIGN KEY ("staff_id") REFERENCES "staff"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "visit_plans" ADD CONSTRAINT "fk_visit_plans_project" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "owner_visits" ADD CONSTRAINT "fk_owner_visits_plan" FOREIGN KEY ("plan_id") REFERENCES "visit_plans"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "owner_visits" ADD CONSTRAINT "fk_owner_visits_unit" FOREIGN KEY ("unit_id") REFERENCES "units"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "owner_visits" ADD CONSTRAINT "fk_owner_visits_owner" FOREIGN KEY ("owner_id") REFERENCES "owners"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "owner_visits" ADD CONSTRAINT "fk_owner_visits_staff" FOREIGN KEY ("staff_id") REFERENCES "staff"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "visit_records" ADD CONSTRAINT "fk_visit_records_visit" FOREIGN KEY ("visit_id") REFERENCES "owner_visits"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "visit_records" ADD CONSTRAINT "fk_visit_records_unit" FOREIGN KEY ("unit_id") REFERENCES "units"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "visit_records" ADD CONSTRAINT "fk_visit_records_owner" FOREIGN KEY ("owner_id") REFERENCES "owners"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "visit_records" ADD CONSTRAINT "fk_visit_records_staff" FOREIGN KEY ("staff_id") REFERENCES "staff"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "visit_records" ADD CONSTRAINT "fk_visit_records_case" FOREIGN KEY ("case_id") REFERENCES "cases"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "visit_records" ADD CONSTRAINT "fk_visit_records_recorded_by" FOREIGN KEY ("recorded_by_id") REFERENCES "staff"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(`ALTER TABLE "notifications" DROP CONSTRAINT "ck_notifications_kind"`);
    await queryRunner.query(
      `ALTER TABLE "notifications" ADD CONSTRAINT "ck_notifications_kind" CHECK ("kind" IN (${KINDS_AFTER}))`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DELETE FROM "notifications" WHERE "kind" = 'visit_due'`);
    await queryRunner.query(`ALTER TABLE "notifications" DROP CONSTRAINT "ck_notifications_kind"`);
    await queryRunner.query(
      `ALTER TABLE "notifications" ADD CONSTRAINT "ck_notifications_kind" CHECK ("kind" IN (${KINDS_BEFORE}))`,
    );
    await queryRunner.query(`ALTER TABLE "visit_records" DROP CONSTRAINT "fk_visit_records_recorded_by"`);
    await queryRunner.query(`ALTER TABLE "visit_records" DROP CONSTRAINT "fk_visit_records_case"`);
    await queryRunner.query(`ALTER TABLE "visit_records" DROP CONSTRAINT "fk_visit_records_staff"`);
    await queryRunner.query(`ALTER TABLE "visit_records" DROP CONSTRAINT "fk_visit_records_owner"`);
    await queryRunner.query(`ALTER TABLE "visit_records" DROP CONSTRAINT "fk_visit_records_unit"`);
    await queryRunner.query(`ALTER TABLE "visit_records" DROP CONSTRAINT "fk_visit_records_visit"`);
    await queryRunner.query(`ALTER TABLE "owner_visits" DROP CONSTRAINT "fk_owner_visits_staff"`);
    await queryRunner.query(`ALTER TABLE "owner_visits" DROP CONSTRAINT "fk_owner_visits_owner"`);
    await queryRunner.query(`ALTER TABLE "owner_visits" DROP CONSTRAINT "fk_owner_visits_unit"`);
    await queryRunner.query(`ALTER TABLE "owner_visits" DROP CONSTRAINT "fk_owner_visits_plan"`);
    await queryRunner.query(`ALTER TABLE "visit_plans" DROP CONSTRAINT "fk_visit_plans_project"`);
    await queryRunner.query(`ALTER TABLE "visit_staff" DROP CONSTRAINT "fk_visit_staff_staff"`);
    await queryRunner.query(`ALTER TABLE "visit_staff" DROP CONSTRAINT "fk_visit_staff_project"`);
    await queryRunner.query(`DROP INDEX "public"."ix_visit_records_visit"`);
    await queryRunner.query(`DROP INDEX "public"."ix_visit_records_unit"`);
    await queryRunner.query(`DROP TABLE "visit_records"`);
    await queryRunner.query(`DROP INDEX "public"."ix_owner_visits_staff_due"`);
    await queryRunner.query(`DROP INDEX "public"."ix_owner_visits_project_due"`);
    await queryRunner.query(`DROP INDEX "public"."ix_owner_visits_unit"`);
    await queryRunner.query(`DROP TABLE "owner_visits"`);
    await queryRunner.query(`DROP TABLE "visit_plans"`);
    await queryRunner.query(`DROP TABLE "visit_staff"`);
  }
}
