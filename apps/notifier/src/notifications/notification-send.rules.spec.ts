import { fallbackRequest, providerSource, type FallbackSource } from './notification-send.rules';

describe('notification send rules', () => {
  it('names the provider that answered for a channel', () => {
    expect([providerSource('sms'), providerSource('email'), providerSource('letter'), providerSource(null)]).toEqual([
      'twilio',
      'smtp',
      'ems',
      'notifier',
    ]);
  });

  it('builds the next channel’s request with the fallback key, the same recipient and source', () => {
    const now = new Date('2026-01-05T02:00:00Z');
    const n = {
      id: 'n1',
      kind: 'case_reply',
      idempotencyKey: 'k1',
      fallbackOfId: null,
      recipientType: 'staff',
      ownerId: null,
      staffId: 's1',
      caseId: null,
      sourceType: 'notice',
      sourceId: 'x1',
      variables: { a: '1' },
      urgent: false,
      late: false,
    } as unknown as FallbackSource;
    const r = fallbackRequest(n, 'email', now);
    expect(r).toMatchObject({
      kind: 'case_reply',
      channel: 'email',
      recipient: { staffId: 's1' },
      variables: { a: '1' },
      notBefore: now,
      source: { type: 'notice', id: 'x1' },
      fallbackOf: 'n1',
    });
    expect(r.idempotencyKey).toContain('k1');
    expect('caseId' in r).toBe(false);
  });
});
