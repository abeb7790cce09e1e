export * from './free-port';
export * from './embedded-postgres';
export * from './redis-server';
export * from './twilio-gateway';
export * from './local-sms';
export * from './local-outbox-server';
export * from './dovecot-server';
export * from './local-mail';
