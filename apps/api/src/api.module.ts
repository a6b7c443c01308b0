import { DynamicModule, Module } from '@nestjs/common';
import { AuthModule } from '@app/auth';
import { AppConfigModule, AppConfigService, RedisModule } from '@app/core';
import { DatabaseModule } from '@app/database';
import { ExtractsModule } from '@app/extracts';
import { HealthModule } from '@app/health';
import { SettlementIngestModule } from '@app/settlement-ingest';
import { SubscriptionsModule } from '@app/subscriptions';
import { TransactionsModule } from '@app/transactions';
import { UsersModule } from '@app/users';

/** The HTTP app: composition only; every decision lives in libs/. */
@Module({})
export class ApiModule {
  static forRoot(config: AppConfigService): DynamicModule {
    return {
      module: ApiModule,
      imports: [
        AppConfigModule.forRoot(config),
        RedisModule,
        DatabaseModule.forRoot(),
        AuthModule,
        UsersModule,
        SubscriptionsModule,
        TransactionsModule,
        ExtractsModule,
        SettlementIngestModule,
        HealthModule,
      ],
    };
  }
}
