import { Injectable, OnModuleInit } from '@nestjs/common';
import { JOBS, Task, TaskLifecycle, TaskStatusResponse } from '@app/jobs';
import { WebhookEvents } from './webhook-events';

/** §Events: the tasks whose end is announced (extracts and settlement loads; not the inbox scans). */
const ANNOUNCED: readonly string[] = [JOBS.generateExtract, JOBS.ingestSettlementFile];

/**
 * `task.finished`, recorded in the transaction that finishes the task, so a task never ends without
 * its event and an event is never sent for an end that rolled back; queued once that commits.
 */
@Injectable()
export class TaskFinishedWebhooks implements OnModuleInit {
  constructor(
    private readonly lifecycle: TaskLifecycle,
    private readonly events: WebhookEvents,
  ) {}

  onModuleInit(): void {
    this.lifecycle.onFinished(async (task) => {
      if (!this.events.enabled || !ANNOUNCED.includes(task.type)) return;
      const recorded = await this.events.record({
        type: 'task.finished',
        // A reopened task that finishes again is a new event; the same end reported twice is not.
        key: `task.finished:${task.id}:${task.version}`,
        data: taskFinishedData(task),
      });
      return () => this.events.dispatch(recorded);
    });
  }
}

/** The /task-status body, with what a receiver needs to act on it: whose task, of which kind. */
export function taskFinishedData(task: Task): Record<string, unknown> {
  return { ...TaskStatusResponse.from(task), task_type: task.type, owner_id: task.ownerId };
}
