import { buildingKey, findUnitRefs, matchUnit, unitCandidates, type UnitRef, type UnitRow } from './unit-text';

const refs = (text: string): Array<[string, string | null, string]> =>
  findUnitRefs(text).map((r) => [r.building, r.entrance, r.room]);

describe('findUnitRefs', () => {
  it.each<[string, Array<[string, string | null, string]>]>([
    ['3栋2单元1502', [['3', '2', '1502']]],
    ['3-2-1502', [['3', '2', '1502']]],
    ['3号楼1502室', [['3', null, '1502']]],
    ['A座1502', [['A', null, '1502']]],
    ['a座1502', [['A', null, '1502']]],
    ['3幢1单元502房', [['3', '1', '502']]],
    ['3栋1502', [['3', null, '1502']]],
    ['B栋二单元801', [['B', '2', '801']]],
    ['A-1502', [['A', null, '1502']]],
    ['A-2-1502', [['A', '2', '1502']]],
    ['三栋2单元1502', [['3', '2', '1502']]],
    ['十二栋三单元1203', [['12', '3', '1203']]],
    ['二十一栋十单元101', [['21', '10', '101']]],
    ['3#1502', [['3', null, '1502']]],
    ['3#楼2单元1502', [['3', '2', '1502']]],
    ['3号2单元1502', [['3', '2', '1502']]],
    ['3栋2-1502', [['3', '2', '1502']]],
    ['3 栋 2 单元 1502 室', [['3', '2', '1502']]],
    ['13栋1502', [['13', null, '1502']]],
    ['03栋02单元0801', [['3', '2', '0801']]],
    ['３栋２单元１５０２', [['3', '2', '1502']]], // full width
    ['Ａ座１５０２', [['A', null, '1502']]],
    ['3棟2單元1502', [['3', '2', '1502']]], // traditional
    ['3-2-1502室', [['3', '2', '1502']]],
    ['我是碧海云天3栋2单元1502的业主，卫生间漏水', [['3', '2', '1502']]],
    ['深圳市宝安区碧海大道88号碧海云天3栋1单元101室', [['3', '1', '101']]], // '88号' is the street
    [
      '3栋1502和5栋801都漏水',
      [
        ['3', null, '1502'],
        ['5', null, '801'],
      ],
    ],
    ['3栋1502，3栋1502卫生间', [['3', null, '1502']]], // the same unit twice counts once
    ['房号：3-2-1502，电话13812345678', [['3', '2', '1502']]],
  ])('%j', (text, expected) => {
    expect(refs(text)).toEqual(expected);
  });

  it('quotes the original text (full width, traditional) of each ref', () => {
    expect(findUnitRefs('住在３栋２单元１５０２室，也有A座1502').map((r) => r.text)).toEqual([
      '３栋２单元１５０２室',
      'A座1502',
    ]);
    expect(findUnitRefs('3棟2單元1502')[0]?.text).toBe('3棟2單元1502');
  });

  it.each([
    ['1502'], // a bare room without a building
    ['房号1502，漏水'],
    ['2026-11-23'],
    ['2026-11-23 15:02'],
    ['26-11-23'],
    ['2026.11.23'],
    ['COBZS001-2026-00017'],
    ['工单 COBZS001-2026-00017 已关闭'],
    ['KF-2026-00003'],
    ['0755-8334-5678'],
    ['138-1234-5678'],
    ['010-123-4567'],
    ['440301199001011234'],
    ['3栋2026年交房'],
    ['3栋120平米'],
    ['3栋1502元'],
    ['3栋15.02'],
    ['3栋 2026-11-23'],
    ['一栋楼都停电了'],
    ['3栋1单元'],
    ['碧海大道88号1502'], // '号' without an entrance is a street number
    ['3楼1502'], // '3楼' is the third floor
    ['3-1502'], // building-room with a digit building: too ambiguous
    ['1-2-3'],
    ['A-15'],
    ['ABC-1502'],
  ])('finds nothing in %j', (text) => {
    expect(findUnitRefs(text)).toEqual([]);
  });
});

