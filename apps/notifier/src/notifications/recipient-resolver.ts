import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { isSmsNumber, type NotificationEntity, type NotifyChannel } from '@kefu/shared';

/** Who a notification goes to, as of now: names and addresses on every channel, preferences, opt-outs. */
export interface Recipient {
  name: string | null;
  ownerId: string | null;
  mobile: string | null;
  email: string | null;
  postalAddress: string | null;
  postcode: string | null;
  preferred: NotifyChannel[];
  optOuts: NotifyChannel[];
}

/** An owner's columns a recipient is made of (also read by the dispatcher's one-statement load). */
export interface OwnerRow {
  name: string;
  mobiles: string[];
  email: string | null;
  postal_address: string | null;
  postcode: string | null;
  preferred_channels: NotifyChannel[];
  opt_outs: NotifyChannel[];
}
interface CaseReporterRow {
  reporter_name: string | null;
  reporter_phone: string | null;
  reporter_email: string | null;
  owner_id: string | null;
  owner_name: string | null;
  postal_address: string | null;
  postcode: string | null;
  opt_outs: NotifyChannel[] | null;
  preferred_channels: NotifyChannel[] | null;
}

/** Recipient resolution, the first step of sending: the row's owner, staff member or case reporter, re-read. */
@Injectable()
export class RecipientResolver {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  /** Null when the owner, staff member or case no longer exists. */
  async resolve(
    row: Pick<NotificationEntity, 'recipientType' | 'ownerId' | 'staffId' | 'caseId'>,
  ): Promise<Recipient | null> {
    if (row.recipientType === 'owner') {
      const [o] = await this.ds.query<OwnerRow[]>(
        `SELECT name, mobiles, email, postal_address, postcode, preferred_channels, opt_outs FROM owners WHERE id = $1`,
        [row.ownerId],
      );
      return o ? this.fromOwner(row.ownerId!, o) : null;
    }
    if (row.recipientType === 'staff') {
      const [s] = await this.ds.query<Array<{ name: string; mobile: string | null; email: string | null }>>(
        `SELECT name, mobile, email FROM staff WHERE id = $1`,
        [row.staffId],
      );
      if (!s) return null;
      return {
        name: s.name,
        ownerId: null,
        mobile: s.mobile,
        email: s.email,
        postalAddress: null,
        postcode: null,
        preferred: ['sms', 'email'],
        optOuts: [],
      };
    }
    // The case's reporter as they gave themselves; a matched owner's opt-outs and postal address still apply. Named
    // only by the matched owner's registered name, never by the name the reporter typed: the message goes to an
    // address nobody verified, and must not carry a stranger's text (a "name" like 账户异常请登录 http://x.cn).
    const [c] = await this.ds.query<CaseReporterRow[]>(
      `SELECT c.reporter_name, c.reporter_phone, c.reporter_email, c.owner_id, o.name AS owner_name, o.postal_address,
              o.postcode, o.opt_outs, o.preferred_channels
         FROM cases c LEFT JOIN owners o ON o.id = c.owner_id WHERE c.id = $1`,
      [row.caseId],
    );
    if (!c) return null;
    return {
      name: c.owner_name ?? null,
      ownerId: c.owner_id,
      mobile: c.reporter_phone,
      email: c.reporter_email,
      postalAddress: c.postal_address ?? null,
      postcode: c.postcode ?? null,
      preferred: c.preferred_channels ?? ['sms', 'email'],
      optOuts: c.opt_outs ?? [],
    };
  }

  /** An owner recipient from their row as read now. */
  fromOwner(ownerId: string, o: OwnerRow): Recipient {
    return {
      name: o.name,
      ownerId,
      mobile: o.mobiles.find(isSmsNumber) ?? null,
      email: o.email,
      postalAddress: o.postal_address,
      postcode: o.postcode,
      preferred: o.preferred_channels,
      optOuts: o.opt_outs,
    };
  }

  /** The recipient's address on a channel (an SMS needs a mobile number), or null. */
  addressOf(r: Recipient, c: NotifyChannel): string | null {
    return c === 'sms' ? (isSmsNumber(r.mobile) ? r.mobile : null) : c === 'email' ? r.email : r.postalAddress;
  }
}
