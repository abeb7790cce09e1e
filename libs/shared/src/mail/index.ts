export * from './mailbox-client';
export * from './imap-mailbox.client';
export * from './mime-inspect';
export * from './mailboxes';
export { parseDeliveryReport } from './delivery-report';
export type { DeliveryReport, DeliveryReportAction, DeliveryReportRecipient } from './delivery-report.types';
