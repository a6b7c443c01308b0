import { DynamicModule, Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { AuditModule } from '@app/audit';
import { AuthModule } from '@app/auth';
import { AppConfigModule, AppConfigService, RedisModule } from '@app/core';
import { DatabaseModule } from '@app/database';
import { ExtractsModule } from '@app/extracts';
import { HealthModule } from '@app/health';
import { IdempotencyModule } from '@app/idempotency';
import { JobsModule } from '@app/jobs';
import { MetricsExporterModule } from '@app/metrics';
import { QueueDashboardModule } from '@app/queue-dashboard';
import { SettlementIngestModule } from '@app/settlement-ingest';
import { SettlementQueryModule } from '@app/settlement-query';
import { SubscriptionsModule } from '@app/subscriptions';
import { TransactionsModule } from '@app/transactions';
import { UsersModule } from '@app/users';
import { WebhooksModule } from '@app/webhooks';

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
        // In embedded mode (or WORKER_IN_API=true) this process also runs the jobs and schedules.
        JobsModule.forRoot(config, { runProcessors: config.get('worker').inApi }),
        ...(config.get('worker').inApi ? [ScheduleModule.forRoot()] : []),
        IdempotencyModule,
        AuditModule,
        AuthModule,
        UsersModule,
        SubscriptionsModule,
        TransactionsModule,
        ExtractsModule,
        SettlementIngestModule,
        WebhooksModule,
        SettlementQueryModule,
        HealthModule,
        QueueDashboardModule,
        MetricsExporterModule,
      ],
    };
  }
}
