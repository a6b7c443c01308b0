export * from './database.constants';
export * from './data-source-options';
export * from './database.module';
export * from './db-errors';
export * from './sqlite-functions';
