import { PasswordGate } from './password-gate';

describe('PasswordGate', () => {
  /** A check that finishes when the test says so. */
  const held = () => {
    let release!: () => void;
    const done = new Promise<void>((r) => (release = r));
    return { done, release };
  };
  const tick = () => new Promise((r) => setImmediate(r));

  it('runs at most its slots at once and serves the lowest rank first, the newest first within a rank', async () => {
    const gate = new PasswordGate(1);
    const order: string[] = [];
    const first = held();
    const running = gate.run(5, async () => {
      order.push('first');
      await first.done;
    });
    const queued = [
      gate.run(9, () => Promise.resolve(void order.push('flood-9'))),
      gate.run(3, () => Promise.resolve(void order.push('flood-3a'))),
      gate.run(1, () => Promise.resolve(void order.push('real-1'))),
      gate.run(3, () => Promise.resolve(void order.push('flood-3b'))),
    ];
    await tick();
    expect(order).toEqual(['first']);
    expect(gate.queued).toBe(4);
    first.release();
    await Promise.all([running, ...queued]);
    expect(order).toEqual(['first', 'real-1', 'flood-3b', 'flood-3a', 'flood-9']);
    expect(gate.queued).toBe(0);
  });

  it('frees the slot when a check throws', async () => {
    const gate = new PasswordGate(1);
    await expect(gate.run(1, () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(gate.run(1, () => Promise.resolve('next'))).resolves.toBe('next');
  });

  it('runs as many at once as it has slots', async () => {
    const gate = new PasswordGate(2);
    const a = held();
    const b = held();
    let started = 0;
    const runs = [a, b].map((h) =>
      gate.run(1, async () => {
        started += 1;
        await h.done;
      }),
    );
    await tick();
    expect(started).toBe(2);
    a.release();
    b.release();
    await Promise.all(runs);
  });
});
