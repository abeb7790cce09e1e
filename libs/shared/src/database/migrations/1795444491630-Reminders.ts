import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Case deadlines from the SLA policy and the reminders about them (acknowledged, escalated). */
export class Reminders1795444491630 implements MigrationInterface {
  name = 'Reminders1795444491630';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "case_deadlines" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "case_id" uuid NOT NULL, "step" character varying(30) NOT NULL, "round" smallint NOT NULL DEFAULT '0', "due_at" TIMESTAMP WITH TIME ZONE NOT NULL, "provisional" boolean NOT NULL DEFAULT false, "responsible_staff_id" uuid, "state" character varying(12) NOT NULL DEFAULT 'open', "closed_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "uq_case_deadlines_step" UNIQUE ("case_id", "step", "round"), CONSTRAINT "ck_case_deadlines_state" CHECK ("state" IN ('open', 'met', 'missed', 'superseded')), CONSTRAINT "ck_case_deadlines_step" CHECK ("step" IN ('firstReply', 'departmentPlan', 'departmentAnalysis', 'reportToHead', 'solution', 'engineerContact', 'siteSurvey')), CONSTRAINT "PK_aeec36818e0bdee31a82bcbfaed" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_case_deadlines_responsible" ON "case_deadlines" ("responsible_staff_id", "state") `,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_case_deadlines_open_due" ON "case_deadlines" ("due_at") WHERE "state" = 'open'`,
    );
    await queryRunner.query(
      `CREATE TABLE "reminders" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "deadline_id" uuid NOT NULL, "case_id" uuid NOT NULL, "kind" character varying(12) NOT NULL, "level" smallint NOT NULL DEFAULT '0', "send_at" TIMESTAMP WITH TIME ZONE NOT NULL, "recipient_staff_id" uuid, "reason" character varying(200), "sent_at" TIMESTAMP WITH TIME ZONE, "late" boolean NOT NULL DEFAULT false, "ack_due_at" TIMESTAMP WITH TIME ZONE, "acknowledged_at" TIMESTAMP WITH TIME ZONE, "acknowledged_by_id" uuid, "acknowledged_via" character varying(10), "escalated_at" TIMESTAMP WITH TIME ZONE, "cancelled_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "uq_reminders_deadline_kind_level" UNIQUE ("deadline_id", "kind", "level"), CONSTRAINT "ck_reminders_level" CHECK ("level" BETWEEN 0 AND 3), CONSTRAINT "ck_reminders_kind" CHECK ("kind" IN ('before', 'due', 'escalation')), CONSTRAINT "PK_38715fec7f634b72c6cf7ea4893" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_reminders_case" ON "reminders" ("case_id") `);
    await queryRunner.query(`CREATE INDEX "ix_reminders_recipient" ON "reminders" ("recipient_staff_id", "sent_at") `);
    await queryRunner.query(
      `CREATE INDEX "ix_reminders_unacked" ON "reminders" ("ack_due_at") WHERE "sent_at" IS NOT NULL AND "acknowledged_at" IS NULL AND "escalated_at" IS NULL AND "cancelled_at" IS NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_reminders_unsent_due" ON "reminders" ("send_at") WHERE "sent_at" IS NULL AND "cancelled_at" IS NULL`,
    );
    await queryRunner.query(
      `ALTER TABLE "case_deadlines" ADD CONSTRAINT "fk_case_deadlines_case" FOREIGN KEY ("case_id") REFERENCES "cases"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "case_deadlines" ADD CONSTRAINT "fk_case_deadlines_responsible" FOREIGN KEY ("responsible_staff_id") REFERENCES "staff"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "reminders" ADD CONSTRAINT "fk_reminders_deadline" FOREIGN KEY ("deadline_id") REFERENCES "case_deadlines"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "reminders" ADD CONSTRAINT "fk_reminders_case" FOREIGN KEY ("case_id") REFERENCES "cases"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "reminders" ADD CONSTRAINT "fk_reminders_recipient" FOREIGN KEY ("recipient_staff_id") REFERENCES "staff"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "reminders" ADD CONSTRAINT "fk_reminders_acknowledged_by" FOREIGN KEY ("acknowledged_by_id") REFERENCES "staff"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "reminders" DROP CONSTRAINT "fk_reminders_acknowledged_by"`);
    await queryRunner.query(`ALTER TABLE "reminders" DROP CONSTRAINT "fk_reminders_recipient"`);
    await queryRunner.query(`ALTER TABLE "reminders" DROP CONSTRAINT "fk_reminders_case"`);
    await queryRunner.query(`ALTER TABLE "reminders" DROP CONSTRAINT "fk_reminders_deadline"`);
    await queryRunner.query(`ALTER TABLE "case_deadlines" DROP CONSTRAINT "fk_case_deadlines_responsible"`);
    await queryRunner.query(`ALTER TABLE "case_deadlines" DROP CONSTRAINT "fk_case_deadlines_case"`);
    await queryRunner.query(`DROP INDEX "public"."ix_reminders_unsent_due"`);
    await queryRunner.query(`DROP INDEX "public"."ix_reminders_unacked"`);
    await queryRunner.query(`DROP INDEX "public"."ix_reminders_recipient"`);
    await queryRunner.query(`DROP INDEX "public"."ix_reminders_case"`);
    await queryRunner.query(`DROP TABLE "reminders"`);
    await queryRunner.query(`DROP INDEX "public"."ix_case_deadlines_open_due"`);
    await queryRunner.query(`DROP INDEX "public"."ix_case_deadlines_responsible"`);
    await queryRunner.query(`DROP TABLE "case_deadlines"`);
  }
}
