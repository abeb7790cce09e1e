import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Records retention and owners' privacy requests (issue 16): retention_runs, privacy_requests, owners.erased_at,
 * calls.recording_purged_at, the purge's partial indexes, and the append-only triggers' one sanctioned DELETE path.
 */
export class Retention1795565000000 implements MigrationInterface {
  name = 'Retention1795565000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "retention_runs" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "trigger" character varying(20) NOT NULL, "triggered_by_id" uuid, "status" character varying(20) NOT NULL DEFAULT 'running', "as_of" TIMESTAMP WITH TIME ZONE NOT NULL, "counts" jsonb NOT NULL DEFAULT '{}', "cutoffs" jsonb NOT NULL DEFAULT '{}', "error" text, "started_at" TIMESTAMP WITH TIME ZONE NOT NULL, "finished_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "ck_retention_runs_status" CHECK ("status" IN ('running', 'done', 'failed', 'interrupted')), CONSTRAINT "PK_80f0aec401112f8d4bad156a908" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_retention_runs_running" ON "retention_runs" ("status") WHERE "status" = 'running'`,
    );
    await queryRunner.query(`CREATE INDEX "ix_retention_runs_started" ON "retention_runs" ("started_at") `);
    await queryRunner.query(
      `CREATE TABLE "privacy_requests" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "kind" character varying(10) NOT NULL, "owner_id" uuid NOT NULL, "requested_by_id" uuid, "result" jsonb NOT NULL DEFAULT '{}', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_privacy_requests_kind" CHECK ("kind" IN ('export', 'erase')), CONSTRAINT "PK_fbdea00fb2fcf274bf0d2ddf2c2" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_privacy_requests_owner" ON "privacy_requests" ("owner_id", "created_at") `,
    );
    await queryRunner.query(`ALTER TABLE "owners" ADD "erased_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "calls" ADD "recording_purged_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`CREATE INDEX "ix_cases_closed" ON "cases" ("closed_at") WHERE "status" = 'closed'`);
    await queryRunner.query(
      `CREATE INDEX "ix_intake_records_caseless" ON "intake_records" ("received_at") WHERE "case_id" IS NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_calls_recording_held" ON "calls" ("started_at") WHERE "recording_ref" IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_outbox_relayed" ON "outbox" ("relayed_at") WHERE "relayed_at" IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_notifications_caseless" ON "notifications" ("created_at") WHERE "case_id" IS NULL`,
    );
    await queryRunner.query(
      `ALTER TABLE "retention_runs" ADD CONSTRAINT "fk_retention_runs_triggered_by" FOREIGN KEY ("triggered_by_id") REFERENCES "staff"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "privacy_requests" ADD CONSTRAINT "fk_privacy_requests_owner" FOREIGN KEY ("owner_id") REFERENCES "owners"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "privacy_requests" ADD CONSTRAINT "fk_privacy_requests_requested_by" FOREIGN KEY ("requested_by_id") REFERENCES "staff"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );

    // --- by hand ---
    // TypeORM does not diff CHECK constraints: an erased owner keeps no contact detail.
    await queryRunner.query(
      `ALTER TABLE "owners" ADD CONSTRAINT "ck_owners_erased" CHECK ("erased_at" IS NULL OR ("email" IS NULL AND "postal_address" IS NULL AND "postcode" IS NULL AND "mobiles" = '{}'))`,
    );
    // The one sanctioned way past the append-only triggers: the retention purge (apps/scheduler/src/retention),
    // inside a transaction where it set kefu.retention_purge = 'on' (set_config(…, true): that transaction only).
    // Even then only DELETE, and only what the rules allow to go: the timeline of a case closed or rejected at least
    // 6 years ago (002 §8.1: the complaint form is kept 1 year by customer service, then 5 years in the archive), the
    // receipts of a notification at least 2 years old (the shortest period any notification is kept). UPDATE is
    // refused, always. A rejected case has no closed_at: received_at is earlier than its rejection, so the floor holds.
    await queryRunner.query(`CREATE OR REPLACE FUNCTION "case_events_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' AND current_setting('kefu.retention_purge', true) = 'on' AND EXISTS (
             SELECT 1 FROM cases c WHERE c.id = OLD.case_id AND c.status IN ('closed', 'rejected')
               AND COALESCE(c.closed_at, c.received_at) <= now() - interval '6 years') THEN
          RETURN OLD;
        END IF;
        RAISE EXCEPTION 'case_events is append-only: % refused', TG_OP USING ERRCODE = 'restrict_violation';
      END $$`);
    await queryRunner.query(`CREATE OR REPLACE FUNCTION "notification_receipts_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' AND current_setting('kefu.retention_purge', true) = 'on' AND EXISTS (
             SELECT 1 FROM notifications n WHERE n.id = OLD.notification_id AND n.created_at <= now() - interval '2 years') THEN
          RETURN OLD;
        END IF;
        RAISE EXCEPTION 'notification_receipts is append-only: % refused', TG_OP USING ERRCODE = 'restrict_violation';
      END $$`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    // --- by hand: back to the triggers as they were (Init, Notifications) ---
    await queryRunner.query(`CREATE OR REPLACE FUNCTION "notification_receipts_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'notification_receipts is append-only: % refused', TG_OP USING ERRCODE = 'restrict_violation';
      END $$`);
    await queryRunner.query(`CREATE OR REPLACE FUNCTION "case_events_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'case_events is append-only: % refused', TG_OP USING ERRCODE = 'restrict_violation';
      END $$`);
    await queryRunner.query(`ALTER TABLE "owners" DROP CONSTRAINT "ck_owners_erased"`);
    await queryRunner.query(`ALTER TABLE "privacy_requests" DROP CONSTRAINT "fk_privacy_requests_requested_by"`);
    await queryRunner.query(`ALTER TABLE "privacy_requests" DROP CONSTRAINT "fk_privacy_requests_owner"`);
    await queryRunner.query(`ALTER TABLE "retention_runs" DROP CONSTRAINT "fk_retention_runs_triggered_by"`);
    await queryRunner.query(`DROP INDEX "public"."ix_notifications_caseless"`);
    await queryRunner.query(`DROP INDEX "public"."ix_outbox_relayed"`);
    await queryRunner.query(`DROP INDEX "public"."ix_calls_recording_held"`);
    await queryRunner.query(`DROP INDEX "public"."ix_intake_records_caseless"`);
    await queryRunner.query(`DROP INDEX "public"."ix_cases_closed"`);
    await queryRunner.query(`ALTER TABLE "calls" DROP COLUMN "recording_purged_at"`);
    await queryRunner.query(`ALTER TABLE "owners" DROP COLUMN "erased_at"`);
    await queryRunner.query(`DROP INDEX "public"."ix_privacy_requests_owner"`);
    await queryRunner.query(`DROP TABLE "privacy_requests"`);
    await queryRunner.query(`DROP INDEX "public"."ix_retention_runs_started"`);
    await queryRunner.query(`DROP INDEX "public"."uq_retention_runs_running"`);
    await queryRunner.query(`DROP TABLE "retention_runs"`);
  }
}
