export * from './request';
export * from './status';
export * from './variables';
