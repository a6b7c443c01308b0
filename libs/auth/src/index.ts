export * from './auth.module';
export * from './decorators/access.decorators';
