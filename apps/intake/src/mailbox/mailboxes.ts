import { ImapMailboxConnector, imapSettings, type MailboxConnector, type MailboxSpec } from '@kefu/shared';

/** A configured mailbox with its IMAP connector. */
export interface Mailbox {
  spec: MailboxSpec;
  connector: MailboxConnector;
}

/** Every mailbox intake polls (configuredMailboxes); none when no mailbox is configured. */
export const MAILBOXES = Symbol('MAILBOXES');

export const connectMailbox = (spec: MailboxSpec): Mailbox => ({
  spec,
  connector: new ImapMailboxConnector(imapSettings(spec.url, spec.tlsVerify)),
});
