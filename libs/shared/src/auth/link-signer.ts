import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

const EXPIRY_BYTES = 4;
const MAC_BYTES = 16;

/**
 * Short signed links for people who have no login (an owner's return-visit page): the token is
 * base64url(payload ‖ expiry as unix seconds ‖ HMAC-SHA256 truncated to 128 bits), keyed by a key derived
 * with HKDF from AUTH_TOKEN_SECRET and the link's purpose, so a token of one purpose never passes for
 * another, nor for a staff token. Short enough for an SMS. It proves what the link is for and until when;
 * that it works once is Postgres' job (a unique constraint where it is used).
 */
export class LinkSigner {
  private readonly key: Buffer;

  constructor(secret: string, purpose: string) {
    this.key = Buffer.from(hkdfSync('sha256', secret, 'kefu-links', purpose, 32));
  }

  sign(payload: Buffer, expiresAt: Date): string {
    const expiry = Buffer.alloc(EXPIRY_BYTES);
    expiry.writeUInt32BE(Math.min(Math.floor(expiresAt.getTime() / 1000), 0xffffffff));
    const body = Buffer.concat([payload, expiry]);
    return Buffer.concat([body, this.mac(body)]).toString('base64url');
  }

  /** The payload and expiry if the signature holds (the caller judges the expiry by its clock); null if forged or malformed. */
  verify(token: string, payloadBytes: number): { payload: Buffer; expiresAt: Date } | null {
    if (!/^[A-Za-z0-9_-]{1,200}$/.test(token)) return null;
    const raw = Buffer.from(token, 'base64url');
    if (raw.length !== payloadBytes + EXPIRY_BYTES + MAC_BYTES) return null;
    const body = raw.subarray(0, payloadBytes + EXPIRY_BYTES);
    const given = raw.subarray(payloadBytes + EXPIRY_BYTES);
    if (!timingSafeEqual(given, this.mac(body))) return null;
    return {
      payload: Buffer.from(body.subarray(0, payloadBytes)),
      expiresAt: new Date(body.readUInt32BE(payloadBytes) * 1000),
    };
  }

  private mac(body: Buffer): Buffer {
    return createHmac('sha256', this.key).update(body).digest().subarray(0, MAC_BYTES);
  }
}

/** A uuid as its 16 bytes, and back. */
export const uuidBytes = (id: string): Buffer => Buffer.from(id.replace(/-/g, ''), 'hex');
export const uuidFromBytes = (b: Buffer): string =>
  b.toString('hex').replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5');
