/**
 * Group commit: writes asked for while a statement is running wait and go together in the next one (at most `max`),
 * each caller answered with its own result once that statement has finished — nothing is acknowledged before it is
 * in Postgres. Under light load each write is its own statement, with no added wait; under heavy load (a notice's
 * delivery callbacks) one statement carries many. Two writes with the same `key` never share a statement (a
 * statement may change a row only once); the later one goes in the next. When a grouped statement fails, each of
 * its writes is tried alone, so one bad write fails only its own caller.
 */
export class GroupCommit<I, O> {
  private queue: Array<{ item: I; resolve: (o: O) => void; reject: (e: unknown) => void }> = [];
  private running = 0;

  constructor(
    private readonly run: (items: I[]) => Promise<O[]>,
    private readonly opts: { max: number; parallel: number; key: (item: I) => string },
  ) {}

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.running < this.opts.parallel && this.queue.length) {
      const batch: typeof this.queue = [];
      const rest: typeof this.queue = [];
      const keys = new Set<string>();
      for (const q of this.queue) {
        const k = this.opts.key(q.item);
        if (batch.length < this.opts.max && !keys.has(k)) {
          batch.push(q);
          keys.add(k);
        } else rest.push(q);
      }
      this.queue = rest;
      this.running++;
      void this.flush(batch).finally(() => {
        this.running--;
        this.pump();
      });
    }
  }

  private async flush(batch: typeof this.queue): Promise<void> {
    try {
      const out = await this.run(batch.map((b) => b.item));
      batch.forEach((b, i) => b.resolve(out[i]!));
    } catch (err) {
      if (batch.length === 1) return batch[0]!.reject(err);
      for (const b of batch)
        await this.run([b.item]).then(
          ([o]) => b.resolve(o!),
          (e: unknown) => b.reject(e),
        );
    }
  }
}
