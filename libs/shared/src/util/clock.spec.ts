import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { offsetFileClock } from './clock';

describe('offsetFileClock (CLOCK_OFFSET_FILE)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kefu-clock-'));
  const file = join(dir, 'offset');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const DAY = 86_400_000;

  it('runs ahead of real time by the file, follows a new number, and means no offset without a file', () => {
    const problems: string[] = [];
    const clock = offsetFileClock(file, { readEveryMs: 0, onProblem: (m) => problems.push(m) });
    const near = (d: Date, offset: number) => expect(Math.abs(d.getTime() - (Date.now() + offset))).toBeLessThan(1_000);
    near(clock.now(), 0);
    writeFileSync(file, `${2 * DAY}\n`);
    near(clock.now(), 2 * DAY);
    writeFileSync(file, String(-DAY));
    near(clock.now(), -DAY);
    writeFileSync(file, 'three days');
    near(clock.now(), -DAY);
    expect(problems).toEqual([expect.stringContaining('"three days" is not a whole number of milliseconds')]);
    rmSync(file);
    near(clock.now(), 0);
  });

  it('reads the file again only after readEveryMs', () => {
    writeFileSync(file, '0');
    const clock = offsetFileClock(file, { readEveryMs: 60_000 });
    clock.now();
    writeFileSync(file, String(DAY));
    expect(Math.abs(clock.now().getTime() - Date.now())).toBeLessThan(1_000);
  });
});
