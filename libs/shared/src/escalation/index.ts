export * from './escalation-chain';
