export * from './password';
export * from './auth.decorators';
export * from './auth.guard';
export * from './auth.service';
export * from './auth.module';
export * from './link-signer';
