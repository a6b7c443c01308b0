import { AsyncLocalStorage } from 'node:async_hooks';
import { DataSource, DataSourceOptions, QueryRunner } from 'typeorm';
import type { BetterSqlite3Driver } from 'typeorm/driver/better-sqlite3/BetterSqlite3Driver';
import type { ReplicationMode } from 'typeorm/driver/types/ReplicationMode';
import { DependencyPart, DependencyUnavailableError, isOutage } from '@app/core';
import { DataSourceName, FINANCE_DB } from './database.constants';
import { SqliteWriteGate } from './sqlite-write-gate';

export function dependencyPart(name: DataSourceName): DependencyPart {
  return name === FINANCE_DB ? 'finance database' : 'settlement database';
}

/**
 * Every data source of the product is opened here, so three guarantees sit below every repository,
 * job and migration instead of in each of them:
 * - one writer at a time on SQLite (SqliteWriteGate);
 * - a database that cannot serve surfaces as DependencyUnavailableError naming it (a 503 with
 *   Retry-After), its driver error kept as the cause;
 * - work run by `withAmbientTransaction` shares one transaction, whatever repository it goes through.
 */
export async function openDataSource(options: DataSourceOptions & { name: DataSourceName }): Promise<DataSource> {
  const dataSource = new DataSource(options);
  instrumentDataSource(dataSource, options.name);
  return dataSource.initialize();
}

export function instrumentDataSource(dataSource: DataSource, name: DataSourceName): void {
  const driver = dataSource.driver;
  const part = dependencyPart(name);
  if (driver.options.type === 'better-sqlite3') SqliteWriteGate.install(driver as BetterSqlite3Driver, part);
  const create = driver.createQueryRunner.bind(driver);
  driver.createQueryRunner = (mode: ReplicationMode) => ambient.getStore()?.get(dataSource) ?? nameOutages(create(mode), part);
}

const ambient = new AsyncLocalStorage<Map<DataSource, QueryRunner>>();

/**
 * Runs `work` inside one transaction of `dataSource`: every query `work` makes on it (through any
 * repository, `dataSource.transaction` nesting as a savepoint) joins that transaction, which commits
 * when `work` resolves and rolls back when it throws. The idempotency layer uses it so a change and
 * the record of its answer commit together or not at all.
 */
export async function withAmbientTransaction<T>(dataSource: DataSource, work: () => Promise<T>): Promise<T> {
  const runner = dataSource.createQueryRunner('master');
  const release = runner.release.bind(runner);
  // Repositories release the runner they were handed after each call; the ambient one outlives them.
  runner.release = async () => undefined;
  const runners = new Map(ambient.getStore() ?? []);
  runners.set(dataSource, runner);
  try {
    await runner.startTransaction();
    const result = await ambient.run(runners, work);
    await runner.commitTransaction();
    return result;
  } catch (error) {
    if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
    throw error;
  } finally {
    await release();
  }
}

const OUTAGE_AWARE = ['connect', 'query', 'startTransaction', 'commitTransaction', 'rollbackTransaction', 'stream'] as const;
const named = new WeakSet<QueryRunner>();

function nameOutages(runner: QueryRunner, part: DependencyPart): QueryRunner {
  if (named.has(runner)) return runner;
  named.add(runner);
  for (const method of OUTAGE_AWARE) {
    const original = (runner[method] as (...args: unknown[]) => Promise<unknown>).bind(runner);
    (runner as unknown as Record<string, unknown>)[method] = async (...args: unknown[]) => {
      try {
        return await original(...args);
      } catch (error) {
        throw isOutage(error) ? new DependencyUnavailableError(part, { cause: error }) : error;
      }
    };
  }
  return runner;
}
