export * from './request';
export * from './status';
