import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { FINANCE_DB, SETTLEMENT_DB } from '@app/database';
import { CardTransaction } from '@app/settlement-ingest';
import { SubscriptionsModule } from '@app/subscriptions';
import { Transaction } from '@app/transactions';
import { ExtractsCleanup } from './extracts-cleanup';
import { ExtractsController } from './extracts.controller';
import { ExtractsProcessor } from './extracts.processor';
import { ExtractsService } from './extracts.service';
import { SettlementExtractSource } from './sources/settlement.source';
import { TransactionsExtractSource } from './sources/transactions.source';

@Module({
  imports: [
    SubscriptionsModule,
    TypeOrmModule.forFeature([Transaction], FINANCE_DB),
    // Read by the settlement source; listed here too so apps without the settlement modules (the CLI) know it.
    TypeOrmModule.forFeature([CardTransaction], SETTLEMENT_DB),
  ],
  controllers: [ExtractsController],
  providers: [ExtractsService, ExtractsProcessor, ExtractsCleanup, TransactionsExtractSource, SettlementExtractSource],
  exports: [ExtractsService],
})
export class ExtractsModule {}
