import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { FindOptionsWhere, In, Not, Repository, UpdateResult } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { AuthUser, hasRole } from '@app/access';
import { NotFoundError } from '@app/core';
import { FINANCE_DB, isUniqueViolation, withAmbientTransaction } from '@app/database';
import { Task } from './entities/task.entity';
import { FINISHED_STATES, PROGRESS_EVERY_MS } from './jobs.constants';
import { TASK_CHANGE_BUS, TaskChangeBus } from './task-events/task-change-bus';
import { TaskLifecycle } from './task-lifecycle';

type TaskChanges = QueryDeepPartialEntity<Task>;

const UNFINISHED: FindOptionsWhere<Task> = { state: Not(In([...FINISHED_STATES])) };

/**
 * Every state change of a task, as durable rows. Transitions out of SUCCESS/FAILURE never happen.
 * Each change adds one to the task's version and is announced on the change bus once committed.
 */
@Injectable()
export class TasksService {
  private readonly logger = new Logger(TasksService.name);

  constructor(
    @InjectRepository(Task, FINANCE_DB) private readonly tasks: Repository<Task>,
    @Inject(TASK_CHANGE_BUS) private readonly changes: TaskChangeBus,
    private readonly lifecycle: TaskLifecycle,
  ) {}

  async create(ownerId: string, type: string, params: Record<string, unknown>): Promise<Task & { created: boolean }> {
    return { ...(await this.insert(randomUUID(), ownerId, type, params)), created: true };
  }

  /** Creates the task with this id, or returns the one that already has it (`created: false`). */
  async createOnce(id: string, ownerId: string, type: string, params: Record<string, unknown>): Promise<Task & { created: boolean }> {
    try {
      // In a savepoint: inside a caller's transaction (an audited submit) a duplicate key must not
      // abort it (PostgreSQL refuses every later statement of a transaction that failed one).
      return { ...(await withAmbientTransaction(this.tasks.manager.connection, () => this.insert(id, ownerId, type, params))), created: true };
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      const existing = await this.tasks.findOneByOrFail({ id });
      return { ...existing, created: false };
    }
  }

  private async insert(id: string, ownerId: string, type: string, params: Record<string, unknown>): Promise<Task> {
    const task = this.tasks.create({
      id,
      ownerId,
      type,
      params,
      state: 'PENDING',
      progressDone: 0,
      progressTotal: 0,
      result: null,
      error: null,
      attempts: 0,
      version: 1,
      createdAt: new Date(),
      startedAt: null,
      finishedAt: null,
    });
    // insert, not save: save would overwrite a task that already has this id. TypeORM serialises the
    // simple-json column itself; insert's typing just cannot express it.
    await this.tasks.insert(task as never);
    return task;
  }

  find(id: string): Promise<Task | null> {
    return this.tasks.findOneBy({ id });
  }

  /** The task when the caller may see it (its owner, or an admin); another user's task is a 404 like a missing one. */
  async findVisible(actor: AuthUser, id: string): Promise<Task> {
    const task = await this.find(id);
    if (!task || (task.ownerId !== actor.id && !hasRole(actor, 'admin'))) throw new NotFoundError('No such task');
    return task;
  }

  /** Marks an attempt started; false when the task already finished (a duplicate delivery). */
  async start(id: string, attempt: number): Promise<boolean> {
    return this.change(id, UNFINISHED, { state: 'STARTED', attempts: attempt, error: null, progressDone: 0, startedAt: new Date() });
  }

  /**
   * The runner writes the progress every second even while it stands still (a long query): a write
   * that would change nothing is no change, so no new version and no event.
   */
  async progress(id: string, done: number, total: number): Promise<void> {
    const result = await this.tasks
      .createQueryBuilder()
      .update(Task)
      .set({ state: 'PROGRESS', progressDone: done, progressTotal: total, version: () => 'version + 1' })
      .where('id = :id AND state NOT IN (:...finished)', { id, finished: FINISHED_STATES })
      .andWhere('NOT (state = :progress AND progress_done = :done AND progress_total = :total)', { progress: 'PROGRESS', done, total })
      .execute();
    if (result.affected) this.changes.publish(id);
  }

