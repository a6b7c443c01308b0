import { DynamicModule, Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { AuditModule } from '@app/audit';
import { AppConfigModule, AppConfigService, RedisModule } from '@app/core';
import { DatabaseModule } from '@app/database';
import { ExtractsModule } from '@app/extracts';
import { IdempotencyModule } from '@app/idempotency';
import { JobsModule } from '@app/jobs';
import { MetricsExporterModule } from '@app/metrics';
import { SettlementIngestModule } from '@app/settlement-ingest';
import { WebhooksModule } from '@app/webhooks';

/** The worker: queue processors and schedules, no HTTP server. Composition only. */
@Module({})
export class WorkerModule {
  static forRoot(config: AppConfigService): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        AppConfigModule.forRoot(config),
        RedisModule,
        DatabaseModule.forRoot(),
        JobsModule.forRoot(config, { runProcessors: true }),
        ScheduleModule.forRoot(),
        IdempotencyModule,
        AuditModule,
        ExtractsModule,
        SettlementIngestModule,
        WebhooksModule,
        MetricsExporterModule,
      ],
    };
  }
}
