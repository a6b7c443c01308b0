/** The two TypeORM data sources, named everywhere by these constants. */
export const FINANCE_DB = 'finance';
export const SETTLEMENT_DB = 'settlement';
export type DataSourceName = typeof FINANCE_DB | typeof SETTLEMENT_DB;
