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
