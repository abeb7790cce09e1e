export * from './mask';
export * from './logger.options';
