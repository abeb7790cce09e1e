import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The notifier's claim (pending → sending with the rendered message) in one round trip. For an SMS the same-text
 * limit is counted under a per-number advisory lock first: in a VOLATILE plpgsql function each statement takes a
 * fresh snapshot, so the count after the lock sees every send committed by whoever held it before (one SQL statement
 * could not: its snapshot predates the lock). The lock is held until the caller's transaction ends (the statement's
 * own, when called alone). Returns the new attempt number (null when the row was not pending or its notice holds it)
 * and how many times the same text already went to the number in the 24 hours before p_now.
 */
export class NotificationClaim1795615000000 implements MigrationInterface {
  name = 'NotificationClaim1795615000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE FUNCTION notification_claim(p_id uuid, p_channel varchar, p_to varchar,
        p_subject text, p_body text, p_html text, p_segments integer, p_now timestamptz, p_same_text_max integer)
      RETURNS TABLE (attempts integer, same_text integer) LANGUAGE plpgsql VOLATILE AS $fn$
      DECLARE
        n integer := 0;
      BEGIN
        IF p_channel = 'sms' THEN
          PERFORM pg_advisory_xact_lock(hashtextextended('kefu-sms:' || p_to, 0));
          SELECT count(*)::int INTO n FROM notifications x
           WHERE x.to_address = p_to AND x.channel = 'sms' AND x.id <> p_id
             AND x.sent_at > p_now - interval '24 hours'
             AND x.status IN ('sending', 'sent', 'delivered', 'undelivered') AND md5(x.body) = md5(p_body);
          IF n >= p_same_text_max THEN
            RETURN QUERY SELECT NULL::integer, n;
            RETURN;
          END IF;
        END IF;
        RETURN QUERY
          UPDATE notifications u SET status = 'sending', channel = p_channel, attempts = u.attempts + 1,
                 to_address = p_to, subject = p_subject, body = p_body, html = p_html, segments = p_segments,
                 sent_at = p_now, provider_id = NULL, error_code = NULL, error_message = NULL, updated_at = now()
           WHERE u.id = p_id AND u.status = 'pending'
             AND NOT (u.source_type = 'notice' AND EXISTS (
               SELECT 1 FROM notices h WHERE h.id = u.source_id AND h.status IN ('paused', 'cancelled')))
          RETURNING u.attempts, n;
      END
      $fn$`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `DROP FUNCTION notification_claim(uuid, varchar, varchar, text, text, text, integer, timestamptz, integer)`,
    );
  }
}
