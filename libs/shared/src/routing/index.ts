export * from './routing.sql';
