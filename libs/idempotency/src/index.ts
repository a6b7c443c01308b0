export * from './entities/idempotency-key.entity';
export * from './idempotency.store';
export * from './idempotency.interceptor';
export * from './idempotent.decorator';
export * from './idempotency-cleanup';
export * from './idempotency.module';
export * from './request-fingerprint';
