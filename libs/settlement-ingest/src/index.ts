export * from './entities/card-transaction.entity';
export * from './entities/settlement-file.entity';
export * from './entities/settlement-reject.entity';
export * from './settlement-ingest.module';
export * from './settlement-record';
export * from './settlement-data-version';
