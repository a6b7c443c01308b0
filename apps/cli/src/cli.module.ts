import { DynamicModule, Module } from '@nestjs/common';
import { AppConfigModule, AppConfigService, RedisModule } from '@app/core';
import { DatabaseModule } from '@app/database';
import { ExtractsModule } from '@app/extracts';
import { JobsModule } from '@app/jobs';
import { SettlementIngestModule } from '@app/settlement-ingest';
import { TransactionsModule } from '@app/transactions';
import { UsersModule } from '@app/users';

/** What the shell commands need; no HTTP, no queue processing, no schedules. */
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
        UsersModule,
        TransactionsModule,
        ExtractsModule,
        SettlementIngestModule,
      ],
    };
  }
}
