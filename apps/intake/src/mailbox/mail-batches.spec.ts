import {
  BATCH_BYTES,
  BATCH_MESSAGES,
  destinations,
  KEEP_WHOLE_FACTOR,
  sizeBatches,
  TRUNCATED_KEEP_BYTES,
} from './mail-batches';

const MAX = 1_000_000;
const uids = (n: number, from = 1) => Array.from({ length: n }, (_, i) => from + i);

describe('sizeBatches', () => {
  it('cuts batches at BATCH_MESSAGES messages, in UID order', () => {
    const all = uids(BATCH_MESSAGES + 3);
    const batches = sizeBatches(all, new Map(all.map((u) => [u, 100])), MAX);
    expect(batches.map((b) => b.uids.length)).toEqual([BATCH_MESSAGES, 3]);
    expect(batches.flatMap((b) => b.uids)).toEqual(all);
  });

  it('cuts batches before BATCH_BYTES, but never leaves a batch empty', () => {
    const size = Math.floor(BATCH_BYTES / 2.5);
    const all = uids(5);
    expect(sizeBatches(all, new Map(all.map((u) => [u, size])), BATCH_BYTES).map((b) => b.uids)).toEqual([
      [1, 2],
      [3, 4],
      [5],
    ]);
  });

  it('sends an oversized mail alone, cut short only when it is far over the limit', () => {
    const sizes = new Map([
      [1, 10],
      [2, MAX + 1],
      [3, 10],
      [4, MAX * KEEP_WHOLE_FACTOR + 1],
    ]);
    expect(sizeBatches([1, 2, 3, 4], sizes, MAX)).toEqual([
      { uids: [2] },
      { uids: [4], maxBytes: TRUNCATED_KEEP_BYTES },
      { uids: [1, 3] },
    ]);
  });
});

describe('destinations', () => {
  it('quarantined to quarantine, other final outcomes to processed, pending left', () => {
    expect(
      destinations([
        { uid: 1, outcome: 'case_created' },
        { uid: 2, outcome: 'quarantined' },
        { uid: 3, outcome: 'pending' },
        { uid: 4, outcome: 'bounce' },
      ]),
    ).toEqual({ toProcessed: [1, 4], toQuarantine: [2], left: 1 });
  });
});
