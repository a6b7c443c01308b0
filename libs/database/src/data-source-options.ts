import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { createConnection } from 'mysql2/promise';
import type { DataSourceOptions } from 'typeorm';
import type { DatabaseTarget } from '@app/core';
import { DataSourceName } from './database.constants';
import { FINANCE_MIGRATIONS } from './migrations/finance';
import { SETTLEMENT_MIGRATIONS } from './migrations/settlement';
import { registerSqliteFunctions } from './sqlite-functions';

const MIGRATIONS: Record<DataSourceName, NonNullable<DataSourceOptions['migrations']>> = {
  finance: FINANCE_MIGRATIONS,
  settlement: SETTLEMENT_MIGRATIONS,
};

/**
 * TypeORM options for one data source, from its URL. The schema only ever comes from migrations;
 * entities are added by each feature module (autoLoadEntities), never by a glob.
 */
export async function dataSourceOptions(name: DataSourceName, target: DatabaseTarget, migrationsRun: boolean): Promise<DataSourceOptions> {
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
        type: await mysqlFlavour(target.url),
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
      return {
        ...common,
        type: 'better-sqlite3',
        database: target.url,
        enableWAL: target.url !== ':memory:',
        prepareDatabase: (db: Parameters<typeof registerSqliteFunctions>[0]) => registerSqliteFunctions(db),
      };
  }
}

/**
 * TypeORM reads MariaDB's catalog differently from MySQL's and only knows which one it talks to from
 * `type`. A `mysql://` URL often points at MariaDB (the Momo system's did), so the server is asked.
 * If it cannot be reached yet, `mysql` is assumed and TypeORM's own connect reports the outage.
 */
async function mysqlFlavour(url: string): Promise<'mysql' | 'mariadb'> {
  try {
    const connection = await createConnection({ uri: url, connectTimeout: 3000 });
    try {
      const [rows] = await connection.query('SELECT VERSION() AS version');
      return /mariadb/i.test(String((rows as Array<{ version: string }>)[0].version)) ? 'mariadb' : 'mysql';
    } finally {
      await connection.end();
    }
  } catch {
    return new URL(url).protocol === 'mariadb:' ? 'mariadb' : 'mysql';
  }
}
