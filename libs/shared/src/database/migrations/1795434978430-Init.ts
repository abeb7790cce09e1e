import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Init1795434978430 implements MigrationInterface {
  name = 'Init1795434978430';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "projects" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "code" character varying(20) NOT NULL, "name" character varying(100) NOT NULL, "city" character varying(50) NOT NULL, "address" character varying(200), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "uq_projects_code" UNIQUE ("code"), CONSTRAINT "PK_6271df0a7aed1d6c0691ce6ac50" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "buildings" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "project_id" uuid NOT NULL, "name" character varying(30) NOT NULL, CONSTRAINT "uq_buildings_project_name" UNIQUE ("project_id", "name"), CONSTRAINT "PK_bc65c1acce268c383e41a69003a" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "calendar_overrides" ("day" date NOT NULL, "kind" character varying(10) NOT NULL, "note" character varying(200) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_calendar_overrides_kind" CHECK ("kind" IN ('workday', 'day_off')), CONSTRAINT "PK_7071c709cba97771f3b74bc6ed1" PRIMARY KEY ("day"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "departments" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "code" character varying(30) NOT NULL, "name" character varying(100) NOT NULL, CONSTRAINT "uq_departments_code" UNIQUE ("code"), CONSTRAINT "PK_839517a681a86bb84cbcc6a1e9d" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "owners" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" character varying(100) NOT NULL, "mobiles" text array NOT NULL DEFAULT '{}', "email" character varying(254), "postal_address" character varying(300), "postcode" character varying(6), "preferred_channels" text array NOT NULL DEFAULT '{sms}', "opt_outs" text array NOT NULL DEFAULT '{}', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_42838282f2e6b216301a70b02d6" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_owners_email" ON "owners" ("email") `);
    await queryRunner.query(
      `CREATE TABLE "staff" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "login" character varying(60) NOT NULL, "name" character varying(100) NOT NULL, "role" character varying(20) NOT NULL, "department_id" uuid, "reports_to_id" uuid, "mobile" character varying(20), "email" character varying(254), "password_hash" character varying(200), "active" boolean NOT NULL DEFAULT true, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "uq_staff_login" UNIQUE ("login"), CONSTRAINT "ck_staff_role" CHECK ("role" IN ('operator', 'cs_rep', 'dept_manager', 'vice_gm', 'gm', 'admin')), CONSTRAINT "PK_e4ee98bb552756c180aec1e854a" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "units" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "project_id" uuid NOT NULL, "building_id" uuid NOT NULL, "entrance" character varying(10) NOT NULL DEFAULT '', "room" character varying(10) NOT NULL, "floor" smallint, "handover_date" date, "finish" character varying(10) NOT NULL DEFAULT 'rough', CONSTRAINT "uq_units_building_entrance_room" UNIQUE ("building_id", "entrance", "room"), CONSTRAINT "ck_units_finish" CHECK ("finish" IN ('rough', 'fitted')), CONSTRAINT "PK_5a8f2f064919b587d93936cb223" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_units_project_handover" ON "units" ("project_id", "handover_date") `);
    await queryRunner.query(
      `CREATE TABLE "cases" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "number" character varying(40) NOT NULL, "type" character varying(20) NOT NULL, "category" character varying(30), "severity" character varying(10) NOT NULL DEFAULT 'minor', "validity" character varying(10) NOT NULL DEFAULT 'pending', "channel" character varying(20) NOT NULL, "status" character varying(20) NOT NULL DEFAULT 'new', "project_id" uuid, "unit_id" uuid, "owner_id" uuid, "reporter_name" character varying(100), "reporter_contact" character varying(300), "description" text NOT NULL, "promised_reply_at" TIMESTAMP WITH TIME ZONE, "reply_date_moves" smallint NOT NULL DEFAULT '0', "escalation_level" smallint NOT NULL DEFAULT '0', "department_id" uuid, "assignee_id" uuid, "received_at" TIMESTAMP WITH TIME ZONE NOT NULL, "closed_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "uq_cases_number" UNIQUE ("number"), CONSTRAINT "ck_cases_escalation_level" CHECK ("escalation_level" BETWEEN 0 AND 3), CONSTRAINT "ck_cases_reply_date_moves" CHECK ("reply_date_moves" BETWEEN 0 AND 2), CONSTRAINT "ck_cases_status" CHECK ("status" IN ('new', 'accepted', 'assigned', 'replied', 'resolved', 'return_visited', 'closed', 'rejected')), CONSTRAINT "ck_cases_channel" CHECK ("channel" IN ('hotline', 'email', 'fax', 'web', 'suggestion_box', 'walk_in')), CONSTRAINT "ck_cases_validity" CHECK ("validity" IN ('pending', 'valid', 'invalid')), CONSTRAINT "ck_cases_severity" CHECK ("severity" IN ('minor', 'major')), CONSTRAINT "ck_cases_category" CHECK ("category" IS NULL OR "category" IN ('engineering_quality', 'planning_design', 'sales', 'property_management', 'customer_service', 'other')), CONSTRAINT "ck_cases_type" CHECK ("type" IN ('complaint', 'repair', 'enquiry', 'suggestion', 'claim')), CONSTRAINT "PK_264acb3048c240fb89aa34626db" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_cases_assignee" ON "cases" ("assignee_id") `);
    await queryRunner.query(`CREATE INDEX "ix_cases_owner" ON "cases" ("owner_id") `);
    await queryRunner.query(`CREATE INDEX "ix_cases_project" ON "cases" ("project_id", "received_at") `);
    await queryRunner.query(`CREATE INDEX "ix_cases_status_promised" ON "cases" ("status", "promised_reply_at") `);
    await queryRunner.query(
      `CREATE TABLE "case_events" ("id" bigint GENERATED BY DEFAULT AS IDENTITY NOT NULL, "case_id" uuid NOT NULL, "kind" character varying(40) NOT NULL, "actor_id" uuid, "actor_label" character varying(100) NOT NULL, "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "details" jsonb NOT NULL DEFAULT '{}', CONSTRAINT "PK_61f203ee26b76c6438bbcc7bde6" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_case_events_case" ON "case_events" ("case_id", "occurred_at") `);
    await queryRunner.query(
      `CREATE TABLE "case_number_counters" ("prefix" character varying(20) NOT NULL, "year" smallint NOT NULL, "last_value" integer NOT NULL, CONSTRAINT "PK_79e4ffd8847cc783d65b7c891e3" PRIMARY KEY ("prefix", "year"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "owner_units" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "owner_id" uuid NOT NULL, "unit_id" uuid NOT NULL, "relation" character varying(10) NOT NULL DEFAULT 'owner', "is_primary_contact" boolean NOT NULL DEFAULT false, "since" date, "until" date, CONSTRAINT "ck_owner_units_relation" CHECK ("relation" IN ('owner', 'co_owner')), CONSTRAINT "PK_2c4ffe4ea8adeb4a781ba72cf27" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_owner_units_unit" ON "owner_units" ("unit_id") `);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_owner_units_current" ON "owner_units" ("owner_id", "unit_id") WHERE "until" IS NULL`,
    );
    await queryRunner.query(
      `ALTER TABLE "buildings" ADD CONSTRAINT "fk_buildings_project" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "staff" ADD CONSTRAINT "fk_staff_department" FOREIGN KEY ("department_id") REFERENCES "departments"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "staff" ADD CONSTRAINT "fk_staff_reports_to" FOREIGN KEY ("reports_to_id") REFERENCES "staff"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "units" ADD CONSTRAINT "fk_units_project" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "units" ADD CONSTRAINT "fk_units_building" FOREIGN KEY ("building_id") REFERENCES "buildings"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "cases" ADD CONSTRAINT "fk_cases_project" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "cases" ADD CONSTRAINT "fk_cases_unit" FOREIGN KEY ("unit_id") REFERENCES "units"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "cases" ADD CONSTRAINT "fk_cases_owner" FOREIGN KEY ("owner_id") REFERENCES "owners"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "cases" ADD CONSTRAINT "fk_cases_department" FOREIGN KEY ("department_id") REFERENCES "departments"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "cases" ADD CONSTRAINT "fk_cases_assignee" FOREIGN KEY ("assignee_id") REFERENCES "staff"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "case_events" ADD CONSTRAINT "fk_case_events_case" FOREIGN KEY ("case_id") REFERENCES "cases"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "case_events" ADD CONSTRAINT "fk_case_events_actor" FOREIGN KEY ("actor_id") REFERENCES "staff"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "owner_units" ADD CONSTRAINT "fk_owner_units_owner" FOREIGN KEY ("owner_id") REFERENCES "owners"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "owner_units" ADD CONSTRAINT "fk_owner_units_unit" FOREIGN KEY ("unit_id") REFERENCES "units"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    // Hand-written: GIN index for caller lookup by any of an owner's numbers.
    await queryRunner.query(`CREATE INDEX "ix_owners_mobiles" ON "owners" USING GIN ("mobiles")`);
    // Hand-written: the case timeline is append-only (the seeds' audit trail); updates and deletes are refused.
    await queryRunner.query(`CREATE FUNCTION "case_events_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'case_events is append-only: % refused', TG_OP USING ERRCODE = 'restrict_violation';
      END $$`);
    await queryRunner.query(
      `CREATE TRIGGER "tr_case_events_append_only" BEFORE UPDATE OR DELETE ON "case_events" FOR EACH ROW EXECUTE FUNCTION "case_events_append_only"()`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER "tr_case_events_append_only" ON "case_events"`);
    await queryRunner.query(`DROP FUNCTION "case_events_append_only"()`);
    await queryRunner.query(`DROP INDEX "public"."ix_owners_mobiles"`);
    await queryRunner.query(`ALTER TABLE "owner_units" DROP CONSTRAINT "fk_owner_units_unit"`);
    await queryRunner.query(`ALTER TABLE "owner_units" DROP CONSTRAINT "fk_owner_units_owner"`);
    await queryRunner.query(`ALTER TABLE "case_events" DROP CONSTRAINT "fk_case_events_actor"`);
    await queryRunner.query(`ALTER TABLE "case_events" DROP CONSTRAINT "fk_case_events_case"`);
    await queryRunner.query(`ALTER TABLE "cases" DROP CONSTRAINT "fk_cases_assignee"`);
    await queryRunner.query(`ALTER TABLE "cases" DROP CONSTRAINT "fk_cases_department"`);
    await queryRunner.query(`ALTER TABLE "cases" DROP CONSTRAINT "fk_cases_owner"`);
    await queryRunner.query(`ALTER TABLE "cases" DROP CONSTRAINT "fk_cases_unit"`);
    await queryRunner.query(`ALTER TABLE "cases" DROP CONSTRAINT "fk_cases_project"`);
    await queryRunner.query(`ALTER TABLE "units" DROP CONSTRAINT "fk_units_building"`);
    await queryRunner.query(`ALTER TABLE "units" DROP CONSTRAINT "fk_units_project"`);
    await queryRunner.query(`ALTER TABLE "staff" DROP CONSTRAINT "fk_staff_reports_to"`);
    await queryRunner.query(`ALTER TABLE "staff" DROP CONSTRAINT "fk_staff_department"`);
    await queryRunner.query(`ALTER TABLE "buildings" DROP CONSTRAINT "fk_buildings_project"`);
    await queryRunner.query(`DROP INDEX "public"."uq_owner_units_current"`);
    await queryRunner.query(`DROP INDEX "public"."ix_owner_units_unit"`);
    await queryRunner.query(`DROP TABLE "owner_units"`);
    await queryRunner.query(`DROP TABLE "case_number_counters"`);
    await queryRunner.query(`DROP INDEX "public"."ix_case_events_case"`);
    await queryRunner.query(`DROP TABLE "case_events"`);
    await queryRunner.query(`DROP INDEX "public"."ix_cases_status_promised"`);
    await queryRunner.query(`DROP INDEX "public"."ix_cases_project"`);
    await queryRunner.query(`DROP INDEX "public"."ix_cases_owner"`);
    await queryRunner.query(`DROP INDEX "public"."ix_cases_assignee"`);
    await queryRunner.query(`DROP TABLE "cases"`);
    await queryRunner.query(`DROP INDEX "public"."ix_units_project_handover"`);
    await queryRunner.query(`DROP TABLE "units"`);
    await queryRunner.query(`DROP TABLE "staff"`);
    await queryRunner.query(`DROP INDEX "public"."ix_owners_email"`);
    await queryRunner.query(`DROP TABLE "owners"`);
    await queryRunner.query(`DROP TABLE "departments"`);
    await queryRunner.query(`DROP TABLE "calendar_overrides"`);
    await queryRunner.query(`DROP TABLE "buildings"`);
    await queryRunner.query(`DROP TABLE "projects"`);
  }
}
