import { decideWarranty, itemOfDescription, WARRANTY_KEYWORDS, type UnitWarrantyItem } from './warranty-standing';

const items: UnitWarrantyItem[] = [
  { code: 'roof_waterproofing', name: '屋面防水', expiresOn: '2029-03-01' },
  { code: 'wet_room_waterproofing', name: '卫生间、房间防渗漏', expiresOn: '2029-03-01' },
  { code: 'heating', name: '供热系统', expiresOn: '2026-03-15' },
  { code: 'water_supply_drainage', name: '给排水管道', expiresOn: '2026-03-01' },
  { code: 'lamps_switches', name: '灯具、电器开关', expiresOn: '2024-09-01' },
  { code: 'doors_windows', name: '门窗翘裂、五金件', expiresOn: '2025-03-01' },
  { code: 'elevator', name: '电梯、扶梯', expiresOn: '2027-03-01' }, // an estate's own item, not in the table
];
const unit = { handoverDate: '2024-03-01', items };

describe('itemOfDescription', () => {
  it('prefers the more specific item: pipes and radiators over the room, the roof over the room', () => {
    expect(itemOfDescription('卫生间漏水，楼下天花板也渗水了', items)?.code).toBe('wet_room_waterproofing');
    expect(itemOfDescription('厨房下水管漏水', items)?.code).toBe('water_supply_drainage');
    expect(itemOfDescription('暖气片漏水', items)?.code).toBe('heating');
    expect(itemOfDescription('顶层屋面漏水', items)?.code).toBe('roof_waterproofing');
    expect(itemOfDescription('卧室窗户关不严', items)?.code).toBe('doors_windows');
  });

  it("finds an estate's own item by the parts of its name, and names nothing when no word fits", () => {
    expect(itemOfDescription('3号电梯经常停', items)).toEqual({ code: 'elevator', word: '电梯' });
    expect(itemOfDescription('请派人上门检查一下', items)).toBeNull();
  });

  it('lists each item code once', () => {
    const codes = WARRANTY_KEYWORDS.map(([c]) => c);
    expect(new Set(codes).size).toBe(codes.length);
  });
});

describe('decideWarranty', () => {
  it('judges by the named item; its last day is still in warranty', () => {
    expect(decideWarranty('卫生间漏水', '2029-03-01', unit)).toMatchObject({
      status: 'in_warranty',
      itemCode: 'wet_room_waterproofing',
      expiresOn: '2029-03-01',
    });
    expect(decideWarranty('卫生间漏水', '2029-03-02', unit).status).toBe('out_of_warranty');
  });

  it('without a named item: in warranty while the shortest runs, out once the longest ended, else unknown', () => {
    expect(decideWarranty('上门检查', '2024-08-01', unit)).toMatchObject({
      status: 'in_warranty',
      itemCode: 'lamps_switches',
      basis: { by: 'shortest' },
    });
    expect(decideWarranty('上门检查', '2026-11-23', unit)).toMatchObject({
      status: 'unknown',
      itemCode: null,
      basis: { by: 'none', missing: 'item' },
    });
    expect(decideWarranty('上门检查', '2030-01-01', unit)).toMatchObject({
      status: 'out_of_warranty',
      itemCode: 'wet_room_waterproofing', // of the two longest, the last code
      basis: { by: 'longest' },
    });
  });

  it('is unknown without a unit, a handover date, the named item in the estate, or its season', () => {
    expect(decideWarranty('卫生间漏水', '2026-11-23', null).basis).toEqual({ by: 'none', missing: 'unit' });
    expect(decideWarranty('卫生间漏水', '2026-11-23', { handoverDate: null, items }).basis).toEqual({
      by: 'none',
      missing: 'handover_date',
    });
    const noDoors = { handoverDate: '2024-03-01', items: items.filter((i) => i.code !== 'doors_windows') };
    expect(decideWarranty('门锁坏了', '2024-04-01', noDoors)).toMatchObject({
      status: 'unknown',
      itemCode: 'doors_windows',
      basis: { by: 'none', missing: 'item' },
    });
    const noSeason = { handoverDate: '2024-03-01', items: [{ code: 'heating', name: '供热系统', expiresOn: null }] };
    expect(decideWarranty('暖气不热', '2024-04-01', noSeason)).toMatchObject({
      status: 'unknown',
      itemCode: 'heating',
      basis: { by: 'none', missing: 'season' },
    });
  });
});
