import { DataSource } from 'typeorm';
import { AppConfigService, AppLogger } from '@app/core';
import { DataSourceName, FINANCE_DB, SETTLEMENT_DB, dataSourceOptions } from '@app/database';

type Command = (args: string[], config: AppConfigService, logger: AppLogger) => Promise<number>;

const COMMANDS: Record<string, { summary: string; run: Command }> = {
  'db:migrate': { summary: 'apply pending migrations to both data sources (create tables)', run: migrate },
  'db:revert': {
    summary: 'revert the last migration of one data source: db:revert finance|settlement [--all] (drop tables)',
    run: revert,
  },
};

export async function runCommand(name: string, args: string[], config: AppConfigService, logger: AppLogger) {
  const command = COMMANDS[name];
  if (!command) {
    const lines = Object.entries(COMMANDS).map(([key, { summary }]) => `  ${key.padEnd(14)} ${summary}`);
    process.stdout.write(`Commands:\n${lines.join('\n')}\n`);
    return name === 'help' ? 0 : 64;
  }
  return command.run(args, config, logger);
}

async function open(name: DataSourceName, config: AppConfigService): Promise<DataSource> {
  const target = name === FINANCE_DB ? config.get('finance') : config.get('settlement');
  return new DataSource(await dataSourceOptions(name, target, false)).initialize();
}

async function migrate(_args: string[], config: AppConfigService, logger: AppLogger): Promise<number> {
  for (const name of [FINANCE_DB, SETTLEMENT_DB] as const) {
    const dataSource = await open(name, config);
    try {
      const applied = await dataSource.runMigrations({ transaction: 'each' });
      logger.log(`${name}: ${applied.length} migration(s) applied${applied.map((m) => `\n  ${m.name}`).join('')}`, 'db:migrate');
    } finally {
      await dataSource.destroy();
    }
  }
  return 0;
}

async function revert(args: string[], config: AppConfigService, logger: AppLogger): Promise<number> {
  const name = args[0];
  if (name !== FINANCE_DB && name !== SETTLEMENT_DB) {
    process.stderr.write('db:revert needs the data source: finance or settlement\n');
    return 64;
  }
  const dataSource = await open(name, config);
  try {
    do {
      const executed = await dataSource.query(`SELECT COUNT(*) AS n FROM schema_migrations`).catch(() => [{ n: 0 }]);
      if (Number(executed[0].n) === 0) break;
      await dataSource.undoLastMigration({ transaction: 'each' });
      logger.log(`${name}: reverted one migration`, 'db:revert');
    } while (args.includes('--all'));
  } finally {
    await dataSource.destroy();
  }
  return 0;
}
