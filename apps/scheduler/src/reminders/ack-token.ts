import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

/**
 * The one-click acknowledgement link's token: `<reminder id>.<expiry, unix seconds>.<HMAC-SHA256>`,
 * base64url, keyed by a key derived with HKDF from AUTH_TOKEN_SECRET (so a staff token can never pass
 * for a link and the other way round). It proves who may acknowledge what until when; that it works
 * once is Postgres' job (reminders.acknowledged_at).
 */
export class AckTokens {
  private readonly key: Buffer;

  constructor(secret: string) {
    this.key = Buffer.from(hkdfSync('sha256', secret, 'kefu-scheduler', 'reminder-ack-link v1', 32));
  }

  sign(reminderId: string, expiresAt: Date): string {
    const body = `${reminderId}.${Math.floor(expiresAt.getTime() / 1000)}`;
    return `${Buffer.from(body).toString('base64url')}.${this.mac(body)}`;
  }

  /** The reminder id and expiry if the signature holds (expiry is for the caller to judge against its clock); null if forged or malformed. */
  verify(token: string): { reminderId: string; expiresAt: Date } | null {
    const m = /^([A-Za-z0-9_-]{10,120})\.([A-Za-z0-9_-]{43})$/.exec(token);
    if (!m) return null;
    const body = Buffer.from(m[1]!, 'base64url').toString('utf8');
    const expected = Buffer.from(this.mac(body), 'base64url');
    const given = Buffer.from(m[2]!, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
    const parts = /^([0-9a-f-]{36})\.(\d{1,12})$/.exec(body);
    if (!parts) return null;
    return { reminderId: parts[1]!, expiresAt: new Date(Number(parts[2]) * 1000) };
  }

  private mac(body: string): string {
    return createHmac('sha256', this.key).update(body).digest('base64url');
  }
}
