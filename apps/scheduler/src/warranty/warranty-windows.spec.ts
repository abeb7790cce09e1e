import { handoverRanges, warrantyExpiry, type EffectiveItem } from './warranty-windows';

const heating: EffectiveItem = {
  projectId: 'p',
  code: 'heating',
  name: '供热系统',
  basis: 'heating_seasons',
  amount: 2,
  monthsAhead: 2,
  seasonStart: '11-15',
  seasonEnd: '03-15',
};
const roof: EffectiveItem = {
  projectId: 'p',
  code: 'roof_waterproofing',
  name: '屋面防水',
  basis: 'months',
  amount: 60,
  monthsAhead: 2,
  seasonStart: null,
  seasonEnd: null,
};

describe('warranty expiry', () => {
  it('counts months from handover, clamping to month end', () => {
    expect(warrantyExpiry('2021-06-30', roof)).toBe('2026-06-30');
    expect(warrantyExpiry('2024-02-29', { ...roof, amount: 24 })).toBe('2026-02-28');
  });

  it('ends heating items at the end of the 2nd full season after handover; a season under way does not count', () => {
    // Handed over mid-season (2024-12-01): seasons 2025/26 and 2026/27 count → 2027-03-15.
    expect(warrantyExpiry('2024-12-01', heating)).toBe('2027-03-15');
    // Handed over on the first day of a season: that season is the first full one.
    expect(warrantyExpiry('2024-11-15', heating)).toBe('2026-03-15');
    // Handed over in summer: the coming winter is the first season.
    expect(warrantyExpiry('2024-07-01', heating)).toBe('2026-03-15');
    // A season inside one calendar year (cooling 05-15 → 09-30).
    const cooling = { ...heating, basis: 'cooling_seasons' as const, seasonStart: '05-15', seasonEnd: '09-30' };
    expect(warrantyExpiry('2024-06-01', cooling)).toBe('2026-09-30');
    expect(warrantyExpiry('2024-05-01', cooling)).toBe('2025-09-30');
  });

  it('maps a day of notices to a narrow band of handover dates', () => {
    const [r] = handoverRanges(roof, '2026-06-09', '2026-06-10');
    // due 2026-06-10 → expires 2026-08-10 → handed over 2021-08-10 (± the clamping margin)
    expect(r).toMatchObject({ handoverFrom: '2021-08-06', handoverTo: '2021-08-14' });
    // Heating notices fall due only on 2026-01-15 (two months before 03-15).
    expect(handoverRanges(heating, '2026-06-09', '2026-06-10')).toEqual([]);
    const [h] = handoverRanges(heating, '2026-01-14', '2026-01-15');
    expect(h).toMatchObject({ handoverFrom: '2023-11-16', handoverTo: '2024-11-15' });
    for (const d of ['2023-11-16', '2024-07-01', '2024-11-15']) expect(warrantyExpiry(d, heating)).toBe('2026-03-15');
    expect(warrantyExpiry('2023-11-15', heating)).toBe('2025-03-15');
  });
});
