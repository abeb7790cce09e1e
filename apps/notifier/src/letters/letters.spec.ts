import { letterStatusesBefore, parseChinaTime, parseTrackingCsv, trackingEvent } from './tracking';
import { checkWaybill, s10CheckDigit } from './waybill';

describe('EMS waybill numbers', () => {
  it('computes the UPU S10 check digit, 10 → 0 and 11 → 5', () => {
    expect(s10CheckDigit('12345678')).toBe(5);
    // weighted sums 1→ 11-(sum%11)=10 and =11 cases
    expect(s10CheckDigit('00000000')).toBe(5);
    const ten = [...Array(100_000).keys()]
      .map((n) => String(n).padStart(8, '0'))
      .find((s) => {
        const sum = [...s].reduce((a, d, i) => a + Number(d) * [8, 6, 4, 2, 3, 5, 9, 7][i]!, 0);
        return 11 - (sum % 11) === 10;
      })!;
    expect(s10CheckDigit(ten)).toBe(0);
  });

  it('accepts S10 numbers with the right check digit and 13-digit domestic numbers; names what is wrong otherwise', () => {
    expect(checkWaybill(' ea123456785cn ')).toEqual({ ok: true, waybill: 'EA123456785CN', kind: 's10' });
    expect(checkWaybill('1123456789012')).toEqual({ ok: true, waybill: '1123456789012', kind: 'domestic' });
    expect(checkWaybill('EA123456784CN')).toEqual({ ok: false, reason: expect.stringContaining('expected 5') });
    expect(checkWaybill('EA12345678CN')).toEqual({ ok: false, reason: expect.stringContaining('12 characters') });
    expect(checkWaybill('E1123456785CN')).toEqual({ ok: false, reason: expect.stringContaining('neither') });
  });
});

describe('tracking export', () => {
  it('maps China Post wording to events, failed delivery before delivered', () => {
    expect(trackingEvent('收寄')).toBe('accepted');
    expect(trackingEvent('离开【深圳邮区中心】，发往【广州】')).toBe('in_transit');
    expect(trackingEvent('到达')).toBe('in_transit');
    expect(trackingEvent('派送中')).toBe('out_for_delivery');
    expect(trackingEvent('妥投')).toBe('signed_for');
    expect(trackingEvent('未妥投')).toBe('undelivered');
    expect(trackingEvent('退回')).toBe('returned');
    expect(trackingEvent('退件')).toBe('returned');
    expect(trackingEvent('喝茶')).toBeNull();
    expect(letterStatusesBefore('out_for_delivery')).toContain('undelivered');
    expect(letterStatusesBefore('in_transit')).not.toContain('signed_for');
  });

  it('reads times as China time and refuses impossible ones', () => {
    expect(parseChinaTime('2026-10-02 09:15:00')?.toISOString()).toBe('2026-10-02T01:15:00.000Z');
    expect(parseChinaTime('2026/10/2 9:15')?.toISOString()).toBe('2026-10-02T01:15:00.000Z');
    expect(parseChinaTime('2026-02-30 09:15')).toBeNull();
    expect(parseChinaTime('yesterday')).toBeNull();
  });

  it('reports bad rows by line number and a header it cannot use', () => {
    const r = parseTrackingCsv(
      '邮件号,时间,处理动作,地点,签收人\nEA123456785CN,2026-10-02 09:15:00,收寄,深圳,\n,2026-10-02 10:00,到达,,\nEA123456785CN,soon,到达,,\nEA123456785CN,2026-10-03 10:00,喝茶,,\n',
    );
    expect(r.rows.map((x) => [x.row, x.event])).toEqual([[2, 'accepted']]);
    expect(r.problems).toEqual([
      { row: 3, message: 'no waybill number' },
      { row: 4, waybill: 'EA123456785CN', message: expect.stringContaining('"soon"') },
      { row: 5, waybill: 'EA123456785CN', message: 'unknown action "喝茶"' },
    ]);
    expect(parseTrackingCsv('a,b\n1,2\n').problems[0]).toMatchObject({
      row: 1,
      message: expect.stringContaining('邮件号'),
    });
  });
});
