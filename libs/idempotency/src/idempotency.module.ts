import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { FINANCE_DB } from '@app/database';
import { IdempotencyKey } from './entities/idempotency-key.entity';
import { IdempotencyCleanup } from './idempotency-cleanup';
import { IdempotencyInterceptor } from './idempotency.interceptor';
import { IdempotencyStore } from './idempotency.store';

/** Global so every feature's controller can carry @Idempotent() without importing it. */
@Global()
@Module({
  imports: [TypeOrmModule.forFeature([IdempotencyKey], FINANCE_DB)],
  providers: [IdempotencyStore, IdempotencyInterceptor, IdempotencyCleanup],
  exports: [IdempotencyStore, IdempotencyInterceptor],
})
export class IdempotencyModule {}
