/** The IMAP operations intake needs, behind an interface so the poller does not depend on ImapFlow. */
export interface OpenFolder {
  /** As a decimal string: UIDVALIDITY is an unsigned 32-bit value, stored as bigint. */
  uidValidity: string;
  uidNext: number;
  exists: number;
}

export interface FetchedRaw {
  uid: number;
  size: number;
  internalDate: Date | null;
  source: Buffer;
}

export interface MailboxClient {
  /** SELECT (or EXAMINE when read-only) a folder. */
  open(folder: string, opts?: { readOnly?: boolean }): Promise<OpenFolder>;
  /** Creates the folders that do not exist yet. */
  ensureFolders(folders: string[]): Promise<void>;
  /** UIDs of every message in the open folder, ascending. */
  uids(): Promise<number[]>;
  /** RFC822.SIZE of these UIDs. */
  sizes(uids: number[]): Promise<Map<number, number>>;
  /** Whole messages (or their first `maxBytes`), collected before returning: no command runs inside a fetch. */
  fetch(uids: number[], opts?: { maxBytes?: number }): Promise<FetchedRaw[]>;
  /** Moves these UIDs of the open folder to another folder (one UID MOVE). */
  move(uids: number[], folder: string): Promise<void>;
  /** Called when the open folder gains messages (IDLE / unsolicited EXISTS). */
  onNewMail(listener: () => void): void;
  /** Called once when the connection is gone; the client cannot be used after that. */
  onClose(listener: () => void): void;
  logout(): Promise<void>;
}

export interface MailboxConnector {
  /** A connected, authenticated client. `idle` keeps the connection in IDLE between commands (watchers). */
  connect(opts?: { idle?: boolean }): Promise<MailboxClient>;
}

export const MAILBOX_CONNECTOR = Symbol('MAILBOX_CONNECTOR');

/** A UID set for IMAP commands: "3:7,9,12:14". */
export function uidSet(uids: number[]): string {
  const sorted = [...new Set(uids)].sort((a, b) => a - b);
  const ranges: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    ranges.push(i === j ? String(sorted[i]) : `${sorted[i]}:${sorted[j]}`);
    i = j + 1;
  }
  return ranges.join(',');
}
