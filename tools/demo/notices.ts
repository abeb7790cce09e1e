import type { EntityManager } from 'typeorm';
import { addDays, notificationKeys, zonedToUtc, type NotifyChannel } from '@kefu/shared';
import { effectiveItemsSql, unitNamesSql } from '../../apps/scheduler/src/warranty/warranty.sql';
import { UNDELIVERABLE_MOBILE, type DemoEstate, type DemoOwner } from './estate';
import type { HistoricMessage, Outcome } from './notifications';
import { HOUR, type Rng } from './random';

const TZ = 'Asia/Shanghai';
const at = (day: string, hour: number) => zonedToUtc(day, hour * HOUR, TZ);

const smsOutcome = (o: DemoOwner): Outcome => (o.mobile === UNDELIVERABLE_MOBILE ? 'undelivered' : 'delivered');

/**
 * 办证通知 for 1栋1单元 (handed over in the last months): released three weeks ago, SMS + EMS letter + email
 * where known to every owner, as CertificateService.create asks for them; about half the units signed for
 * since. The undeliverable number's SMS falls back to email. Reminders are not due yet (30 days), so the
 * live scheduler sends the first ones in nine days.
 */
export async function writeCertificateBatch(
  m: EntityManager,
  rand: Rng,
  e: DemoEstate,
  today: string,
): Promise<{ units: number; collected: number; messages: HistoricMessage[] }> {
  const fromDate = addDays(today, -21);
  const deadline = addDays(today, 60);
  const created = at(addDays(fromDate, -2), 10);
  const fields = {
    reference: 'CW-2026-BH-01',
    place: '碧海云天客服中心（1栋首层）',
    hours: '工作日 9:00–12:00，13:00–18:00',
    documents: ['业主身份证原件', '购房合同原件', '契税完税证明'],
  };
  const [batch] = await m.query<Array<{ id: string }>>(
    `INSERT INTO certificate_batches (id, project_id, reference, place, hours, documents, from_date, deadline, reminder_after_days,
                                      final_reminder_days_before, created_by_id, created_at)
     VALUES ($10, $1, $2, $3, $4, $5, $6, $7, 30, 7, $8, $9) RETURNING id`,
    [
      e.projectId,
      fields.reference,
      fields.place,
      fields.hours,
      fields.documents,
      fromDate,
      deadline,
      e.staff.manager.id,
      created,
      rand.uuid(),
    ],
  );
  const batchId = batch!.id;
  const units = e.units.filter((u) => u.buildingIndex === 0 && u.label.startsWith('1栋1单元') && u.owners.length);
  await m.query(`INSERT INTO certificate_batch_units (batch_id, unit_id) SELECT $1, unnest($2::uuid[])`, [
    batchId,
    units.map((u) => u.id),
  ]);
  const notices = await m.query<Array<{ id: string; unit_id: string; owner_id: string }>>(
    `INSERT INTO certificate_notices (id, batch_id, unit_id, owner_id, created_at)
     SELECT id, $1, u, o, $4 FROM unnest($2::uuid[], $3::uuid[], $5::uuid[]) AS x(u, o, id) RETURNING id, unit_id, owner_id`,
    [
      batchId,
      units.flatMap((u) => u.owners.map(() => u.id)),
      units.flatMap((u) => u.owners.map((o) => o.id)),
      created,
      units.flatMap((u) => u.owners.map(() => rand.uuid())),
    ],
  );
  const messages: HistoricMessage[] = [];
  let bounced = false;
  for (const n of notices) {
    const unit = units.find((u) => u.id === n.unit_id)!;
    const owner = unit.owners.find((o) => o.id === n.owner_id)!;
    const channels: NotifyChannel[] = ['sms', 'letter', ...(owner.email ? (['email'] as const) : [])];
    for (const channel of channels) {
      let outcome: Outcome = channel === 'sms' ? smsOutcome(owner) : channel === 'letter' ? 'signed_for' : 'sent';
      // One mailbox that no longer exists: the DSN bounces it, and the notice goes on by letter.
      if (channel === 'email' && !bounced && owner.mobile !== UNDELIVERABLE_MOBILE)
        [outcome, bounced] = ['bounced', true];
      const fallback: NotifyChannel | null =
        outcome === 'undelivered' ? 'email' : outcome === 'bounced' ? 'letter' : null;
      messages.push({
        req: {
          kind: 'certificate_collection',
          idempotencyKey: notificationKeys.certificate({
            batchId,
            unitId: unit.id,
            ownerId: owner.id,
            stage: 'notice',
            channel,
          }),
          recipient: { ownerId: owner.id },
          channel,
          source: { type: 'certificate_notice', id: n.id },
          variables: { estateName: e.name, unitLabel: unit.label, ...fields, fromDate, deadline, stage: 'notice' },
        },
        channel,
        at: created,
        to: destination(owner, unit.label, channel),
        recipientName: owner.name,
        outcome,
        ...(fallback
          ? {
              fallback: {
                channel: fallback,
                at: new Date(created.getTime() + 60_000),
                to: destination(owner, unit.label, fallback),
                outcome: fallback === 'letter' ? 'signed_for' : 'sent',
              },
            }
          : {}),
      });
    }
  }
  // Every other unit has collected, on days since the from-date.
  const collected = units.filter((_, i) => i % 2 === 0);
  await m.query(
    `INSERT INTO certificate_collections (batch_id, unit_id, collected_by, relation, id_type, id_number_masked, collected_on, recorded_by_id, created_at)
     SELECT $1, r.unit_id, r.collected_by, r.relation, 'resident_id', r.masked, r.collected_on, $3, r.collected_on::timestamp + interval '3 hours'
       FROM jsonb_to_recordset($2::jsonb) AS r(unit_id uuid, collected_by text, relation text, masked text, collected_on date)`,
    [
      batchId,
      JSON.stringify(
        collected.map((u) => ({
          unit_id: u.id,
          collected_by: u.owners[0]!.name,
          relation: rand.chance(0.8) ? 'self' : 'spouse',
          masked: `4403**********${String(rand.int(1000, 9999))}`,
          collected_on: addDays(fromDate, rand.int(0, 20)),
        })),
      ),
      e.staff.rep.id,
    ],
  );
  return { units: units.length, collected: collected.length, messages };
}

