export * from './settlement-query.module';
export * from './settlement-query.service';
export { CursorCodec } from './cursor-codec';
export type { SettlementListQuery, SettlementRecordView } from './settlement-list-query';
