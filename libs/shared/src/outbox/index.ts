export * from './outbox';
export * from './outbox-relay.service';
export * from './outbox-sweep.service';