  /** Only an unfinished task succeeds: a late duplicate run never turns a FAILURE into SUCCESS. */
  async succeed(id: string, result: Record<string, unknown>): Promise<void> {
    // TypeORM serialises the simple-json column itself; its update typing just cannot express it.
    await this.finish(id, { state: 'SUCCESS', result: result as never, error: null, progressDone: () => 'progress_total', finishedAt: new Date() });
  }

  async fail(id: string, error: string): Promise<void> {
    await this.finish(id, { state: 'FAILURE', error: error.slice(0, 1000), finishedAt: new Date() });
  }

  /** A task that failed for good back to PENDING for another run of its job; false when it is not FAILURE. */
  async reopen(id: string, params: Record<string, unknown>): Promise<boolean> {
    // TypeORM serialises the simple-json column itself; its update typing just cannot express it.
    return this.change(
      id,
      { state: 'FAILURE' },
      { state: 'PENDING', params: params as never, attempts: 0, error: null, progressDone: 0, startedAt: null, finishedAt: null },
    );
  }

  /** Back to PENDING between attempts, with the error that caused the retry. */
  async retrying(id: string, error: string): Promise<void> {
    await this.change(id, UNFINISHED, { state: 'PENDING', error: `retrying after: ${error}`.slice(0, 1000) });
  }

  /**
   * The task's last change: in one transaction with what the TaskLifecycle listeners write about it
   * (webhook deliveries), whose after-commit work runs once that has committed.
   */
  private async finish(id: string, changes: TaskChanges): Promise<void> {
    const afterCommit = await withAmbientTransaction(this.tasks.manager.connection, async () => {
      if (!(await this.update(id, UNFINISHED, changes)).affected) return undefined;
      const task = await this.tasks.findOneByOrFail({ id });
      const actions: Array<() => Promise<void>> = [];
      for (const listener of this.lifecycle.finishedListeners) {
        const action = await listener(task);
        if (action) actions.push(action);
      }
      return actions;
    });
    if (!afterCommit) return;
    this.changes.publish(id);
    for (const action of afterCommit) {
      // Committed already: this only speeds things up (queues deliveries), and what it misses the
      // webhook sweep makes up for.
      await action().catch((error: unknown) => this.logger.warn({ err: error, taskId: id }, `After finishing task ${id}: ${(error as Error).message}`));
    }
  }

  /** One change of an unfinished (or, for reopen, failed) task: true when it applied. */
  private async change(id: string, where: Omit<FindOptionsWhere<Task>, 'id'>, changes: TaskChanges): Promise<boolean> {
    const applied = ((await this.update(id, where, changes)).affected ?? 0) > 0;
    if (applied) this.changes.publish(id);
    return applied;
  }

  private update(id: string, where: Omit<FindOptionsWhere<Task>, 'id'>, changes: TaskChanges): Promise<UpdateResult> {
    return this.tasks.update({ id, ...where }, { ...changes, version: () => 'version + 1' });
  }

  /** Tasks an in-process queue lost when its process stopped, to run again at the next start. */
  unfinished(types: string[]): Promise<Task[]> {
    return this.tasks.find({ where: { state: Not(In([...FINISHED_STATES])), type: In(types) }, order: { createdAt: 'ASC' } });
  }

  /** A progress callback that writes at most every PROGRESS_EVERY_MS; `flush` writes the last value. */
  progressReporter(id: string) {
    let last = 0;
    let pending: Promise<void> = Promise.resolve();
    let latest: [number, number] = [0, 0];
    const write = () => {
      last = Date.now();
      const [done, total] = latest;
      pending = pending.then(() => this.progress(id, done, total)).catch(() => undefined);
      return pending;
    };
    return {
      report: (done: number, total: number) => {
        latest = [done, total];
        if (Date.now() - last >= PROGRESS_EVERY_MS) void write();
      },
      flush: () => write(),
    };
  }
}
