import { Injectable } from '@nestjs/common';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { AuthUser, hasRole } from '@app/access';
import { AppConfigService, ConflictError, ForbiddenError, GoneError, NotFoundError } from '@app/core';
import { JOBS, JobsService, Task, TasksService } from '@app/jobs';
import { SubscriptionsService } from '@app/subscriptions';
import { ExtractParams, ExtractSource, GenerateDataDto } from './dto/generate-data.dto';
import { resolvePeriod } from './period';

@Injectable()
export class ExtractsService {
  constructor(
    private readonly jobs: JobsService,
    private readonly tasks: TasksService,
    private readonly config: AppConfigService,
    private readonly subscriptions: SubscriptionsService,
  ) {}

  async request(actor: AuthUser, dto: GenerateDataDto): Promise<Task> {
    const source = dto.source ?? 'transactions';
    await this.authorise(actor, source);
    const period = resolvePeriod(dto);
    const params: ExtractParams = {
      source,
      start: period.start,
      end: period.end,
      aggregation: dto.aggregation ?? 'month',
      detailed: dto.detailed ?? false,
    };
    return this.jobs.submit(
      actor.id,
      JOBS.generateExtract,
      { ...params },
      {
        audit: (task) => ({ actor, action: 'extract.request', subjectType: 'task', subjectId: task.id, after: { ...params } }),
      },
    );
  }

  /**
   * §Roles: settlement extracts are the operators' (and admins'); transactions extracts need an
   * active subscription for role `user`, none for operators. Decided here rather than in a route
   * guard because it depends on `source`, which a guard would have to read from the unvalidated body.
   */
  private async authorise(actor: AuthUser, source: ExtractSource): Promise<void> {
    if (source === 'settlement') {
      if (!hasRole(actor, 'operator')) throw new ForbiddenError('Settlement extracts (source: settlement) need the operator role');
      return;
    }
    if (hasRole(actor, 'operator')) return;
    if (!(await this.subscriptions.isActive(actor.id))) {
      throw new ForbiddenError('An active subscription is needed for this; ask an admin to grant one');
    }
  }

  /** The owner's (or, for an admin, anyone's) task; anything else answers like a missing one. */
  async task(actor: AuthUser, taskId: string): Promise<Task> {
    const task = await this.tasks.find(taskId);
    if (!task || (task.ownerId !== actor.id && !hasRole(actor, 'admin'))) throw new NotFoundError('No such task');
    return task;
  }

  async downloadPath(actor: AuthUser, taskId: string): Promise<string> {
    const task = await this.task(actor, taskId);
    if (task.type !== JOBS.generateExtract) throw new NotFoundError('No extract for this task');
    if (task.state !== 'SUCCESS') throw new ConflictError(`The extract is not ready (state ${task.state})`);
    const path = this.filePath(task.id);
    if (!existsSync(path)) throw new GoneError('The extract has expired; generate it again');
    return path;
  }

  filePath(taskId: string): string {
    return join(this.config.get('paths').extractsDir, `${taskId}.csv`);
  }
}
