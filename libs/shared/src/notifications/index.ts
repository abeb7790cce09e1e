export * from './cancel';
export * from './keys';
export * from './notification-rows.sql';
export * from './request';
export * from './status';
export * from './variables';
