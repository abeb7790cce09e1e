import { readFileSync } from 'node:fs';

/** The one source of "now" for anything time-driven (scheduler ticks, quiet hours), so tests can travel in time. */
export interface Clock {
  now(): Date;
}
/** Injection token: `@Inject(CLOCK) private readonly clock: Clock`. Every app gets an AppClock from CoreModule. */
export const CLOCK = Symbol('CLOCK');
export const systemClock: Clock = { now: () => new Date() };

/** The app's clock: the system clock, unless a test swaps in another (see `useFakeClock` in testing). */
export class AppClock implements Clock {
  private source: Clock = systemClock;
  now(): Date {
    return this.source.now();
  }
  use(source: Clock): void {
    this.source = source;
  }
}

/** A clock tests set and move. */
export class FakeClock implements Clock {
  private current: Date;
  constructor(at: Date | string = new Date()) {
    this.current = new Date(at);
  }
  now(): Date {
    return new Date(this.current);
  }
  set(at: Date | string): void {
    this.current = new Date(at);
  }
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}

/**
 * Real time moved by the number of milliseconds written in a file (`CLOCK_OFFSET_FILE`, development and tests
 * only): every process given the same file lives on the same simulated day, and writing a new number moves them
 * all (`test:scale` walks the scheduler and notifier replicas through a simulated week this way). The file is
 * read again at most every `readEveryMs`; a missing or empty file means no offset, and a file that is not a
 * number keeps the last offset and is reported once per change through `onProblem`.
 */
export function offsetFileClock(
  path: string,
  opts: { readEveryMs?: number; onProblem?: (message: string) => void } = {},
): Clock {
  const every = opts.readEveryMs ?? 200;
  let offset = 0;
  let readAt = -Infinity;
  let lastText = '';
  const read = (): void => {
    let text: string;
    try {
      text = readFileSync(path, 'utf8').trim();
    } catch {
      text = '';
    }
    if (text === lastText) return;
    lastText = text;
    const n = text === '' ? 0 : Number(text);
    if (Number.isSafeInteger(n)) offset = n;
    else
      opts.onProblem?.(
        `${path}: "${text.slice(0, 40)}" is not a whole number of milliseconds; keeping the offset ${offset} ms`,
      );
  };
  return {
    now(): Date {
      const real = Date.now();
      if (real - readAt >= every) {
        readAt = real;
        read();
      }
      return new Date(real + offset);
    },
  };
}
