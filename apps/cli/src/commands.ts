import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { basename } from 'node:path';
import { DataSource } from 'typeorm';
import { AppConfigService, AppLogger, DomainError } from '@app/core';
import { DataSourceName, FINANCE_DB, SETTLEMENT_DB, dataSourceOptions } from '@app/database';
import { ExtractsService, resolvePeriod } from '@app/extracts';
import { ExtractsProcessor } from '@app/extracts/extracts.processor';
import { JOBS, TasksService } from '@app/jobs';
import { TransactionsService } from '@app/transactions';
import { UsersService } from '@app/users';
import { SettlementInboxService, SettlementIngestService } from '@app/settlement-ingest';
import { generateSettlementFile } from '@app/settlement-ingest/generator';
import { CliModule } from './cli.module';
import { progressBar } from './progress-bar';

type Command = (args: string[], config: AppConfigService, logger: AppLogger) => Promise<number>;

const COMMANDS: Record<string, { summary: string; run: Command }> = {
  'db:migrate': { summary: 'apply pending migrations to both data sources (create tables)', run: migrate },
  'db:revert': {
    summary: 'revert the last migration of one data source: db:revert finance|settlement [--all] (drop tables)',
    run: revert,
  },
  'user:create': {
    summary: 'create a user: --username U --email E --password P [--role user|operator|admin] [--full-name N]',
    run: (args, config) => withApp(config, (app) => createUser(app, options(args))),
  },
  'seed:transactions': {
    summary: 'add N synthetic transactions for a user: --username U [--count 10000] [--seed 1]',
    run: (args, config) => withApp(config, (app) => seedTransactions(app, options(args))),
  },
  'extract:generate': {
    summary:
      'write an extract now, with a progress bar: --username U (--days-before N | --start-date D --end-date D) ' +
      '[--aggregation day|week|month|year] [--detailed]',
    run: (args, config) => withApp(config, (app) => generateExtract(app, options(args))),
  },
  'settlement:ingest': {
    summary: 'load one settlement file now, with a progress bar: settlement:ingest PATH [--profile NAME]',
    run: (args, config) => withApp(config, (app) => ingestSettlementFile(app, args, options(args))),
  },
  'settlement:scan': {
    summary: 'scan the settlement inbox now and load every ready file, with progress bars',
    run: (_args, config) => withApp(config, (app) => scanInbox(app)),
  },
  'settlement:generate': {
    summary: 'write a canonical settlement file: settlement:generate PATH --rows N [--bad N] [--seed S] [--prefix P]',
    run: (args) => generateSettlement(args, options(args)),
  },
};

/** `--key value` and bare `--flag` pairs. */
function options(args: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    if (!args[i].startsWith('--')) continue;
    const next = args[i + 1];
    out[args[i].slice(2)] = next === undefined || next.startsWith('--') ? 'true' : args[++i];
  }
  return out;
}

function required(opts: Record<string, string>, name: string): string {
  if (!opts[name]) throw new UsageError(`--${name} is required`);
  return opts[name];
}

class UsageError extends Error {}

async function withApp(config: AppConfigService, fn: (app: INestApplicationContext) => Promise<void>): Promise<number> {
  const app = await NestFactory.createApplicationContext(CliModule.forRoot(config), { logger: ['error', 'warn'] });
  try {
    await fn(app);
    return 0;
  } catch (error) {
    if (error instanceof UsageError || error instanceof DomainError) {
      const details = error instanceof DomainError && error.details ? ` ${JSON.stringify(error.details)}` : '';
      process.stderr.write(`${error.message}${details}\n`);
      return error instanceof UsageError ? 64 : 65;
    }
    throw error;
  } finally {
    await app.close();
  }
}

async function createUser(app: INestApplicationContext, opts: Record<string, string>): Promise<void> {
  const role = (opts.role ?? 'user') as 'user' | 'operator' | 'admin';
  if (!['user', 'operator', 'admin'].includes(role)) throw new UsageError('--role must be user, operator or admin');
  const user = await app.get(UsersService).insert({
    username: required(opts, 'username'),
    email: required(opts, 'email'),
    password: required(opts, 'password'),
    full_name: opts['full-name'],
    role,
  });
  process.stdout.write(`created ${user.role} ${user.username} (${user.id})\n`);
}

