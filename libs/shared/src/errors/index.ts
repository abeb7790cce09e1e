export * from './app.exception';
export * from './http-exception.filter';
export * from './zod-validation.pipe';
