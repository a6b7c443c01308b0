import { Module } from '@nestjs/common';
import { SubscriptionsModule } from '@app/subscriptions';
import { ExtractsCleanup } from './extracts-cleanup';
import { ExtractsController } from './extracts.controller';
import { ExtractsProcessor } from './extracts.processor';
import { ExtractsService } from './extracts.service';

@Module({
  imports: [SubscriptionsModule],
  controllers: [ExtractsController],
  providers: [ExtractsService, ExtractsProcessor, ExtractsCleanup],
  exports: [ExtractsService],
})
export class ExtractsModule {}
