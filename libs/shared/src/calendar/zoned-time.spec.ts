import { zoneOffsetMs } from './zoned-time';

const at = (iso: string) => Date.parse(iso);
const h = 3600_000;

describe('zoneOffsetMs (cached per quarter hour)', () => {
  it('gives each side of a change inside a quarter hour its own offset, asked in either order', () => {
    // Shanghai left local mean time (+8:05:43) for +8:00 at 1900-12-31T15:54:17Z, mid quarter hour.
    const before = at('1900-12-31T15:54:16Z');
    const after = at('1900-12-31T15:54:17Z');
    expect(zoneOffsetMs(after, 'Asia/Shanghai')).toBe(8 * h);
    expect(zoneOffsetMs(before, 'Asia/Shanghai')).toBe(8 * h + 5 * 60_000 + 43_000);
    expect(zoneOffsetMs(after + 1000, 'Asia/Shanghai')).toBe(8 * h);
  });

  it('keeps daylight saving changes on a quarter-hour edge apart, and zones apart', () => {
    // New York springs forward at 2026-03-08T07:00:00Z.
    expect(zoneOffsetMs(at('2026-03-08T06:59:59.999Z'), 'America/New_York')).toBe(-5 * h);
    expect(zoneOffsetMs(at('2026-03-08T07:00:00Z'), 'America/New_York')).toBe(-4 * h);
    expect(zoneOffsetMs(at('2026-03-08T06:50:00Z'), 'America/New_York')).toBe(-5 * h);
    expect(zoneOffsetMs(at('2026-03-08T07:00:00Z'), 'Asia/Shanghai')).toBe(8 * h);
  });
});
