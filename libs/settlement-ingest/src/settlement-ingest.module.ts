import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { SETTLEMENT_DB } from '@app/database';
import { CardTransaction } from './entities/card-transaction.entity';
import { SettlementFile } from './entities/settlement-file.entity';
import { SettlementReject } from './entities/settlement-reject.entity';
import { SettlementDataVersion } from './settlement-data-version';

@Module({
  imports: [TypeOrmModule.forFeature([SettlementFile, CardTransaction, SettlementReject], SETTLEMENT_DB)],
  providers: [SettlementDataVersion],
  exports: [TypeOrmModule, SettlementDataVersion],
})
export class SettlementIngestModule {}
