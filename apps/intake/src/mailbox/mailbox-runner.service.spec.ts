import type { MailboxPollService, PollReport } from './mailbox-poll.service';
import { MailboxRunner } from './mailbox-runner.service';
import type { Mailbox } from './mailboxes';

const mailboxes = [{ spec: { name: 'cs' } }, { spec: { name: 'bounces' } }] as Mailbox[];

const report = (seen: number): PollReport => ({
  uidValidityChanged: false,
  seen,
  stored: 0,
  outcomes: {},
  moved: 0,
  left: 0,
  ms: { fetch: 0, store: 0, decide: 0, move: 0 },
});

describe('MailboxRunner (single flight)', () => {
  it('folds requests made during a poll into exactly one more poll, which starts after the first ends', async () => {
    const releases: Array<() => void> = [];
    let polls = 0;
    const poller = {
      pollOnce: () => new Promise<PollReport>((resolve) => releases.push(() => resolve(report(++polls)))),
    } as unknown as MailboxPollService;
    const runner = new MailboxRunner(poller, mailboxes);
    const first = runner.request('a');
    const second = runner.request('b');
    const third = runner.request('c');
    expect(releases).toHaveLength(1);
    releases[0]!();
    expect((await first).seen).toBe(1);
    await new Promise((r) => setImmediate(r));
    expect(releases).toHaveLength(2);
    releases[1]!();
    expect([(await second).seen, (await third).seen]).toEqual([2, 2]);
  });

  it('rejects the caller of a failed poll and runs the next request anew', async () => {
    let fail = true;
    const poller = {
      pollOnce: () => (fail ? Promise.reject(new Error('Postgres is down')) : Promise.resolve(report(0))),
    } as unknown as MailboxPollService;
    const runner = new MailboxRunner(poller, mailboxes);
    await expect(runner.request('a')).rejects.toThrow('Postgres is down');
    fail = false;
    await expect(runner.request('b')).resolves.toMatchObject({ seen: 0 });
  });

  it('keeps one flight per mailbox: a poll of one does not hold up or absorb a request for another', async () => {
    const releases = new Map<string, () => void>();
    const poller = {
      pollOnce: (m: Mailbox) =>
        new Promise<PollReport>((resolve) => releases.set(m.spec.name, () => resolve(report(m.spec.name.length)))),
    } as unknown as MailboxPollService;
    const runner = new MailboxRunner(poller, mailboxes);
    const cs = runner.request('a');
    const bounces = runner.request('b', 'bounces');
    expect([...releases.keys()]).toEqual(['cs', 'bounces']);
    releases.get('bounces')!();
    expect((await bounces).seen).toBe(7);
    releases.get('cs')!();
    expect((await cs).seen).toBe(2);
    await expect(runner.request('c', 'nope')).rejects.toThrow('no mailbox nope is configured');
  });
});
