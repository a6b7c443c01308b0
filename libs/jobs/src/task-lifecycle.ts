import { Injectable } from '@nestjs/common';
import type { Task } from './entities/task.entity';

/**
 * Runs inside the transaction that finishes the task (its row already SUCCESS or FAILURE), so what
 * it writes commits with that state or not at all; what it returns runs once that has committed.
 */
export type TaskFinishedListener = (task: Task) => Promise<(() => Promise<void>) | void>;

/**
 * Where libraries above the job layer hook into a task's life without the job layer knowing them
 * (webhooks record their `task.finished` deliveries here), which keeps the lib graph acyclic.
 */
@Injectable()
export class TaskLifecycle {
  private readonly finished: TaskFinishedListener[] = [];

  onFinished(listener: TaskFinishedListener): void {
    this.finished.push(listener);
  }

  get finishedListeners(): readonly TaskFinishedListener[] {
    return this.finished;
  }
}
