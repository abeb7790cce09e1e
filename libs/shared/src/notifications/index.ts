export * from './cancel';
export * from './keys';
// Not insertNotificationsCte: the untyped INSERT stays behind the per-kind builders.
export {
  notificationsCte,
  type NotificationRowsSql,
  type NotificationSourceType,
  type VariablesSql,
} from './notification-rows.sql';
export * from './request';
export * from './status';
export * from './variables';
