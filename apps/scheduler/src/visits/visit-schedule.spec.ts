import { assignStaff, spreadDay, visitWindows } from './visit-schedule';

describe('visit schedule arithmetic', () => {
  it('cuts a year into windows of the interval; the last one ends on 31 December', () => {
    expect(visitWindows(2026, 4)).toEqual([
      { seq: 0, start: '2026-01-01', end: '2026-05-01' },
      { seq: 1, start: '2026-05-01', end: '2026-09-01' },
      { seq: 2, start: '2026-09-01', end: '2027-01-01' },
    ]);
    expect(visitWindows(2026, 5).map((w) => w.end)).toEqual(['2026-06-01', '2026-11-01', '2027-01-01']);
    expect(visitWindows(2026, 12)).toHaveLength(1);
  });

  it('spreads the households evenly over the window', () => {
    const w = { seq: 0, start: '2026-01-01', end: '2026-05-01' }; // 120 days
    expect([0, 1, 2, 3, 4, 5].map((r) => spreadDay(w, r, 6))).toEqual([
      '2026-01-01',
      '2026-01-21',
      '2026-02-10',
      '2026-03-02',
      '2026-03-22',
      '2026-04-11',
    ]);
  });

  it('splits households evenly, keeps what is balanced, and rebalances when staff change', () => {
    const hs = ['h1', 'h2', 'h3', 'h4', 'h5'];
    const first = assignStaff(hs, ['a', 'b'], new Map());
    expect([...first]).toEqual([
      ['h1', 'a'],
      ['h3', 'a'],
      ['h5', 'a'],
      ['h2', 'b'],
      ['h4', 'b'],
    ]);
    expect(assignStaff(hs, ['a', 'b'], first)).toEqual(first);
    // c joins: the busiest gives up its last household; everyone else keeps theirs.
    const withC = assignStaff(hs, ['a', 'b', 'c'], first);
    expect(withC.get('h5')).toBe('c');
    expect(['h1', 'h2', 'h3', 'h4'].map((h) => withC.get(h))).toEqual(['a', 'b', 'a', 'b']);
    // b leaves: its households go to whoever has fewest.
    const withoutB = assignStaff(hs, ['a', 'c'], withC);
    expect([...withoutB.values()].filter((s) => s === 'a')).toHaveLength(3);
    expect([...withoutB.values()].filter((s) => s === 'c')).toHaveLength(2);
    expect(assignStaff(hs, [], first).size).toBe(0);
  });
});
