import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * notification_claim for a batch in one round trip: each row claimed exactly as notification_claim claims it (its
 * per-number advisory lock, the same-text count, pending → sending), in the order of the lock keys so two batches
 * never wait on each other in a cycle. The locks are held until the statement's transaction ends. Answers one row per
 * input row that was pending (n_attempts null: over the same-text limit); rows not pending are left out.
 */
export class NotificationClaimMany1795640000000 implements MigrationInterface {
  name = 'NotificationClaimMany1795640000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE FUNCTION notification_claim_many(p_ids uuid[], p_channels varchar[],
        p_tos varchar[], p_subjects text[], p_bodies text[], p_htmls text[], p_segments integer[], p_now timestamptz,
        p_same_text_max integer)
      RETURNS TABLE (n_id uuid, n_attempts integer, n_same_text integer) LANGUAGE plpgsql VOLATILE AS $fn$
      DECLARE
        k integer;
        c record;
      BEGIN
        FOR k IN
          SELECT t.o FROM unnest(p_tos) WITH ORDINALITY AS t(addr, o)
           ORDER BY hashtextextended('kefu-sms:' || t.addr, 0), t.o
        LOOP
          SELECT x.attempts, x.same_text INTO c
            FROM notification_claim(p_ids[k], p_channels[k], p_tos[k], p_subjects[k], p_bodies[k], p_htmls[k],
                                    p_segments[k], p_now, p_same_text_max) x;
          IF FOUND THEN
            n_id := p_ids[k];
            n_attempts := c.attempts;
            n_same_text := c.same_text;
            RETURN NEXT;
          END IF;
        END LOOP;
      END
      $fn$`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `DROP FUNCTION notification_claim_many(uuid[], varchar[], varchar[], text[], text[], text[], integer[], timestamptz, integer)`,
    );
  }
}
