export * from './settlement-query.module';
