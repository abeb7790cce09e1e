import { backoffDelay, retryWithBackoff } from './backoff';

describe('backoffDelay', () => {
  it('doubles from the base and stops at the cap', () => {
    const b = { baseMs: 1_000, maxMs: 60_000 };
    expect([-1, 0, 1, 2, 5, 6, 7, 1_000].map((f) => backoffDelay(f, b))).toEqual([
      1_000, 1_000, 2_000, 4_000, 32_000, 60_000, 60_000, 60_000,
    ]);
  });
});

describe('retryWithBackoff', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('tries again after each failure, waiting longer each time, until it succeeds', async () => {
    let calls = 0;
    const waits: number[] = [];
    const done = retryWithBackoff(
      () => (++calls < 4 ? Promise.reject(new Error(`no ${calls}`)) : Promise.resolve('ok')),
      { baseMs: 100, maxMs: 250, onFailure: (_err, failures, delay) => waits.push(failures, delay) },
    );
    await jest.advanceTimersByTimeAsync(100 + 200 + 250);
    await expect(done).resolves.toBe('ok');
    expect(calls).toBe(4);
    expect(waits).toEqual([1, 100, 2, 200, 3, 250]);
  });

  it('stops waiting and trying when its signal aborts', async () => {
    const stop = new AbortController();
    let calls = 0;
    const fail = () => Promise.reject(new Error(`no ${++calls}`));
    const done = retryWithBackoff(fail, { baseMs: 60_000, maxMs: 60_000, signal: stop.signal });
    await jest.advanceTimersByTimeAsync(10);
    stop.abort();
    await expect(done).resolves.toBeUndefined();
    expect(calls).toBe(1);
  });
});