function destination(o: DemoOwner, unitLabel: string, channel: NotifyChannel): string {
  if (channel === 'sms') return o.mobile;
  if (channel === 'email') return o.email!;
  return `深圳市宝安区碧海大道88号碧海云天${unitLabel}室 ${o.name} 518101`;
}

/**
 * The warranty notices the daily scan sent in the last six months (due in (today − 183 days, today)), computed
 * with the scheduler's own catalogue SQL and warranty_expiry(), one message per current owner under the
 * scan's key (notificationKeys.warranty), so the scan and its rechecks find them already sent.
 */
export async function writeWarrantyNotices(
  m: EntityManager,
  rand: Rng,
  e: DemoEstate,
  today: string,
): Promise<{ notices: number; messages: HistoricMessage[] }> {
  const due = await m.query<
    Array<{
      unit_id: string;
      code: string;
      name: string;
      handover: string;
      expires: string;
      due_on: string;
      unit_label: string;
    }>
  >(
    `WITH items AS (${effectiveItemsSql('p.id = $1')})
     SELECT u.id AS unit_id, i.code, i.name, to_char(u.handover_date, 'YYYY-MM-DD') AS handover, to_char(x.expires_on, 'YYYY-MM-DD') AS expires,
            to_char(x.due_on, 'YYYY-MM-DD') AS due_on, names.unit_label
       FROM units u JOIN items i ON i."projectId" = u.project_id
       CROSS JOIN LATERAL (SELECT warranty_expiry(u.handover_date, i.basis, i.amount, i."seasonStart", i."seasonEnd") AS expires_on) e
       CROSS JOIN LATERAL (SELECT e.expires_on, (e.expires_on - make_interval(months => i."monthsAhead"))::date AS due_on) x
       CROSS JOIN LATERAL (${unitNamesSql('u')}) names
      WHERE u.project_id = $1 AND x.due_on > $2::date - 183 AND x.due_on < $2::date
      ORDER BY x.due_on, names.unit_label, i.code`,
    [e.projectId, today],
  );
  if (!due.length) return { notices: 0, messages: [] };
  const inserted = await m.query<Array<{ id: string; k: string }>>(
    `INSERT INTO warranty_notices (id, unit_id, project_id, item_code, item_name, handover_date, expires_on, due_on, late, created_at)
     SELECT r.id, r.unit_id, $2, r.code, r.name, r.handover, r.expires, r.due_on, false, (r.due_on::timestamp + interval '8 hours 30 minutes') AT TIME ZONE 'Asia/Shanghai'
       FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, unit_id uuid, code text, name text, handover date, expires date, due_on date, n int)
      ORDER BY n RETURNING id, unit_id || '|' || item_code || '|' || to_char(expires_on, 'YYYY-MM-DD') AS k`,
    [JSON.stringify(due.map((d, n) => ({ ...d, n, id: rand.uuid() }))), e.projectId],
  );
  const ids = new Map(inserted.map((r) => [r.k, r.id]));
  const units = new Map(e.units.map((u) => [u.id, u]));
  const messages = due.flatMap((d) =>
    units.get(d.unit_id)!.owners.map((owner): HistoricMessage => {
      const channel = owner.preferredChannels.includes('email') && owner.email ? 'email' : 'sms';
      const undelivered = channel === 'sms' && owner.mobile === UNDELIVERABLE_MOBILE;
      return {
        req: {
          kind: 'warranty_expiry',
          idempotencyKey: notificationKeys.warranty({
            unitId: d.unit_id,
            itemCode: d.code,
            expiresOn: d.expires,
            ownerId: owner.id,
          }),
          recipient: { ownerId: owner.id },
          source: { type: 'warranty_notice', id: ids.get(`${d.unit_id}|${d.code}|${d.expires}`)! },
          variables: {
            estateName: e.name,
            unitLabel: d.unit_label,
            itemName: d.name,
            expiresOn: d.expires,
            servicePhone: null,
          },
        },
        channel,
        at: at(d.due_on, 8.5),
        to: channel === 'email' ? owner.email! : owner.mobile,
        recipientName: owner.name,
        outcome: channel === 'email' ? 'sent' : undelivered ? 'undelivered' : 'delivered',
        ...(undelivered
          ? { fallback: { channel: 'email', at: at(d.due_on, 8.6), to: owner.email!, outcome: 'sent' as const } }
          : {}),
      };
    }),
  );
  return { notices: inserted.length, messages };
}
