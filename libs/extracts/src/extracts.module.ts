import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { FINANCE_DB } from '@app/database';
import { SubscriptionsModule } from '@app/subscriptions';
import { Transaction } from '@app/transactions';
import { ExtractsCleanup } from './extracts-cleanup';
import { ExtractsController } from './extracts.controller';
import { ExtractsProcessor } from './extracts.processor';
import { ExtractsService } from './extracts.service';

@Module({
  imports: [SubscriptionsModule, TypeOrmModule.forFeature([Transaction], FINANCE_DB)],
  controllers: [ExtractsController],
  providers: [ExtractsService, ExtractsProcessor, ExtractsCleanup],
  exports: [ExtractsService],
})
export class ExtractsModule {}
