export * from './retention-periods';
