export * from './queue.contract';
export * from './queue.module';
export * from './job-handler.decorators';
export * from './job-router';
