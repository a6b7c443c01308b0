import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { In, Not, Repository } from 'typeorm';
import { FINANCE_DB, isUniqueViolation, withAmbientTransaction } from '@app/database';
import { Task } from './entities/task.entity';
import { FINISHED_STATES, PROGRESS_EVERY_MS } from './jobs.constants';

/** Every state change of a task, as durable rows. Transitions out of SUCCESS/FAILURE never happen. */
@Injectable()
export class TasksService {
  constructor(@InjectRepository(Task, FINANCE_DB) private readonly tasks: Repository<Task>) {}

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

  /** Marks an attempt started; false when the task already finished (a duplicate delivery). */
  async start(id: string, attempt: number): Promise<boolean> {
    const result = await this.tasks.update(
      { id, state: Not(In([...FINISHED_STATES])) },
      { state: 'STARTED', attempts: attempt, error: null, progressDone: 0, startedAt: new Date() },
    );
    return (result.affected ?? 0) > 0;
  }

  async progress(id: string, done: number, total: number): Promise<void> {
    await this.tasks.update({ id, state: Not(In([...FINISHED_STATES])) }, { state: 'PROGRESS', progressDone: done, progressTotal: total });
  }

  /** Only an unfinished task succeeds: a late duplicate run never turns a FAILURE into SUCCESS. */
  async succeed(id: string, result: Record<string, unknown>): Promise<void> {
    await this.tasks
      .createQueryBuilder()
      .update(Task)
      // TypeORM serialises the simple-json column itself; its update typing just cannot express it.
      .set({ state: 'SUCCESS', result: result as never, error: null, progressDone: () => 'progress_total', finishedAt: new Date() })
      .where('id = :id AND state NOT IN (:...finished)', { id, finished: FINISHED_STATES })
      .execute();
  }

  async fail(id: string, error: string): Promise<void> {
    await this.tasks.update(
      { id, state: Not(In([...FINISHED_STATES])) },
      { state: 'FAILURE', error: error.slice(0, 1000), finishedAt: new Date() },
    );
  }

  /** A task that failed for good back to PENDING for another run of its job; false when it is not FAILURE. */
  async reopen(id: string, params: Record<string, unknown>): Promise<boolean> {
    const result = await this.tasks
      .createQueryBuilder()
      .update(Task)
      // TypeORM serialises the simple-json column itself; its update typing just cannot express it.
      .set({ state: 'PENDING', params: params as never, attempts: 0, error: null, progressDone: 0, startedAt: null, finishedAt: null })
      .where('id = :id AND state = :failed', { id, failed: 'FAILURE' })
      .execute();
    return (result.affected ?? 0) > 0;
  }

  /** Back to PENDING between attempts, with the error that caused the retry. */
  async retrying(id: string, error: string): Promise<void> {
    await this.tasks.update({ id, state: Not(In([...FINISHED_STATES])) }, { state: 'PENDING', error: `retrying after: ${error}`.slice(0, 1000) });
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