async function seedTransactions(app: INestApplicationContext, opts: Record<string, string>): Promise<void> {
  const user = await app.get(UsersService).findByUsername(required(opts, 'username'));
  if (!user) throw new UsageError(`no user named ${opts.username}`);
  const count = Number(opts.count ?? 10_000);
  if (!Number.isInteger(count) || count < 1) throw new UsageError('--count must be a positive whole number');
  let state = Number(opts.seed ?? 1) >>> 0 || 1;
  const random = () => ((state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const categories = ['food', 'rent', 'travel', 'salary', 'utilities', 'fun'];
  const bar = progressBar('seeding');
  const actor = { id: user.id, username: user.username, role: user.role };
  const now = Date.now();
  for (let done = 0; done < count; ) {
    const size = Math.min(5_000, count - done);
    const batch = Array.from({ length: size }, () => {
      const cents = Math.floor(random() * 200_000) - 150_000;
      const amount = `${cents < 0 ? '-' : ''}${Math.floor(Math.abs(cents) / 100)}.${String(Math.abs(cents) % 100).padStart(2, '0')}`;
      return {
        amount,
        currency: random() < 0.8 ? 'USD' : 'EUR',
        category: categories[Math.floor(random() * categories.length)],
        description: 'synthetic',
        occurred_at: new Date(now - Math.floor(random() * 365 * 86_400_000)).toISOString(),
      };
    });
    await app.get(TransactionsService).createMany(actor, batch);
    done += size;
    bar.update(done, count);
  }
  bar.finish(count, count);
}

async function generateExtract(app: INestApplicationContext, opts: Record<string, string>): Promise<void> {
  const user = await app.get(UsersService).findByUsername(required(opts, 'username'));
  if (!user) throw new UsageError(`no user named ${opts.username}`);
  const period = resolvePeriod({
    start_date: opts['start-date'],
    end_date: opts['end-date'],
    days_before: opts['days-before'] === undefined ? undefined : Number(opts['days-before']),
  });
  const aggregation = (opts.aggregation ?? 'month') as 'day' | 'week' | 'month' | 'year';
  if (!['day', 'week', 'month', 'year'].includes(aggregation)) throw new UsageError('--aggregation must be day, week, month or year');
  const params = { source: 'transactions', ...period, aggregation, detailed: opts.detailed === 'true' };
  const tasks = app.get(TasksService);
  const task = await tasks.create(user.id, JOBS.generateExtract, params);
  await tasks.start(task.id, 1);
  const bar = progressBar('extract');
  const result = await app.get(ExtractsProcessor).generate({
    taskId: task.id,
    ownerId: user.id,
    params,
    attempt: 1,
    signal: new AbortController().signal,
    progress: (done, total) => bar.update(done, total),
  });
  bar.finish(Number(result.rows), Number(result.rows));
  await tasks.succeed(task.id, result);
  process.stdout.write(`${app.get(ExtractsService).filePath(task.id)} (${result.rows} rows, ${result.bytes} bytes, task ${task.id})\n`);
}

async function ingestSettlementFile(app: INestApplicationContext, args: string[], opts: Record<string, string>): Promise<void> {
  const path = args[0];
  if (!path || path.startsWith('--')) throw new UsageError('settlement:ingest needs the path of the file');
  const file = await app.get(SettlementInboxService).registerCopy(path, basename(path), 'command', opts.profile);
  await loadWithProgress(app, file.id, file.name);
}

async function scanInbox(app: INestApplicationContext): Promise<void> {
  const inbox = app.get(SettlementInboxService);
  const files = [...(await inbox.claimReady()), ...(await inbox.unqueued())];
  if (files.length === 0) process.stdout.write('inbox: no file ready\n');
  for (const file of files) await loadWithProgress(app, file.id, file.name);
}

async function loadWithProgress(app: INestApplicationContext, fileId: string, name: string): Promise<void> {
  const bar = progressBar(name.slice(-24));
  const result = await app.get(SettlementIngestService).load(fileId, { progress: (done, total) => bar.update(done, total) });
  bar.finish(1, 1);
  process.stdout.write(
    `${name}: ${result.status}, ${result.rows_loaded} loaded, ${result.rows_rejected} rejected` +
      `${result.error ? ` (${result.error})` : ''} [file ${result.file_id}]\n`,
  );
}

async function generateSettlement(args: string[], opts: Record<string, string>): Promise<number> {
  const path = args[0];
  if (!path || path.startsWith('--')) throw new UsageError('settlement:generate needs the path to write');
  const count = (name: string, fallback?: number) => {
    const value = Number(opts[name] ?? fallback);
    if (!Number.isInteger(value) || value < 0) throw new UsageError(`--${name} must be a whole number`);
    return value;
  };
  const result = await generateSettlementFile(path, {
    rows: count('rows'),
    badRows: count('bad', 0),
    seed: count('seed', 1),
    docPrefix: opts.prefix,
  });
  process.stdout.write(`${path}: ${result.rows} rows (${result.valid} valid, ${result.bad} bad)\n`);
  return 0;
}

export async function runCommand(name: string, args: string[], config: AppConfigService, logger: AppLogger) {
  const command = COMMANDS[name];
  if (!command) {
    const lines = Object.entries(COMMANDS).map(([key, { summary }]) => `  ${key.padEnd(20)} ${summary}`);
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
