import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import type { Task } from '../entities/task.entity';
import { TASK_EVENTS } from '../jobs.constants';
import { TasksService } from '../tasks.service';
import { TASK_CHANGE_BUS, TaskChange, TaskChangeBus } from './task-change-bus';

export type TaskListener = (task: Task | null) => void;

/**
 * Reads a watched task again when the change bus says it changed, and hands the row to every
 * listener of this process that watches it. However many streams follow one task here, it is read
 * once per change and at most every TASK_EVENTS.minIntervalMs, through the pool like any query: no
 * stream holds a database connection. A task is also read every fallbackReadMs, so a lost notice
 * (Redis away for a moment) delays an event, never loses it.
 */
@Injectable()
export class TaskWatcher implements OnModuleDestroy {
  private readonly watches = new Map<string, Watch>();
  private unsubscribe?: () => void;

  constructor(
    @Inject(TASK_CHANGE_BUS) private readonly bus: TaskChangeBus,
    private readonly tasks: TasksService,
  ) {}

  /** Calls `listener` with the task as read after each change (null once it is gone); returns the way to stop. */
  watch(taskId: string, listener: TaskListener): () => void {
    this.unsubscribe ??= this.bus.subscribe((change) => this.changed(change));
    let watch = this.watches.get(taskId);
    if (!watch) {
      watch = new Watch(() => this.tasks.find(taskId));
      this.watches.set(taskId, watch);
    }
    watch.listeners.add(listener);
    // A change between the caller's own read and this subscription would otherwise wait for the next one.
    watch.request();
    const current = watch;
    return () => {
      current.listeners.delete(listener);
      if (current.listeners.size > 0) return;
      current.dispose();
      if (this.watches.get(taskId) === current) this.watches.delete(taskId);
    };
  }

  /** How many tasks this process watches now (tests, and the thought of a dashboard). */
  get watched(): number {
    return this.watches.size;
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
    for (const watch of this.watches.values()) watch.dispose();
    this.watches.clear();
  }

  private changed(change: TaskChange): void {
    if (change === 'resync') for (const watch of this.watches.values()) watch.request();
    else this.watches.get(change.taskId)?.request();
  }
}

class Watch {
  readonly listeners = new Set<TaskListener>();
  private lastReadAt = 0;
  private timer?: NodeJS.Timeout;
  private reading = false;
  private again = false;
  private readonly fallback: NodeJS.Timeout;

  constructor(private readonly read: () => Promise<Task | null>) {
    this.fallback = setInterval(() => this.request(), TASK_EVENTS.fallbackReadMs);
    this.fallback.unref();
  }

  /** A read soon: at once if the last one is old enough, else when it is; one read answers many requests. */
  request(): void {
    if (this.reading) {
      this.again = true;
      return;
    }
    if (this.timer) return;
    const wait = Math.max(0, this.lastReadAt + TASK_EVENTS.minIntervalMs - Date.now());
    this.timer = setTimeout(() => void this.readNow(), wait);
  }

  dispose(): void {
    clearInterval(this.fallback);
    clearTimeout(this.timer);
    this.listeners.clear();
  }

  private async readNow(): Promise<void> {
    this.timer = undefined;
    this.reading = true;
    this.lastReadAt = Date.now();
    let task: Task | null;
    try {
      task = await this.read();
    } catch {
      // The database is away: the fallback read tries again; the stream stays open meanwhile.
      this.reading = false;
      return;
    }
    this.reading = false;
    for (const listener of [...this.listeners]) listener(task);
    if (this.again) {
      this.again = false;
      this.request();
    }
  }
}
