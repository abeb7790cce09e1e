export { parseDeliveryReport } from './delivery-report';
export type { DeliveryReport, DeliveryReportAction, DeliveryReportRecipient } from './delivery-report.types';
