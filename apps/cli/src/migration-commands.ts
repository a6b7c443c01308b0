import type { DataSource } from 'typeorm';
import { AppConfigService, AppLogger } from '@app/core';
import { DataSourceName, FINANCE_DB, SETTLEMENT_DB, dataSourceOptions, openDataSource } from '@app/database';

export const DATA_SOURCES = [FINANCE_DB, SETTLEMENT_DB] as const;

/** Through openDataSource, like the apps: SQLite writes wait their turn on the write gate, outages are named. */
async function open(name: DataSourceName, config: AppConfigService): Promise<DataSource> {
  const target = name === FINANCE_DB ? config.get('finance') : config.get('settlement');
  return openDataSource({ ...(await dataSourceOptions(name, target, false)), name });
}

/** `db:migrate`: every pending migration of both data sources, each in its own transaction. */
export async function migrate(config: AppConfigService, logger: AppLogger): Promise<void> {
  for (const name of DATA_SOURCES) {
    const dataSource = await open(name, config);
    try {
      const applied = await dataSource.runMigrations({ transaction: 'each' });
      logger.log(`${name}: ${applied.length} migration(s) applied${applied.map((m) => `\n  ${m.name}`).join('')}`, 'db:migrate');
    } finally {
      await dataSource.destroy();
    }
  }
}

/** `db:revert`: the last migration of one data source, or all of them. */
export async function revert(name: DataSourceName, all: boolean, config: AppConfigService, logger: AppLogger): Promise<void> {
  const dataSource = await open(name, config);
  try {
    do {
      const executed = await dataSource.query(`SELECT COUNT(*) AS n FROM schema_migrations`).catch(() => [{ n: 0 }]);
      if (Number(executed[0].n) === 0) break;
      await dataSource.undoLastMigration({ transaction: 'each' });
      logger.log(`${name}: reverted one migration`, 'db:revert');
    } while (all);
  } finally {
    await dataSource.destroy();
  }
}
