export * from './harness-state';
export * from './test-env';
export * from './factories';
export * from './test-app';
export * from './eventually';
export * from './dovecot';
export * from './partial-request';
export * from './documents';
