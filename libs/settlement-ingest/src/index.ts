export * from './entities/settlement-file.entity';
export * from './settlement-ingest.module';
