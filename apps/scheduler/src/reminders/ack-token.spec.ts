import { AckTokens } from './ack-token';
import { advanceReminderAt } from './steps';
import { createBusinessCalendar } from '@kefu/shared';

describe('acknowledgement link tokens', () => {
  const tokens = new AckTokens('x'.repeat(40));
  const id = '4f1c2a9e-8d3b-4c1e-9a7f-2b6d5e8c1a30';

  it('carries the reminder id and expiry, signed', () => {
    const t = tokens.sign(id, new Date('2026-10-01T00:00:00Z'));
    expect(t).toMatch(/^[\w-]+\.[\w-]{43}$/);
    expect(tokens.verify(t)).toEqual({ reminderId: id, expiresAt: new Date('2026-10-01T00:00:00Z') });
  });

  it('refuses a changed expiry, a changed id, another key and garbage', () => {
    const t = tokens.sign(id, new Date('2026-10-01T00:00:00Z'));
    const mac = t.split('.')[1]!;
    expect(tokens.verify(`${Buffer.from(`${id}.9999999999`).toString('base64url')}.${mac}`)).toBeNull();
    expect(
      tokens.verify(`${Buffer.from(`${id.replace('4f', '5f')}.1790812800`).toString('base64url')}.${mac}`),
    ).toBeNull();
    expect(new AckTokens('y'.repeat(40)).verify(t)).toBeNull();
    for (const junk of ['', 'abc', `${t}x`, `${t.split('.')[0]}.${'A'.repeat(43)}`, '../../etc/passwd'])
      expect(tokens.verify(junk)).toBeNull();
  });
});

describe('advance reminder time', () => {
  const calendar = createBusinessCalendar({
    BUSINESS_TIME_ZONE: 'Asia/Shanghai',
    WORKING_HOURS: [
      { start: '09:00', end: '12:00' },
      { start: '13:00', end: '18:00' },
    ],
  });
  const sh = (local: string) => new Date(`${local.replace(' ', 'T')}:00+08:00`);

  it('counts the window in working time, skipping National Day', () => {
    expect(advanceReminderAt(calendar, sh('2026-09-30 14:00'), sh('2026-10-09 18:00'), 80)).toEqual(
      sh('2026-10-09 14:00'),
    );
  });

  it('splits a window with no working time in it in clock time', () => {
    expect(advanceReminderAt(calendar, sh('2026-10-03 22:00'), sh('2026-10-03 22:10'), 80)).toEqual(
      sh('2026-10-03 22:08'),
    );
  });
});
