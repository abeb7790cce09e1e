import type { MigrationInterface, QueryRunner } from 'typeorm';

const KINDS_BEFORE = `'case_acknowledgement', 'case_reply', 'staff_reminder', 'escalation', 'staff_digest', 'warranty_expiry', 'certificate_collection', 'return_visit_request', 'survey_invitation', 'visit_due', 'estate_notice', 'estate_update'`;
const KINDS_AFTER = `${KINDS_BEFORE}, 'case_writeup_shared'`;
// The event detail keys that hold text staff or owners wrote (case-library/case-text.ts, CASE_TEXT_KEYS).
const TEXT_KEYS = `ARRAY['note', 'reason', 'content', 'result', 'analysis', 'plan', 'findings', 'comments', 'openProblems', 'text', 'subject']`;

/**
 * The case library (案例库): the case search index (jieba words in a tsvector with a GIN index; triggers bump a
 * row's version whenever what its words come from changes, the indexer re-segments), write-ups of typical cases and
 * their shares with departments, corrective actions on recurring problems, and the `case_writeup_shared`
 * notification kind (the generator does not see CHECK changes).
 */
export class CaseLibrary1795610000000 implements MigrationInterface {
  name = 'CaseLibrary1795610000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "case_search" ("case_id" uuid NOT NULL, "received_at" TIMESTAMP WITH TIME ZONE NOT NULL, "typical" boolean NOT NULL DEFAULT false, "words" tsvector NOT NULL DEFAULT '', "version" integer NOT NULL DEFAULT '1', "indexed_version" integer NOT NULL DEFAULT '0', CONSTRAINT "PK_ffc6f712b86e3f87383350e5593" PRIMARY KEY ("case_id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_case_search_stale" ON "case_search" ("case_id") WHERE "version" <> "indexed_version"`,
    );
    await queryRunner.query(
      `CREATE TABLE "case_writeups" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "case_id" uuid NOT NULL, "title" character varying(100) NOT NULL, "problem" text NOT NULL, "cause" text NOT NULL, "handling" text NOT NULL, "lesson" text NOT NULL, "tags" text array NOT NULL DEFAULT '{}', "author_id" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "uq_case_writeups_case" UNIQUE ("case_id"), CONSTRAINT "PK_4f9833b6aca0dac1dfa428ac5f7" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_case_writeups_updated" ON "case_writeups" ("updated_at") `);
    await queryRunner.query(
      `CREATE TABLE "case_writeup_shares" ("writeup_id" uuid NOT NULL, "department_id" uuid NOT NULL, "shared_by_id" uuid, "shared_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_4cf60f0ec2db1e6613eec740b8a" PRIMARY KEY ("writeup_id", "department_id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "corrective_actions" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "problem_key" character varying(200) NOT NULL, "problem_label" character varying(200) NOT NULL, "action" text NOT NULL, "department_id" uuid NOT NULL, "due_on" date NOT NULL, "status" character varying(12) NOT NULL DEFAULT 'open', "result" text, "created_by_id" uuid, "finished_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_corrective_actions_status" CHECK ("status" IN ('open', 'in_progress', 'done', 'cancelled')), CONSTRAINT "PK_b1382eccccc5ca8d821e3688ade" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_corrective_actions_due" ON "corrective_actions" ("status", "due_on") `);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_corrective_actions_active" ON "corrective_actions" ("problem_key") WHERE "status" IN ('open', 'in_progress')`,
    );
    await queryRunner.query(
      `ALTER TABLE "case_search" ADD CONSTRAINT "fk_case_search_case" FOREIGN KEY ("case_id") REFERENCES "cases"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "case_writeups" ADD CONSTRAINT "fk_case_writeups_case" FOREIGN KEY ("case_id") REFERENCES "cases"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "case_writeups" ADD CONSTRAINT "fk_case_writeups_author" FOREIGN KEY ("author_id") REFERENCES "staff"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "case_writeup_shares" ADD CONSTRAINT "fk_case_writeup_shares_writeup" FOREIGN KEY ("writeup_id") REFERENCES "case_writeups"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "case_writeup_shares" ADD CONSTRAINT "fk_case_writeup_shares_department" FOREIGN KEY ("department_id") REFERENCES "departments"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "case_writeup_shares" ADD CONSTRAINT "fk_case_writeup_shares_shared_by" FOREIGN KEY ("shared_by_id") REFERENCES "staff"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "corrective_actions" ADD CONSTRAINT "fk_corrective_actions_department" FOREIGN KEY ("department_id") REFERENCES "departments"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "corrective_actions" ADD CONSTRAINT "fk_corrective_actions_created_by" FOREIGN KEY ("created_by_id") REFERENCES "staff"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(`CREATE INDEX "ix_case_search_words" ON "case_search" USING GIN ("words")`);
    await queryRunner.query(`CREATE FUNCTION "case_search_on_case"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO case_search (case_id, received_at) VALUES (NEW.id, NEW.received_at)
        ON CONFLICT (case_id) DO UPDATE SET version = case_search.version + 1, received_at = EXCLUDED.received_at;
        RETURN NULL;
      END $$`);
    await queryRunner.query(`CREATE FUNCTION "case_search_on_event"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN UPDATE case_search SET version = version + 1 WHERE case_id = NEW.case_id; RETURN NULL; END $$`);
    await queryRunner.query(`CREATE FUNCTION "case_search_on_writeup"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE case_search SET version = version + 1, typical = (TG_OP <> 'DELETE')
         WHERE case_id = CASE WHEN TG_OP = 'DELETE' THEN OLD.case_id ELSE NEW.case_id END;
        RETURN NULL;
      END $$`);
    await queryRunner.query(
      `CREATE TRIGGER "tr_case_search_case_insert" AFTER INSERT ON "cases" FOR EACH ROW EXECUTE FUNCTION "case_search_on_case"()`,
    );
    await queryRunner.query(
      `CREATE TRIGGER "tr_case_search_case_update" AFTER UPDATE OF "description", "received_at" ON "cases" FOR EACH ROW WHEN (OLD.description IS DISTINCT FROM NEW.description OR OLD.received_at IS DISTINCT FROM NEW.received_at) EXECUTE FUNCTION "case_search_on_case"()`,
    );
    await queryRunner.query(
      `CREATE TRIGGER "tr_case_search_event" AFTER INSERT ON "case_events" FOR EACH ROW WHEN (NEW.details ?| ${TEXT_KEYS}) EXECUTE FUNCTION "case_search_on_event"()`,
    );
    await queryRunner.query(
      `CREATE TRIGGER "tr_case_search_writeup" AFTER INSERT OR UPDATE OR DELETE ON "case_writeups" FOR EACH ROW EXECUTE FUNCTION "case_search_on_writeup"()`,
    );
    await queryRunner.query(
      `INSERT INTO "case_search" ("case_id", "received_at") SELECT "id", "received_at" FROM "cases"`,
    );
    await queryRunner.query(`ALTER TABLE "notifications" DROP CONSTRAINT "ck_notifications_kind"`);
    await queryRunner.query(
      `ALTER TABLE "notifications" ADD CONSTRAINT "ck_notifications_kind" CHECK ("kind" IN (${KINDS_AFTER}))`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DELETE FROM "notifications" WHERE "kind" = 'case_writeup_shared'`);
    await queryRunner.query(`ALTER TABLE "notifications" DROP CONSTRAINT "ck_notifications_kind"`);
    await queryRunner.query(
      `ALTER TABLE "notifications" ADD CONSTRAINT "ck_notifications_kind" CHECK ("kind" IN (${KINDS_BEFORE}))`,
    );
    await queryRunner.query(`DROP TRIGGER "tr_case_search_writeup" ON "case_writeups"`);
    await queryRunner.query(`DROP TRIGGER "tr_case_search_event" ON "case_events"`);
    await queryRunner.query(`DROP TRIGGER "tr_case_search_case_update" ON "cases"`);
    await queryRunner.query(`DROP TRIGGER "tr_case_search_case_insert" ON "cases"`);
    await queryRunner.query(`DROP FUNCTION "case_search_on_writeup"()`);
    await queryRunner.query(`DROP FUNCTION "case_search_on_event"()`);
    await queryRunner.query(`DROP FUNCTION "case_search_on_case"()`);
    await queryRunner.query(`DROP INDEX "public"."ix_case_search_words"`);
    await queryRunner.query(`ALTER TABLE "corrective_actions" DROP CONSTRAINT "fk_corrective_actions_created_by"`);
    await queryRunner.query(`ALTER TABLE "corrective_actions" DROP CONSTRAINT "fk_corrective_actions_department"`);
    await queryRunner.query(`ALTER TABLE "case_writeup_shares" DROP CONSTRAINT "fk_case_writeup_shares_shared_by"`);
    await queryRunner.query(`ALTER TABLE "case_writeup_shares" DROP CONSTRAINT "fk_case_writeup_shares_department"`);
    await queryRunner.query(`ALTER TABLE "case_writeup_shares" DROP CONSTRAINT "fk_case_writeup_shares_writeup"`);
    await queryRunner.query(`ALTER TABLE "case_writeups" DROP CONSTRAINT "fk_case_writeups_author"`);
    await queryRunner.query(`ALTER TABLE "case_writeups" DROP CONSTRAINT "fk_case_writeups_case"`);
    await queryRunner.query(`ALTER TABLE "case_search" DROP CONSTRAINT "fk_case_search_case"`);
    await queryRunner.query(`DROP INDEX "public"."uq_corrective_actions_active"`);
    await queryRunner.query(`DROP INDEX "public"."ix_corrective_actions_due"`);
    await queryRunner.query(`DROP TABLE "corrective_actions"`);
    await queryRunner.query(`DROP TABLE "case_writeup_shares"`);
    await queryRunner.query(`DROP INDEX "public"."ix_case_writeups_updated"`);
    await queryRunner.query(`DROP TABLE "case_writeups"`);
    await queryRunner.query(`DROP INDEX "public"."ix_case_search_stale"`);
    await queryRunner.query(`DROP TABLE "case_search"`);
  }
}
