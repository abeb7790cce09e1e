import { testConfigWithoutDatabase } from './testing/config';
import { leadingZeroBits, meetsWork, PowChallenges } from './pow.service';
import { solve, unsolved } from './testing/fixtures';

describe('web-form proof of work', () => {
  const pow = new PowChallenges(testConfigWithoutDatabase({ WEB_FORM_POW_BITS: '8' }));

  it('counts leading zero bits', () => {
    expect(leadingZeroBits(new Uint8Array([0x00, 0x00, 0x80]))).toBe(16);
    expect(leadingZeroBits(new Uint8Array([0x00, 0x1f]))).toBe(11);
    expect(leadingZeroBits(new Uint8Array([0xff]))).toBe(0);
    expect(leadingZeroBits(new Uint8Array([0, 0]))).toBe(16);
  });

  it('opens its own challenges and nothing else', () => {
    const c = pow.issue(new Date('2026-11-23T02:00:00Z'));
    expect(c.challenge).toMatch(/^v1\.[0-9a-f]{32}\.\d+\.8\.[A-Za-z0-9_-]{43}$/);
    expect(pow.open(c.challenge)).toEqual({ id: c.id, bits: 8, expiresAt: new Date('2026-11-23T04:00:00Z') });
    // Lowering the difficulty or extending the expiry breaks the signature.
    expect(pow.open(c.challenge.replace('.8.', '.1.'))).toBeNull();
    const [v, id, exp, bits, sig] = c.challenge.split('.');
    expect(pow.open([v, id, String(Number(exp) + 3600), bits, sig].join('.'))).toBeNull();
    expect(pow.open(`${c.challenge.slice(0, -1)}${c.challenge.endsWith('A') ? 'B' : 'A'}`)).toBeNull();
    // Another secret, another key.
    const other = new PowChallenges(
      testConfigWithoutDatabase({
        WEB_FORM_POW_BITS: '8',
        AUTH_TOKEN_SECRET: 'another-secret-another-secret-another-1',
      }),
    );
    expect(other.open(c.challenge)).toBeNull();
  });

  it('accepts a nonce that does the work and refuses one that does not', () => {
    const c = pow.issue();
    const opened = pow.open(c.challenge)!;
    const good = solve(c.challenge, 8);
    expect(meetsWork(c.challenge, good, 8)).toBe(true);
    expect(pow.solved(c.challenge, opened, good)).toBe(true);
    expect(pow.solved(c.challenge, opened, unsolved(c.challenge, 8))).toBe(false);
    expect(pow.solved(c.challenge, opened, `${good}x`)).toBe(false);
  });

  it('needs no work when switched off', () => {
    const off = new PowChallenges(testConfigWithoutDatabase({ WEB_FORM_POW_BITS: '0' }));
    const c = off.issue();
    expect(off.solved(c.challenge, off.open(c.challenge)!, '')).toBe(true);
  });
});
