import type { FactoryProvider } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { SETTLEMENT_DB } from '@app/database';
import { MysqlBatchWriter } from './mysql-batch-writer';
import { PostgresBatchWriter } from './postgres-batch-writer';
import { SettlementBatchWriter } from './settlement-batch-writer';
import { SqliteBatchWriter } from './sqlite-batch-writer';

/** The writer for the data source's dialect; a writer holds no connection and serves every transaction of it. */
export function createSettlementBatchWriter(dataSource: DataSource): SettlementBatchWriter {
  const type = dataSource.options.type;
  switch (type) {
    case 'postgres':
      return new PostgresBatchWriter();
    case 'mysql':
    case 'mariadb':
      return new MysqlBatchWriter();
    case 'better-sqlite3':
      return new SqliteBatchWriter();
    default:
      throw new Error(`no settlement batch writer for database type "${type}"`);
  }
}

/** Provides SettlementBatchWriter for the settlement data source (add to SettlementIngestModule's providers). */
export const settlementBatchWriterProvider: FactoryProvider<SettlementBatchWriter> = {
  provide: SettlementBatchWriter,
  useFactory: createSettlementBatchWriter,
  inject: [getDataSourceToken(SETTLEMENT_DB)],
};
