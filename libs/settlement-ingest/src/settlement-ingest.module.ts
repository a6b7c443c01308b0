import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { SETTLEMENT_DB } from '@app/database';
import { SettlementFile } from './entities/settlement-file.entity';

@Module({
  imports: [TypeOrmModule.forFeature([SettlementFile], SETTLEMENT_DB)],
  exports: [TypeOrmModule],
})
export class SettlementIngestModule {}
