import { availableParallelism } from 'node:os';

/**
 * Runs password checks (scrypt, ~32 MiB and 100–300 ms of a core each) a few at a time — one per core but one — and,
 * when they queue, serves the tries of addresses with the fewest recent tries first, the newest first among equals. The login throttle lets each address
 * a handful of tries, but a flood from several addresses still queues dozens of checks: behind them in libuv's thread
 * pool, a member of staff logging in from their own desk would wait for all of them; here they wait for the checks
 * already running and their own.
 */
export class PasswordGate {
  private running = 0;
  private readonly waiting: Array<{ rank: number; start: () => void }> = [];

  // One core is left to the event loop (on 2 cores: one check at a time), so requests keep being answered meanwhile.
  constructor(private readonly slots = Math.max(1, availableParallelism() - 1)) {}

  /** Runs `fn` when a slot is free; a lower `rank` (the address's tries within the window) goes first, then the newest. */
  async run<T>(rank: number, fn: () => Promise<T>): Promise<T> {
    if (this.running < this.slots) this.running += 1;
    else
      await new Promise<void>((start) => {
        const entry = { rank, start };
        // Ahead of every waiting check of its rank or a higher one: a flood's tries queue early and in bulk, a
        // person's arrive one at a time, so among equals the newest is the likeliest to be a person.
        const at = this.waiting.findIndex((w) => w.rank >= rank);
        if (at < 0) this.waiting.push(entry);
        else this.waiting.splice(at, 0, entry);
      });
    try {
      return await fn();
    } finally {
      // The slot passes straight to the next in line (`running` unchanged), or is given back.
      const next = this.waiting.shift();
      if (next) next.start();
      else this.running -= 1;
    }
  }

  /** Checks waiting for a slot. */
  get queued(): number {
    return this.waiting.length;
  }
}
