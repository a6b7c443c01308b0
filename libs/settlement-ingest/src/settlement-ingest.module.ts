import { Module } from '@nestjs/common';
import { MultipartModule } from '@nestjs/platform-fastify/multipart';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfigService } from '@app/core';
import { SETTLEMENT_DB } from '@app/database';
import { MetricsModule } from '@app/metrics';
import { WebhooksModule } from '@app/webhooks';
import { CardTransaction } from './entities/card-transaction.entity';
import { SettlementFile } from './entities/settlement-file.entity';
import { SettlementReject } from './entities/settlement-reject.entity';
import { SampleSettlement } from './sample-settlement';
import { SettlementDataVersion } from './settlement-data-version';
import { SettlementFileEvents } from './settlement-file-events';
import { SettlementFilesController } from './settlement-files.controller';
import { SettlementFilesService } from './settlement-files.service';
import { SettlementInboxService } from './settlement-inbox.service';
import { SettlementIngestProcessor } from './settlement-ingest.processor';
import { SettlementIngestService } from './settlement-ingest.service';
import { SettlementProfiles } from './settlement-profiles';
import { SettlementScanSchedule } from './settlement-scan.schedule';
import { uploadOptions } from './upload-storage';

/**
 * Settlement files in: the inbox scan, uploads, the load itself (parse, validate, bulk write per
 * dialect, resumable), the ingest history and rejected rows.
 */
@Module({
  imports: [
    MetricsModule,
    WebhooksModule,
    TypeOrmModule.forFeature([SettlementFile, CardTransaction, SettlementReject], SETTLEMENT_DB),
    MultipartModule.registerAsync({ inject: [AppConfigService], useFactory: uploadOptions }),
  ],
  controllers: [SettlementFilesController],
  providers: [
    SettlementDataVersion,
    SettlementProfiles,
    SettlementFileEvents,
    SettlementFilesService,
    SettlementInboxService,
    SettlementIngestService,
    SettlementIngestProcessor,
    SettlementScanSchedule,
    SampleSettlement,
  ],
  exports: [TypeOrmModule, SettlementDataVersion, SettlementFilesService, SettlementIngestService, SettlementInboxService],
})
export class SettlementIngestModule {}
