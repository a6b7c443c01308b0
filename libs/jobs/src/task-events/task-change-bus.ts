import { Injectable } from '@nestjs/common';
import { EventEmitter } from 'node:events';

export const TASK_CHANGE_BUS = Symbol('TASK_CHANGE_BUS');

/**
 * What a listener hears: a task that changed (read it again to see how), or `resync` when notices
 * may have been missed (Redis was away) and every watched task should be read again.
 */
export type TaskChange = { taskId: string } | 'resync';

/**
 * Tells every process that streams task events that a task changed: an in-process emitter in
 * embedded mode, Redis pub/sub in services mode (the worker that runs a job is not the api that
 * streams it). A notice carries only the task's id: the row stays the one source of its state.
 */
export interface TaskChangeBus {
  /** Fire and forget: a notice that cannot be sent is made up for by the watchers' own reads. */
  publish(taskId: string): void;
  subscribe(listener: (change: TaskChange) => void): () => void;
}

@Injectable()
export class InProcessTaskChangeBus implements TaskChangeBus {
  private readonly emitter = new EventEmitter().setMaxListeners(0);

  publish(taskId: string): void {
    this.emitter.emit('change', { taskId });
  }

  subscribe(listener: (change: TaskChange) => void): () => void {
    this.emitter.on('change', listener);
    return () => this.emitter.off('change', listener);
  }
}
