import type { CaseStatus } from '@kefu/shared';
import type { Actor, PlannedCase, PlannedEvent } from './cases';
import { departmentOf, staffTime } from './case-mix';
import type { DemoEstate } from './estate';
import { DAY, HOUR, MINUTE, type Rng } from './random';

const rep = (e: DemoEstate): Actor => ({ id: e.staff.rep.id, label: e.staff.rep.name });
const at = (t: number) => new Date(Math.round(t / 1000) * 1000);

/** The case's workflow, step by step as CaseWorkflowService records them (staff in the day), cut at `now`. */
export function walk(rand: Rng, e: DemoEstate, c: PlannedCase, now: Date): void {
  const steps: PlannedEvent[] = [];
  let last = c.receivedAt.getTime();
  // Each step after the one before, in working time; returns when it happened.
  const push = (kind: string, t: number, details: Record<string, unknown> = {}, actor = rep(e)): number => {
    last = Math.max(staffTime(rand, t), last + MINUTE);
    steps.push({ kind, at: at(last), actor, details });
    return last;
  };
  const manager = { id: e.staff.manager.id, label: e.staff.manager.name };
  if (rand.chance(0.06)) {
    push('reject', last + rand.int(20, 240) * MINUTE, { reason: '非本公司业务范围，已礼貌答复客户并归档' });
  } else {
    // A minor complaint often gets its first feedback by phone within the hour (the department's analysis is due then).
    const quick = c.type === 'complaint' && c.severity === 'minor' && rand.chance(0.4);
    const fast = quick || c.severity === 'major';
    let t = push('accept', last + (fast ? rand.int(2, 9) : rand.int(5, 180)) * MINUTE, {
      note: null,
    });
    const complaintLike = c.type === 'complaint' || c.type === 'repair' || c.type === 'claim';
    if (complaintLike) {
      const departmentId = departmentOf(e, c.category);
      t = push('assign', t + (quick ? rand.int(3, 10) : rand.int(10, 240)) * MINUTE, {
        departmentId,
        assigneeId: e.staff.rep.id,
        note: null,
      });
    }
    let promised = c.promisedReplyAt.getTime();
    const moves = rand.chance(0.08) ? (rand.chance(0.25) ? 2 : 1) : 0;
    for (let k = 0; k < moves && promised - t > 2 * HOUR; k++) {
      const to = promised + rand.int(2, 4) * DAY;
      t = push('reply_date_moved', Math.min(t + rand.int(1, 8) * HOUR, promised - HOUR), {
        from: new Date(promised).toISOString(),
        to: new Date(to).toISOString(),
        move: k + 1,
        reason: '需要等待材料到货，业主同意延期答复',
        customerAgreed: true,
      });
      promised = to;
    }
    if (complaintLike && rand.chance(0.05)) {
      const reason = '业主多次来电催促，升级至部门经理跟进';
      t = push('escalated', t + rand.int(2, 20) * HOUR, { from: 0, to: 1, toLabel: '部门经理', reason }, manager);
    }
    // Most replies are on time.
    const onTime = rand.chance(0.85) && promised > t + 20 * MINUTE;
    const replyAt = quick
      ? t + rand.int(5, 25) * MINUTE
      : onTime
        ? t + (promised - t) * (0.2 + rand() * 0.6)
        : Math.max(t, promised) + rand.int(2, 30) * HOUR;
    const via = rand.pick(['phone', 'phone', 'sms', 'email'] as const);
    t = push('reply', replyAt, { via, content: '已联系业主说明处理方案和时间安排。' });
    if (complaintLike) {
      t = push('resolve', t + rand.int(4, c.type === 'repair' ? 30 : 96) * HOUR, {
        result: '已安排责任部门处理完毕，现场复查合格。',
      });
      const satisfied = rand.chance(0.85);
      t = push('return_visit', t + rand.int(3, 20) * HOUR, {
        satisfied,
        comments: satisfied ? '业主表示满意' : '业主认为问题未彻底解决',
        openProblems: satisfied ? null : '仍有少量渗水',
        ...(satisfied ? {} : { reopened: true }),
      });
      if (!satisfied) {
        t = push('resolve', t + rand.int(24, 72) * HOUR, { result: '重新处理后复查合格。' });
        t = push('return_visit', t + rand.int(4, 20) * HOUR, {
          satisfied: true,
          comments: '业主表示满意',
          openProblems: null,
        });
      }
    }
    push('close', t + rand.int(10, complaintLike ? 60 : 1440) * MINUTE, { note: null }, manager);
  }
  apply(
    c,
    steps.filter((s) => s.at <= now),
  );
}

/** Replays the steps on the case row: status, validity, dates, assignment; each status change in its event. */
function apply(c: PlannedCase, steps: PlannedEvent[]): void {
  for (const s of steps) {
    const from = c.status;
    let to: CaseStatus = from;
    switch (s.kind) {
      case 'accept':
        to = 'accepted';
        c.validity = 'valid';
        break;
      case 'reject':
        to = 'rejected';
        c.validity = 'invalid';
        s.details.previous = from;
        break;
      case 'assign':
        to = 'assigned';
        c.departmentId = s.details.departmentId as string;
        c.assigneeId = s.details.assigneeId as string;
        break;
      case 'reply':
        to = 'replied';
        break;
      case 'resolve':
        to = 'resolved';
        break;
      case 'return_visit':
        to = s.details.satisfied ? 'return_visited' : 'assigned';
        break;
      case 'close':
        to = 'closed';
        c.closedAt = s.at;
        break;
      case 'reply_date_moved':
        c.moves.push({ at: s.at, from: new Date(s.details.from as string), to: new Date(s.details.to as string) });
        c.promisedReplyAt = new Date(s.details.to as string);
        break;
      case 'escalated':
        c.escalationLevel = s.details.to as number;
        break;
    }
    if (to !== from) {
      Object.assign(s.details, { fromStatus: from, toStatus: to });
      c.status = to;
      c.reached[to] ??= s.at;
    }
    c.events.push(s);
  }
}

/** Keeps the case where its handling stopped before the reply (overdue now). */
export function stall(c: PlannedCase): void {
  const keep = c.events.filter((ev) => ev.kind === 'created' || ev.kind === 'accept' || ev.kind === 'assign');
  const replayed = keep.slice(1);
  Object.assign(c, {
    events: keep.slice(0, 1),
    status: 'new',
    validity: 'pending',
    closedAt: null,
    departmentId: null,
    assigneeId: null,
    moves: [],
    promisedReplyAt: c.initialPromised,
    escalationLevel: 0,
    reached: { new: c.receivedAt },
  } satisfies Partial<PlannedCase>);
  for (const ev of replayed) {
    delete ev.details.fromStatus;
    delete ev.details.toStatus;
  }
  apply(c, replayed);
}
