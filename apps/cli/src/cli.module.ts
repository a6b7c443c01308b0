import { DynamicModule, Module } from '@nestjs/common';
import { AuditModule } from '@app/audit';
import { AppConfigModule, AppConfigService, RedisModule } from '@app/core';
import { DatabaseModule } from '@app/database';
import { ExtractsModule } from '@app/extracts';
import { IdempotencyModule } from '@app/idempotency';
import { JobsModule } from '@app/jobs';
import { SettlementIngestModule } from '@app/settlement-ingest';
import { TransactionsModule } from '@app/transactions';
import { UsersModule } from '@app/users';
import { WebhooksModule } from '@app/webhooks';

/** What the shell commands need; no HTTP, no queue processing, no schedules (the cleanups' @Cron stay inert). */
@Module({})
export class CliModule {
  static forRoot(config: AppConfigService): DynamicModule {
    return {
      module: CliModule,
      imports: [
        AppConfigModule.forRoot(config),
        RedisModule,
        DatabaseModule.forRoot(),
        JobsModule.forRoot(config, { runProcessors: false }),
        // Global: the feature modules' routes carry its interceptor, so their modules need its store.
        IdempotencyModule,
        AuditModule,
        UsersModule,
        TransactionsModule,
        ExtractsModule,
        SettlementIngestModule,
        WebhooksModule,
      ],
    };
  }
}
