export * from './sla-policy';
export * from './deadlines';
