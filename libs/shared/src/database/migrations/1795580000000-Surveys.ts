import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Owner satisfaction surveys (libs/shared/src/owner-care/surveys.ts): questionnaire versions, rounds, invitations,
 * answers; the notification kind survey_invitation; version 1 of the owners' questionnaire (defaultOwnerSurvey).
 */
export class Surveys1795580000000 implements MigrationInterface {
  name = 'Surveys1795580000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "survey_questionnaires" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "code" character varying(40) NOT NULL, "version" integer NOT NULL, "title" character varying(200) NOT NULL, "questions" jsonb NOT NULL, "created_by_id" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "uq_survey_questionnaires_code_version" UNIQUE ("code", "version"), CONSTRAINT "ck_survey_questionnaires_version" CHECK ("version" >= 1), CONSTRAINT "PK_fb221890e4046b2d2a71ce8042c" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "survey_rounds" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "project_id" uuid NOT NULL, "month" date NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "uq_survey_rounds_project_month" UNIQUE ("project_id", "month"), CONSTRAINT "ck_survey_rounds_month" CHECK (date_trunc('month', "month") = "month"), CONSTRAINT "PK_5f7ead95c8cdbf58f07fadda9cf" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "survey_invitations" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "round_id" uuid NOT NULL, "owner_id" uuid NOT NULL, "unit_id" uuid NOT NULL, "project_id" uuid NOT NULL, "questionnaire_id" uuid NOT NULL, "occasion" character varying(20) NOT NULL, "due_on" date NOT NULL, "life_stage" character varying(20) NOT NULL, "late" boolean NOT NULL DEFAULT false, "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "reminded_at" TIMESTAMP WITH TIME ZONE, "answered_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "uq_survey_invitations_owner_unit_occasion" UNIQUE ("owner_id", "unit_id", "occasion"), CONSTRAINT "ck_survey_invitations_life_stage" CHECK ("life_stage" IN ('prospective', 'settling', 'stable', 'established')), CONSTRAINT "PK_8a42ab5d797ea8f45e4155ebbc2" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_survey_invitations_reminder" ON "survey_invitations" ("created_at") WHERE "answered_at" IS NULL AND "reminded_at" IS NULL`,
    );
    await queryRunner.query(`CREATE INDEX "ix_survey_invitations_round" ON "survey_invitations" ("round_id") `);
    await queryRunner.query(
      `CREATE TABLE "survey_answers" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "invitation_id" uuid NOT NULL, "questionnaire_id" uuid NOT NULL, "overall" smallint NOT NULL, "buy_again" smallint NOT NULL, "recommend" smallint NOT NULL, "scores" jsonb NOT NULL, "texts" jsonb NOT NULL, "via" character varying(10) NOT NULL, "recorded_by_id" uuid, "case_id" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "uq_survey_answers_invitation" UNIQUE ("invitation_id"), CONSTRAINT "ck_survey_answers_scores" CHECK ("overall" BETWEEN 1 AND 5 AND "buy_again" BETWEEN 1 AND 5 AND "recommend" BETWEEN 1 AND 5), CONSTRAINT "ck_survey_answers_via" CHECK ("via" IN ('link', 'paper')), CONSTRAINT "PK_e4cab112318f766c93435f77a1a" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_survey_answers_created" ON "survey_answers" ("created_at") `);
    await queryRunner.query(
      `ALTER TABLE "survey_questionnaires" ADD CONSTRAINT "fk_survey_questionnaires_created_by" FOREIGN KEY ("created_by_id") REFERENCES "staff"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "survey_rounds" ADD CONSTRAINT "fk_survey_rounds_project" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "survey_invitations" ADD CONSTRAINT "fk_survey_invitations_round" FOREIGN KEY ("round_id") REFERENCES "survey_rounds"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "survey_invitations" ADD CONSTRAINT "fk_survey_invitations_owner" FOREIGN KEY ("owner_id") REFERENCES "owners"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "survey_invitations" ADD CONSTRAINT "fk_survey_invitations_unit" FOREIGN KEY ("unit_id") REFERENCES "units"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "survey_invitations" ADD CONSTRAINT "fk_survey_invitations_project" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "survey_invitations" ADD CONSTRAINT "fk_survey_invitations_questionnaire" FOREIGN KEY ("questionnaire_id") REFERENCES "survey_questionnaires"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "survey_answers" ADD CONSTRAINT "fk_survey_answers_invitation" FOREIGN KEY ("invitation_id") REFERENCES "survey_invitations"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "survey_answers" ADD CONSTRAINT "fk_survey_answers_questionnaire" FOREIGN KEY ("questionnaire_id") REFERENCES "survey_questionnaires"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "survey_answers" ADD CONSTRAINT "fk_survey_answers_recorded_by" FOREIGN KEY ("recorded_by_id") REFERENCES "staff"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "survey_answers" ADD CONSTRAINT "fk_survey_answers_case" FOREIGN KEY ("case_id") REFERENCES "cases"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_owner_units_current_since" ON "owner_units" ("since") WHERE "until" IS NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_owner_units_current_moved_in" ON "owner_units" ("moved_in_on") WHERE "until" IS NULL AND "moved_in_on" IS NOT NULL`,
    );
    await queryRunner.query(`ALTER TABLE "notifications" DROP CONSTRAINT "ck_notifications_kind"`);
    await queryRunner.query(
      `ALTER TABLE "notifications" ADD CONSTRAINT "ck_notifications_kind" CHECK ("kind" IN ('case_acknowledgement', 'case_reply', 'staff_reminder', 'escalation', 'staff_digest', 'warranty_expiry', 'certificate_collection', 'return_visit_request', 'survey_invitation'))`,
    );
    await queryRunner.query(
      `INSERT INTO "survey_questionnaires" ("code", "version", "title", "questions") VALUES ('owner-satisfaction', 1, '业主满意度调查', $1::jsonb)`,
      [
        JSON.stringify([
          { id: 'overall', type: 'scale', label: '您对公司产品和服务的总体表现是否满意？', required: true },
          { id: 'buy_again', type: 'scale', label: '如果再次购房，您是否愿意再选择我们公司的房子？', required: true },
          { id: 'recommend', type: 'scale', label: '您是否愿意向亲友推荐我们公司的房子？', required: true },
          { id: 'house_quality', type: 'scale', label: '房屋质量（土建、门窗、渗漏等）', required: true },
          { id: 'design', type: 'scale', label: '规划设计质量（户型、环境、配套布局）', required: true },
          { id: 'sales_service', type: 'scale', label: '销售服务（签约、按揭、信息披露、承诺履行）', required: true },
          { id: 'handover_service', type: 'scale', label: '入伙（交付）服务', required: true },
          { id: 'repair_service', type: 'scale', label: '维修和保修服务', required: true },
          { id: 'property_service', type: 'scale', label: '物业服务（安全、清洁、绿化、车辆）', required: true },
          { id: 'amenities', type: 'scale', label: '周边配套（含交通）', required: true },
          { id: 'comments', type: 'text', label: '您的意见和建议', required: false },
        ]),
      ],
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."ix_owner_units_current_moved_in"`);
    await queryRunner.query(`DROP INDEX "public"."ix_owner_units_current_since"`);
    await queryRunner.query(`DELETE FROM "notifications" WHERE "kind" = 'survey_invitation'`);
    await queryRunner.query(`ALTER TABLE "notifications" DROP CONSTRAINT "ck_notifications_kind"`);
    await queryRunner.query(
      `ALTER TABLE "notifications" ADD CONSTRAINT "ck_notifications_kind" CHECK ("kind" IN ('case_acknowledgement', 'case_reply', 'staff_reminder', 'escalation', 'staff_digest', 'warranty_expiry', 'certificate_collection', 'return_visit_request'))`,
    );
    await queryRunner.query(`ALTER TABLE "survey_answers" DROP CONSTRAINT "fk_survey_answers_case"`);
    await queryRunner.query(`ALTER TABLE "survey_answers" DROP CONSTRAINT "fk_survey_answers_recorded_by"`);
    await queryRunner.query(`ALTER TABLE "survey_answers" DROP CONSTRAINT "fk_survey_answers_questionnaire"`);
    await queryRunner.query(`ALTER TABLE "survey_answers" DROP CONSTRAINT "fk_survey_answers_invitation"`);
    await queryRunner.query(`ALTER TABLE "survey_invitations" DROP CONSTRAINT "fk_survey_invitations_questionnaire"`);
    await queryRunner.query(`ALTER TABLE "survey_invitations" DROP CONSTRAINT "fk_survey_invitations_project"`);
    await queryRunner.query(`ALTER TABLE "survey_invitations" DROP CONSTRAINT "fk_survey_invitations_unit"`);
    await queryRunner.query(`ALTER TABLE "survey_invitations" DROP CONSTRAINT "fk_survey_invitations_owner"`);
    await queryRunner.query(`ALTER TABLE "survey_invitations" DROP CONSTRAINT "fk_survey_invitations_round"`);
    await queryRunner.query(`ALTER TABLE "survey_rounds" DROP CONSTRAINT "fk_survey_rounds_project"`);
    await queryRunner.query(
      `ALTER TABLE "survey_questionnaires" DROP CONSTRAINT "fk_survey_questionnaires_created_by"`,
    );
    await queryRunner.query(`DROP INDEX "public"."ix_survey_answers_created"`);
    await queryRunner.query(`DROP TABLE "survey_answers"`);
    await queryRunner.query(`DROP INDEX "public"."ix_survey_invitations_round"`);
    await queryRunner.query(`DROP INDEX "public"."ix_survey_invitations_reminder"`);
    await queryRunner.query(`DROP TABLE "survey_invitations"`);
    await queryRunner.query(`DROP TABLE "survey_rounds"`);
    await queryRunner.query(`DROP TABLE "survey_questionnaires"`);
  }
}
