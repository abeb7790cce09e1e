import { randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { convert } from 'html-to-text';
import { simpleParser } from 'mailparser';

/** One mail as the local mail system delivered it into one mailbox (a mail to two recipients is two entries). */
export interface LocalMailEntry {
  /** Sortable (time first) and safe in a URL or a file name. */
  id: string;
  /** The mailbox it was delivered into: a lower-cased address (the customer-service and bounce ones included). */
  mailbox: string;
  /** The envelope recipient as addressed (a VERP address keeps its `+tag`). */
  recipient: string;
  /** Envelope sender; null for the null sender `<>` (a DSN). */
  envelopeFrom: string | null;
  /** The From and To headers, decoded (display names kept). */
  from: string;
  to: string;
  subject: string;
  messageId: string | null;
  /** ISO time of delivery. */
  deliveredAt: string;
  /** The start of the text (or the HTML as text), at most 200 characters. */
  preview: string;
  /** A delivery status notification (a bounce this system wrote). */
  isDsn: boolean;
}

export interface LocalMailMessage extends LocalMailEntry {
  /** The bytes delivered into the mailbox, trace headers included. */
  raw: Buffer;
  text: string | null;
  /** null when the mail has no HTML part. */
  html: string | null;
}

const ID = /^[0-9a-z]{8,12}-[0-9a-f]{8}$/;

export function newLocalMailId(at = new Date()): string {
  return `${at.getTime().toString(36)}-${randomBytes(4).toString('hex')}`;
}

/**
 * What the local mail system delivered, for the Local outbox: an index of JSON lines (`index.jsonl`) and a copy of
 * each delivered mail (`messages/<id>.eml`), in the data folder, kept between runs. The mailboxes in Dovecot are the
 * real thing (intake moves mail out of its INBOX); this record stays as delivered.
 * WARNING: persisted in the data folder: add fields freely, never rename one (older lines keep the old name).
 */
export class LocalMailStore {
  private readonly entries: LocalMailEntry[] = [];
  private readonly index: string;
  private readonly messages: string;

  constructor(dir: string) {
    this.index = join(dir, 'index.jsonl');
    this.messages = join(dir, 'messages');
    mkdirSync(this.messages, { recursive: true, mode: 0o700 });
    if (!existsSync(this.index)) return;
    for (const line of readFileSync(this.index, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      try {
        this.entries.push(JSON.parse(line) as LocalMailEntry);
      } catch {
        // A line cut short by a crash: the rest of the index is still good.
      }
    }
  }

  /** Records a delivered mail (its copy first, so an indexed id always has its bytes). */
  async add(
    base: Pick<LocalMailEntry, 'id' | 'mailbox' | 'recipient' | 'envelopeFrom' | 'isDsn'>,
    raw: Buffer,
  ): Promise<LocalMailEntry> {
    const parsed = await simpleParser(raw, { skipImageLinks: true, skipTextToHtml: true });
    const text = parsed.text ?? (typeof parsed.html === 'string' ? convert(parsed.html, { wordwrap: false }) : '');
    const entry: LocalMailEntry = {
      ...base,
      from: parsed.from?.text ?? '',
      to: [parsed.to ?? []]
        .flat()
        .map((a) => a.text)
        .join(', '),
      subject: parsed.subject ?? '',
      messageId: parsed.messageId?.replace(/^<|>$/g, '') ?? null,
      deliveredAt: new Date().toISOString(),
      preview: text.replace(/\s+/g, ' ').trim().slice(0, 200),
    };
    writeFileSync(join(this.messages, `${entry.id}.eml`), raw, { mode: 0o600 });
    appendFileSync(this.index, `${JSON.stringify(entry)}\n`, { mode: 0o600 });
    this.entries.push(entry);
    return entry;
  }

  /** Newest first. */
  list(limit: number): LocalMailEntry[] {
    return limit > 0 ? this.entries.slice(-limit).reverse() : [];
  }

  /** null for an id that is not ours (ids are checked before they touch the file system). */
  async message(id: string): Promise<LocalMailMessage | null> {
    const entry = ID.test(id) ? this.entries.find((e) => e.id === id) : undefined;
    const file = join(this.messages, `${id}.eml`);
    if (!entry || !existsSync(file)) return null;
    const raw = readFileSync(file);
    const parsed = await simpleParser(raw, { skipImageLinks: true });
    return { ...entry, raw, text: parsed.text ?? null, html: typeof parsed.html === 'string' ? parsed.html : null };
  }
}
