export * from './config';
export * from './errors';
export * from './logging';
export * from './database/entities';
export * from './database/data-source.options';
export * from './database/migrate';
export * from './database/snake-naming.strategy';
export * from './local-services';
