import { Module } from '@nestjs/common';
import { SettlementIngestModule } from '@app/settlement-ingest';

/** Reading card settlement records: GET /api/transactions and GET / (§HTTP), cached. */
@Module({
  imports: [SettlementIngestModule],
})
export class SettlementQueryModule {}
