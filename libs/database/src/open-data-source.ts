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
/** What runs once the outermost ambient transaction of a runner has committed (afterCommit). */
const committed = new WeakMap<QueryRunner, Array<() => Promise<void>>>();

/**
 * Runs `work` inside one transaction of `dataSource`: every query `work` makes on it (through any
 * repository, `dataSource.transaction` nesting as a savepoint) joins that transaction, which commits
 * when `work` resolves and rolls back when it throws. The idempotency layer uses it so a change and
 * the record of its answer commit together or not at all. Called inside another, it is a savepoint.
 * The outermost one runs what `afterCommit` queued once it has committed, before it returns.
 */
export async function withAmbientTransaction<T>(dataSource: DataSource, work: () => Promise<T>): Promise<T> {
  const outermost = !ambient.getStore()?.has(dataSource);
  const runner = dataSource.createQueryRunner('master');
  const release = runner.release.bind(runner);
  // Repositories release the runner they were handed after each call; the ambient one outlives them.
  runner.release = async () => undefined;
  const runners = new Map(ambient.getStore() ?? []);
  runners.set(dataSource, runner);
  let result: T;
  try {
    await runner.startTransaction();
    result = await ambient.run(runners, work);
    await runner.commitTransaction();
  } catch (error) {
    if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
    if (outermost) committed.delete(runner);
    throw error;
  } finally {
    if (outermost) await release();
  }
  if (outermost) await runAfterCommit(runner);
  return result;
}

/** The runner of the withAmbientTransaction of `dataSource` open around the caller, if any. */
function openRunner(dataSource: DataSource): QueryRunner | undefined {
  const runner = ambient.getStore()?.get(dataSource);
  return runner?.isTransactionActive ? runner : undefined;
}

/** Whether the caller runs inside an open withAmbientTransaction of `dataSource`. */
export function inOpenTransaction(dataSource: DataSource): boolean {
  return openRunner(dataSource) !== undefined;
}

/** `work` in the ambient transaction of `dataSource` when one is open (joined: no savepoint), else in a new one. */
export function inTransaction<T>(dataSource: DataSource, work: () => Promise<T>): Promise<T> {
  return inOpenTransaction(dataSource) ? work() : withAmbientTransaction(dataSource, work);
}

/**
 * Queues `action` to run once the outermost ambient transaction of `dataSource` has committed; it
 * never runs if that rolls back. For work that only follows a change (sealing its audit entries):
 * the change has happened by then, so `action` handles its own failures; a rejection is ignored.
 */
export function afterCommit(dataSource: DataSource, action: () => Promise<void>): void {
  const runner = openRunner(dataSource);
  if (!runner) throw new Error('afterCommit needs an open withAmbientTransaction');
  const actions = committed.get(runner) ?? [];
  actions.push(action);
  committed.set(runner, actions);
}

async function runAfterCommit(runner: QueryRunner): Promise<void> {
  const actions = committed.get(runner);
  if (!actions) return;
  committed.delete(runner);
  await Promise.allSettled(actions.map((action) => action()));
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
