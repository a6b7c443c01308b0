import { Inject, Injectable } from '@nestjs/common';
import { AuditLog, AuditRecord } from '@app/audit';
import { Task } from './entities/task.entity';
import { JobName } from './jobs.constants';
import { QUEUE_DRIVER, QueueDriver } from './queue/queue-driver';
import { TasksService } from './tasks.service';

export interface SubmitOptions {
  /**
   * Names the task for work that has a business key (an inbox scan tick, a file's load): any number
   * of replicas submitting it create one task and one job, and all get that task back.
   */
  taskId?: string;
  /** The audit entry of the request (§Audit), committed with the task row (before the job is queued). */
  audit?: (task: Task) => AuditRecord;
}

/** How features start background work: a task row first, then the queue. */
@Injectable()
export class JobsService {
  constructor(
    private readonly tasks: TasksService,
    @Inject(QUEUE_DRIVER) private readonly driver: QueueDriver,
    private readonly audit: AuditLog,
  ) {}

  /**
   * Creates the task and queues its job. If the queue is down the task is marked FAILURE at once
   * (never left PENDING forever) and the 503 goes to the caller.
   */
  async submit(ownerId: string, job: JobName, params: Record<string, unknown>, options: SubmitOptions = {}): Promise<Task> {
    const create = () => (options.taskId ? this.tasks.createOnce(options.taskId, ownerId, job, params) : this.tasks.create(ownerId, job, params));
    const audit = options.audit;
    const task = audit
      ? await this.audit.recorded(async () => {
          const created = await create();
          return { result: created, audit: created.created ? [audit(created)] : [] };
        })
      : await create();
    if (!task.created) return task;
    try {
      await this.driver.enqueue(job, task.id, task.id);
    } catch (error) {
      await this.tasks.fail(task.id, 'could not be queued: the job queue was unavailable');
      throw error;
    }
    return task;
  }

  /**
   * Runs a task that failed for good once more, for jobs that resume where they stopped (a settlement
   * load whose attempts ran out while its database was down). At most `maxRuns` runs in all, counted
   * in the task's params (`run`). `not-failed`: the task is not FAILURE (still running, or done).
   */
  async rerun(taskId: string, maxRuns: number): Promise<'queued' | 'not-failed' | 'exhausted'> {
    const task = await this.tasks.find(taskId);
    if (!task || task.state !== 'FAILURE') return 'not-failed';
    const run = Number(task.params.run ?? 1) + 1;
    if (run > maxRuns) return 'exhausted';
    if (!(await this.tasks.reopen(task.id, { ...task.params, run }))) return 'not-failed';
    try {
      await this.driver.enqueue(task.type as JobName, task.id, `${task.id}-run-${run}`);
    } catch (error) {
      await this.tasks.fail(task.id, 'could not be queued: the job queue was unavailable');
      throw error;
    }
    return 'queued';
  }

  queueAvailable(): boolean {
    return this.driver.isAvailable();
  }
}
