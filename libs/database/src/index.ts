export * from './database.constants';
export * from './data-source-options';
export * from './database.module';
export * from './db-errors';
export * from './sqlite-functions';
export * from './open-data-source';
export * from './sqlite-write-gate';