describe('buildingKey', () => {
  it.each([
    ['3栋', '3'],
    ['3号楼', '3'],
    ['3幢', '3'],
    ['3座', '3'],
    ['3#', '3'],
    ['3#楼', '3'],
    ['三栋', '3'],
    ['十二栋', '12'],
    ['A座', 'A'],
    ['A栋', 'A'],
    ['a座', 'A'],
    ['第3栋', '3'],
    ['03栋', '3'],
    [' 3 栋 ', '3'],
    ['３栋', '3'],
    ['3棟', '3'],
    ['3', '3'],
    ['A', 'A'],
  ])('%j → %j', (name, key) => {
    expect(buildingKey(name)).toBe(key);
  });
});

describe('matchUnit', () => {
  // An estate like the demo data: buildings with entrances 1 and 2, one building without entrances.
  const units: UnitRow[] = [
    { id: 'u-3-1-1502', buildingName: '3栋', entrance: '1', room: '1502' },
    { id: 'u-3-2-1502', buildingName: '3栋', entrance: '2', room: '1502' },
    { id: 'u-3-2-801', buildingName: '3栋', entrance: '2', room: '801' },
    { id: 'u-A-1-1502', buildingName: 'A座', entrance: '1', room: '1502' },
    { id: 'u-5-801', buildingName: '5号楼', entrance: '', room: '801' },
    { id: 'u-12-3-1203', buildingName: '十二栋', entrance: '3', room: '1203' },
  ];
  const match = (text: string): ReturnType<typeof matchUnit> => matchUnit(findUnitRefs(text), units);

  it('matches a full reference in any spelling', () => {
    for (const text of ['3栋2单元1502', '3-2-1502', '三栋二单元1502室', '3号楼2单元1502', '３栋２单元１５０２']) {
      expect(match(text)).toMatchObject({ status: 'matched', unitId: 'u-3-2-1502' });
    }
    expect(match('12栋3单元1203')).toMatchObject({ status: 'matched', unitId: 'u-12-3-1203' });
    expect(match('A-1502')).toMatchObject({
      status: 'matched',
      unitId: 'u-A-1-1502',
      ref: { building: 'A', entrance: null, room: '1502' },
    });
  });

  it('matches a ref without entrance when only one entrance has that room', () => {
    expect(match('3栋801漏水')).toMatchObject({ status: 'matched', unitId: 'u-3-2-801' });
    expect(match('5栋801')).toMatchObject({ status: 'matched', unitId: 'u-5-801' });
  });

  it('matches an entrance named by the owner in a building recorded without entrances', () => {
    expect(match('5栋1单元801')).toMatchObject({ status: 'matched', unitId: 'u-5-801' });
  });

  it('is ambiguous when a ref without entrance fits units in two entrances', () => {
    const result = match('3栋1502卫生间漏水');
    expect(result).toEqual({
      status: 'ambiguous',
      candidates: ['u-3-1-1502', 'u-3-2-1502'],
      ref: expect.objectContaining({ building: '3', room: '1502' }),
    });
  });

  it('uses a second, more precise ref that agrees with the first', () => {
    expect(match('3栋1502，就是3栋2单元1502')).toMatchObject({ status: 'matched', unitId: 'u-3-2-1502' });
  });

  it('is ambiguous when two refs point to different units', () => {
    expect(match('3栋2单元1502楼上是3栋2单元801')).toEqual({
      status: 'ambiguous',
      candidates: ['u-3-2-1502', 'u-3-2-801'],
      ref: null,
    });
    expect(match('A座1502和5栋801')).toEqual({ status: 'ambiguous', candidates: ['u-A-1-1502', 'u-5-801'], ref: null });
  });

  it('ignores refs that fit no unit of the estate', () => {
    expect(match('朋友住7栋101，我家3栋2单元1502')).toMatchObject({ status: 'matched', unitId: 'u-3-2-1502' });
    expect(match('7栋101')).toEqual({ status: 'unmatched' });
    expect(match('3栋3单元1502')).toEqual({ status: 'unmatched' }); // no such entrance
    expect(match('没有房号')).toEqual({ status: 'unmatched' });
    expect(matchUnit([], units)).toEqual({ status: 'unmatched' });
    expect(matchUnit(findUnitRefs('3栋2单元1502'), [])).toEqual({ status: 'unmatched' });
  });

  it('compares rooms and entrances as numbers', () => {
    const rows: UnitRow[] = [{ id: 'x', buildingName: '3栋', entrance: '02', room: '0801' }];
    const ref: UnitRef = { building: '3', entrance: '2', room: '801', text: '3栋2单元801' };
    expect(unitCandidates(ref, rows)).toEqual(['x']);
  });
});
