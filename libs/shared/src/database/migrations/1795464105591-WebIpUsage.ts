import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The web form's per-address limit kept in a row per address (web_ip_usage) instead of counted over the
 * web intake records under an advisory lock: the row's lock, taken by the statement that writes the
 * submission's case, serialises one address's submissions, so the check and the write are one statement
 * with no transaction around it. The last hour's submissions are carried over, so nobody's count resets
 * on deployment; the expression index that served the count goes.
 */
export class WebIpUsage1795464105591 implements MigrationInterface {
  name = 'WebIpUsage1795464105591';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."ix_intake_records_web_ip"`);
    await queryRunner.query(
      `CREATE TABLE "web_ip_usage" ("ip_hash" character varying(32) NOT NULL, "hits" TIMESTAMP WITH TIME ZONE array NOT NULL DEFAULT '{}', "no_js_hits" TIMESTAMP WITH TIME ZONE array NOT NULL DEFAULT '{}', "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_a28b973eedebbe5292f46956b09" PRIMARY KEY ("ip_hash"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_web_ip_usage_updated" ON "web_ip_usage" ("updated_at") `);
    await queryRunner.query(`
      INSERT INTO "web_ip_usage" ("ip_hash", "hits", "no_js_hits", "updated_at")
      SELECT raw->'client'->>'ipHash', array_agg(received_at ORDER BY received_at),
             coalesce(array_agg(received_at ORDER BY received_at) FILTER (WHERE raw->'client'->>'pow' = 'none'), '{}'), max(received_at)
        FROM "intake_records"
       WHERE source = 'web' AND received_at > now() - interval '1 hour' AND raw->'client'->>'ipHash' ~ '^[0-9a-f]{32}$'
       GROUP BY 1`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."ix_web_ip_usage_updated"`);
    await queryRunner.query(`DROP TABLE "web_ip_usage"`);
    await queryRunner.query(
      `CREATE INDEX "ix_intake_records_web_ip" ON "intake_records" ((raw->'client'->>'ipHash'), "received_at") WHERE "source" = 'web'`,
    );
  }
}
