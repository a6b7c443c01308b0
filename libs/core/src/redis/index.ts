export * from './redis.module';
export * from './shared-counter';
