import { Module } from '@nestjs/common';
import { CacheModule } from '@nestjs/cache-manager';
import { AppConfigService } from '@app/core';
import { MetricsModule } from '@app/metrics';
import { SettlementIngestModule } from '@app/settlement-ingest';
import { cacheOptions } from './cache/cache-stores';
import { SettlementQueryCache } from './cache/settlement-query.cache';
import { SettlementQueryController } from './settlement-query.controller';
import { SettlementQueryRepository } from './settlement-query.repository';
import { SettlementQueryService } from './settlement-query.service';
import { WelcomeController } from './welcome.controller';

/** Reading card settlement records: GET /api/transactions and GET / (§HTTP), cached. */
@Module({
  imports: [MetricsModule, SettlementIngestModule, CacheModule.registerAsync({ inject: [AppConfigService], useFactory: cacheOptions })],
  controllers: [SettlementQueryController, WelcomeController],
  providers: [SettlementQueryService, SettlementQueryRepository, SettlementQueryCache],
  exports: [SettlementQueryService],
})
export class SettlementQueryModule {}
