import { Injectable, Logger, OnApplicationBootstrap, Optional } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { CronJob } from 'cron';
import { createHash } from 'node:crypto';
import { AppConfigService } from '@app/core';
import { JOBS, JobsService } from '@app/jobs';
import { SYSTEM_OWNER } from './settlement-files.service';

/**
 * Scans the inbox on SETTLEMENT_SCAN_CRON wherever schedules run (workers; the api in embedded
 * mode). Every replica fires each tick; the task id is derived from the tick, so they all submit the
 * same task and one scan runs per tick.
 */
@Injectable()
export class SettlementScanSchedule implements OnApplicationBootstrap {
  private readonly logger = new Logger(SettlementScanSchedule.name);

  constructor(
    private readonly config: AppConfigService,
    private readonly jobs: JobsService,
    @Optional() private readonly scheduler?: SchedulerRegistry,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.scheduler) return;
    const expression = this.config.get('settlementIngest').scanCron;
    const job = CronJob.from({ cronTime: expression, onTick: () => void this.tick(new Date()), start: true, timeZone: 'UTC' });
    this.scheduler.addCronJob('settlement-inbox-scan', job as never);
  }

  async tick(at: Date): Promise<void> {
    const key = tickKey(this.config.get('settlementIngest').scanCron, at);
    try {
      await this.jobs.submit(
        SYSTEM_OWNER,
        JOBS.scanSettlementInbox,
        { trigger: 'schedule', tick: key },
        {
          taskId: tickTaskId(this.config, key),
          audit: (task) => ({ actor: 'system', action: 'settlement.scan', subjectType: 'task', subjectId: task.id, after: { trigger: 'schedule', tick: key } }),
        },
      );
    } catch (error) {
      this.logger.warn(`Inbox scan of ${key} not queued: ${(error as Error).message}`);
    }
  }
}

/** The tick a firing belongs to: its minute, or its second for a 6-field (seconds) expression. */
export function tickKey(expression: string, at: Date): string {
  const withSeconds = expression.trim().split(/\s+/).length === 6;
  return at.toISOString().slice(0, withSeconds ? 19 : 16);
}

/** A UUID-shaped id that every replica derives alike from the tick (and the deployment's prefix). */
export function tickTaskId(config: AppConfigService, key: string): string {
  const hex = createHash('sha256')
    .update(`${config.get('redis')?.prefix ?? 'payments'}:settlement-scan:${key}`)
    .digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
