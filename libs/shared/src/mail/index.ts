export * from './mailbox-client';
export * from './imap-mailbox.client';
export * from './mime-inspect';
export * from './mailboxes';
export * from './delivery-report';
