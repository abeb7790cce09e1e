import { createHash, createHmac, hkdfSync, randomUUID, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@kefu/shared';

/** How long a challenge (and so the form it came with) stays good: long enough to write a complaint and pick photos. */
export const CHALLENGE_TTL_SECONDS = 2 * 3600;

export interface IssuedChallenge {
  /** The string the client hashes with its nonce and sends back: `v1.<id>.<expires unix s>.<bits>.<hmac>`. */
  challenge: string;
  /** 32 hex characters; also the submission's one-time key (intake record external id). */
  id: string;
  bits: number;
  expiresAt: Date;
}

export interface OpenedChallenge {
  id: string;
  bits: number;
  expiresAt: Date;
}

/** Leading zero bits of a digest. */
export function leadingZeroBits(digest: Uint8Array): number {
  let n = 0;
  for (const byte of digest) {
    if (byte === 0) {
      n += 8;
      continue;
    }
    return n + Math.clz32(byte) - 24;
  }
  return n;
}

/** sha256(challenge + nonce) has at least `bits` leading zero bits. */
export function meetsWork(challenge: string, nonce: string, bits: number): boolean {
  if (bits <= 0) return true;
  return (
    leadingZeroBits(
      createHash('sha256')
        .update(challenge + nonce, 'utf8')
        .digest(),
    ) >= bits
  );
}

const NONCE = /^\d{1,16}$/;

/**
 * The web form's self-hosted proof of work. A challenge is stateless: an id, an expiry and the required
 * bits, signed with an HMAC key derived from AUTH_TOKEN_SECRET for this purpose only (HKDF, label
 * 'kefu-web-form-pow'), so a client can neither forge one nor lower its difficulty. That each one works
 * once is kept in Postgres: the challenge id is the web intake record's external id, unique per source.
 */
@Injectable()
export class PowChallenges {
  private readonly key: Buffer;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.key = Buffer.from(hkdfSync('sha256', config.AUTH_TOKEN_SECRET, 'kefu', 'kefu-web-form-pow', 32));
  }

  /** Leading zero bits now required; 0 = proof of work off (the challenge is still the submission key). */
  get bits(): number {
    return this.config.WEB_FORM_POW_BITS;
  }

  issue(now = new Date()): IssuedChallenge {
    // A v4 UUID's 122 random bits, as 32 hex digits: randomUUID draws from a cached pool of entropy, where
    // randomBytes(16) asked the kernel on every call (1.5 % of a web submission's CPU in bench:intake).
    const id = randomUUID().replace(/-/g, '');
    const exp = Math.floor(now.getTime() / 1000) + CHALLENGE_TTL_SECONDS;
    const payload = `v1.${id}.${exp}.${this.bits}`;
    return { challenge: `${payload}.${this.sign(payload)}`, id, bits: this.bits, expiresAt: new Date(exp * 1000) };
  }

  /** The challenge's contents if we signed it (expired or not); null for anything forged or mangled. */
  open(challenge: string): OpenedChallenge | null {
    const m = /^v1\.([0-9a-f]{32})\.(\d{1,12})\.(\d{1,2})\.([A-Za-z0-9_-]{43})$/.exec(challenge);
    if (!m) return null;
    const [, id = '', exp = '', bits = '', sig = ''] = m;
    const expected = Buffer.from(this.sign(`v1.${id}.${exp}.${bits}`));
    const given = Buffer.from(sig);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
    return { id, bits: Number(bits), expiresAt: new Date(Number(exp) * 1000) };
  }

  /**
   * Whether the nonce does the work: the challenge's own bits, and never fewer than are required now
   * (a challenge issued before the setting was raised is refused, not waved through).
   */
  solved(challenge: string, opened: OpenedChallenge, nonce: string): boolean {
    const need = Math.max(opened.bits, this.bits);
    if (need === 0) return true;
    return NONCE.test(nonce) && meetsWork(challenge, nonce, need);
  }

  private sign(payload: string): string {
    return createHmac('sha256', this.key).update(payload).digest('base64url');
  }
}
