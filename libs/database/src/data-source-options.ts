import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DataSourceOptions, MixedList } from 'typeorm';
import type { DatabaseTarget } from '@app/core';
import { DataSourceName } from './database.constants';
import { FINANCE_MIGRATIONS } from './migrations/finance';
import { SETTLEMENT_MIGRATIONS } from './migrations/settlement';

const MIGRATIONS: Record<DataSourceName, MixedList<Function>> = {
  finance: FINANCE_MIGRATIONS,
  settlement: SETTLEMENT_MIGRATIONS,
};

/**
 * TypeORM options for one data source, from its URL. The schema only ever comes from migrations;
 * entities are added by each feature module (autoLoadEntities), never by a glob.
 */
export function dataSourceOptions(
  name: DataSourceName,
  target: DatabaseTarget,
  migrationsRun: boolean,
): DataSourceOptions {
  const common = {
    name,
    migrations: MIGRATIONS[name],
    migrationsRun,
    migrationsTableName: 'schema_migrations',
    synchronize: false,
    logging: false as const,
  };
  switch (target.kind) {
    case 'postgres':
      return {
        ...common,
        type: 'postgres',
        url: target.url,
        // Every timestamp is UTC: the session zone matches the process's TZ=UTC.
        extra: { max: 20, connectionTimeoutMillis: 3000, options: '-c timezone=UTC' },
      };
    case 'mysql':
      return {
        ...common,
        type: 'mysql',
        url: target.url,
        charset: 'utf8mb4_unicode_ci',
        timezone: 'Z',
        connectTimeout: 3000,
        supportBigNumbers: true,
        bigNumberStrings: true,
        extra: { connectionLimit: 20 },
      };
    case 'sqlite':
      if (target.url !== ':memory:') mkdirSync(dirname(target.url), { recursive: true });
      return { ...common, type: 'better-sqlite3', database: target.url, enableWAL: target.url !== ':memory:' };
  }
}
