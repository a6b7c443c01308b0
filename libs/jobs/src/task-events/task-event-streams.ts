import { Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type { AuthUser } from '@app/access';
import { SseStream, ValidationError, onDrainStart } from '@app/core';
import type { Task } from '../entities/task.entity';
import { FINISHED_STATES, TASK_EVENTS } from '../jobs.constants';
import { TaskStatusResponse } from '../task-status.response';
import { TasksService } from '../tasks.service';
import { TaskWatcher } from './task-watcher';

/** The event every message of the stream is: the /task-status body, its id the task's version. */
export const TASK_STATUS_EVENT = 'status';

const LAST_EVENT_ID = /^\d{1,10}$/;

/**
 * GET /task-status/{task_id}/events: the task's status at once, again at every change (at most
 * every TASK_EVENTS.minIntervalMs), and the end of the stream after the final state. Event ids are
 * the task's version, so a reconnecting client's Last-Event-ID names what it has seen: it gets the
 * current status only when that is newer, and nothing at all (null: answered 204, which tells an
 * EventSource to stop reconnecting) once it has seen the final one.
 */
@Injectable()
export class TaskEventStreams implements OnModuleInit, OnModuleDestroy {
  private readonly streams = new Set<SseStream>();
  private draining = false;
  private stopDrainListener?: () => void;

  constructor(
    private readonly tasks: TasksService,
    private readonly watcher: TaskWatcher,
  ) {}

  onModuleInit(): void {
    this.stopDrainListener = onDrainStart(() => this.endAll());
  }

  onModuleDestroy(): void {
    this.stopDrainListener?.();
    this.endAll();
  }

  /** 404 for a task the caller may not see, exactly as GET /task-status/{task_id} answers. */
  async open(actor: AuthUser, taskId: string, lastEventId: string | undefined): Promise<SseStream | null> {
    const seen = parseLastEventId(lastEventId);
    const task = await this.tasks.findVisible(actor, taskId);
    // An id from the future is no id this stream sent: start over rather than wait for it.
    const from = seen !== undefined && seen <= task.version ? seen : 0;
    if (isFinished(task) && from === task.version) return null;

    const stream = new SseStream({ retryMs: TASK_EVENTS.retryMs, heartbeatMs: TASK_EVENTS.heartbeatMs });
    const follower = new Follower(stream, from);
    this.streams.add(stream);
    stream.once('close', () => {
      this.streams.delete(stream);
      follower.stop();
    });
    follower.offer(task);
    // While this process drains, a stream says where the task is and ends: the client reconnects elsewhere.
    if (this.draining) stream.close();
    if (stream.open) follower.stopWatching = this.watcher.watch(taskId, (latest) => follower.offer(latest));
    return stream;
  }

  private endAll(): void {
    this.draining = true;
    for (const stream of this.streams) stream.close();
  }
}

/** One client's stream: what it has been sent, and a status held back by the rate limit. */
class Follower {
  stopWatching?: () => void;
  private lastSentAt = 0;
  private held?: Task;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly stream: SseStream,
    private sent: number,
  ) {}

  offer(task: Task | null): void {
    if (!this.stream.open) return;
    if (!task) return this.stream.close(); // the task is gone: nothing more will come
    if (task.version <= this.sent) return;
    const wait = this.lastSentAt + TASK_EVENTS.minIntervalMs - Date.now();
    if (wait <= 0) return this.send(task);
    this.held = task;
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      if (this.held) this.send(this.held);
    }, wait);
  }

  stop(): void {
    clearTimeout(this.timer);
    this.stopWatching?.();
  }

  private send(task: Task): void {
    this.held = undefined;
    if (task.version <= this.sent || !this.stream.open) return;
    this.stream.send({ id: String(task.version), event: TASK_STATUS_EVENT, data: JSON.stringify(TaskStatusResponse.from(task)) });
    this.sent = task.version;
    this.lastSentAt = Date.now();
    if (isFinished(task)) this.stream.close();
  }
}

function isFinished(task: Task): boolean {
  return FINISHED_STATES.includes(task.state);
}

function parseLastEventId(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!LAST_EVENT_ID.test(value)) {
    throw ValidationError.fields([{ field: 'Last-Event-ID', problems: ['Last-Event-ID must be the id of an event this stream sent (a whole number)'] }]);
  }
  return Number(value);
}
