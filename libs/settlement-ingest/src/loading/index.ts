export * from './settlement-batch-writer';
export * from './create-settlement-batch-writer';
export { MysqlBatchWriter } from './mysql-batch-writer';
export { PostgresBatchWriter } from './postgres-batch-writer';
export { SqliteBatchWriter } from './sqlite-batch-writer';
