import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The web form's challenge is spent by its intake record (source 'web', external id = challenge id, unique),
 * written in the transaction that creates the case; the separate used_challenges table said the same thing twice.
 */
export class DropUsedChallenges1795448000000 implements MigrationInterface {
  name = 'DropUsedChallenges1795448000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "used_challenges"`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "used_challenges" ("challenge_id" character varying(64) NOT NULL, "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_283bca40de5219ce246bd99d0b8" PRIMARY KEY ("challenge_id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_used_challenges_expires" ON "used_challenges" ("expires_at") `);
  }
}
