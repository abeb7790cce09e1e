import type { MigrationInterface, QueryRunner } from 'typeorm';

const steps = (extra: string[]) =>
  ['firstReply', 'departmentPlan', 'departmentAnalysis', 'reportToHead', 'solution', 'engineerContact', 'siteSurvey']
    .concat(extra)
    .map((s) => `'${s}'`)
    .join(', ');

/**
 * A deadline can be done by a recorded act (the handling plan, the site survey, the head's acknowledgement, the
 * return visit), not only by the case's status: `done_at`. The return visit and a department's hand-over of a
 * complaint it received itself (003 §9.2.4) become deadlines of their own, and the
 * scheduler's 10-day upgrade of unresolved complaints gets its index.
 */
export class DeadlinesDone1795540000000 implements MigrationInterface {
  name = 'DeadlinesDone1795540000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "case_deadlines" ADD "done_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "case_deadlines" DROP CONSTRAINT "ck_case_deadlines_step"`);
    await queryRunner.query(
      `ALTER TABLE "case_deadlines" ADD CONSTRAINT "ck_case_deadlines_step" CHECK ("step" IN (${steps(['returnVisit', 'transferToCs', 'selfHandledFiling', 'inspectionNotice'])}))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_cases_minor_complaints_open" ON "cases" ("received_at") WHERE "type" = 'complaint' AND "severity" = 'minor' AND "status" IN ('new', 'accepted', 'assigned', 'replied')`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."ix_cases_minor_complaints_open"`);
    await queryRunner.query(
      `DELETE FROM "case_deadlines" WHERE "step" IN ('returnVisit', 'transferToCs', 'selfHandledFiling', 'inspectionNotice')`,
    );
    await queryRunner.query(`ALTER TABLE "case_deadlines" DROP CONSTRAINT "ck_case_deadlines_step"`);
    await queryRunner.query(
      `ALTER TABLE "case_deadlines" ADD CONSTRAINT "ck_case_deadlines_step" CHECK ("step" IN (${steps([])}))`,
    );
    await queryRunner.query(`ALTER TABLE "case_deadlines" DROP COLUMN "done_at"`);
  }
}
