import { GroupCommit } from './group-commit';

describe('GroupCommit', () => {
  const deferred = () => {
    let release!: () => void;
    const p = new Promise<void>((r) => (release = r));
    return { p, release };
  };

  it('runs the first write alone and groups what arrives while it runs, answering each caller its own result', async () => {
    const runs: string[][] = [];
    const gate = deferred();
    const gc = new GroupCommit<string, string>(
      async (items) => {
        runs.push(items);
        if (runs.length === 1) await gate.p;
        return items.map((i) => i.toUpperCase());
      },
      { max: 3, parallel: 1, key: (i) => i },
    );
    const first = gc.submit('a');
    const later = ['b', 'c', 'd', 'e'].map((x) => gc.submit(x));
    gate.release();
    expect(await Promise.all([first, ...later])).toEqual(['A', 'B', 'C', 'D', 'E']);
    expect(runs).toEqual([['a'], ['b', 'c', 'd'], ['e']]);
  });

  it('never puts two writes with the same key in one statement, and keeps their order', async () => {
    const runs: string[][] = [];
    const gate = deferred();
    const gc = new GroupCommit<{ k: string; v: string }, string>(
      async (items) => {
        runs.push(items.map((i) => i.v));
        if (runs.length === 1) await gate.p;
        return items.map((i) => i.v);
      },
      { max: 10, parallel: 1, key: (i) => i.k },
    );
    const all = [
      gc.submit({ k: 'x', v: 'x1' }),
      gc.submit({ k: 'x', v: 'x2' }),
      gc.submit({ k: 'y', v: 'y1' }),
      gc.submit({ k: 'x', v: 'x3' }),
    ];
    gate.release();
    await Promise.all(all);
    expect(runs).toEqual([['x1'], ['x2', 'y1'], ['x3']]);
  });

  it('tries each write of a failed group alone, so one bad write fails only its caller', async () => {
    const gate = deferred();
    let calls = 0;
    const gc = new GroupCommit<number, number>(
      async (items) => {
        if (++calls === 1) await gate.p;
        if (items.includes(13)) throw new Error('unlucky');
        return items.map((i) => i * 2);
      },
      { max: 10, parallel: 1, key: String },
    );
    const first = gc.submit(1);
    const rest = [2, 13, 4].map((i) => gc.submit(i).catch((e: Error) => e.message));
    gate.release();
    expect(await Promise.all([first, ...rest])).toEqual([2, 4, 'unlucky', 8]);
  });
});
