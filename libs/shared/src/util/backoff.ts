/** Exponential backoff bounds: the first wait and the longest. */
export interface Backoff {
  baseMs: number;
  maxMs: number;
}

/** The one backoff formula: `baseMs · 2^failures`, never more than `maxMs` (`failures` below 0 counts as 0). */
export function backoffDelay(failures: number, { baseMs, maxMs }: Backoff): number {
  return Math.min(maxMs, baseMs * 2 ** Math.min(Math.max(0, failures), 30));
}

export interface RetryOptions extends Backoff {
  /** Ends the retrying: a pending wait ends at once and the result is `undefined`. */
  signal?: AbortSignal;
  /** After each failure: how many in a row (1 = the first) and the wait before the next try. */
  onFailure?: (err: unknown, failures: number, delayMs: number) => void;
}

/**
 * Runs `fn` until it resolves, waiting `backoffDelay(n - 1)` after the n-th failure in a row (the first
 * retry waits `baseMs`). Its timers do not keep the process alive. For work that must happen eventually
 * and may wait (scheduling a task while Redis is down), not for a request someone is waiting on.
 */
export async function retryWithBackoff<T>(fn: () => Promise<T>, opts: RetryOptions): Promise<T | undefined> {
  for (let failures = 0; !opts.signal?.aborted;) {
    try {
      return await fn();
    } catch (err) {
      const delay = backoffDelay(failures, opts);
      failures += 1;
      opts.onFailure?.(err, failures, delay);
      await sleep(delay, opts.signal);
    }
  }
  return undefined;
}

/** Resolves after `ms`, or at once when `signal` aborts; the timer does not keep the process alive. */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    timer.unref();
    signal?.addEventListener('abort', done, { once: true });
  });
}
