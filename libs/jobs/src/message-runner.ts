import { Injectable, Logger } from '@nestjs/common';
import { performance } from 'node:perf_hooks';
import { JobOutcome, Metrics } from '@app/metrics';
import { JobRegistry } from './job-registry';
import { MESSAGE_JOBS, MessageJobName } from './jobs.constants';

/**
 * Runs one message job for either queue driver. The handler owns the job's state and says how the
 * run went (a delivery that will be tried again is `retried`); a throw is only logged and counted:
 * the queue never runs it again by itself (the handler's own sweep does).
 */
@Injectable()
export class MessageRunner {
  private readonly logger = new Logger(MessageRunner.name);

  constructor(
    private readonly registry: JobRegistry,
    private readonly metrics: Metrics,
  ) {
    metrics.declareJobs(Object.values(MESSAGE_JOBS));
  }

  async run(name: MessageJobName, data: Record<string, unknown>): Promise<void> {
    const startedAt = performance.now();
    try {
      const outcome: JobOutcome = (await this.registry.getMessage(name)(data)) ?? 'completed';
      this.metrics.jobRun(name, outcome, (performance.now() - startedAt) / 1000);
    } catch (error) {
      this.logger.error({ err: error, job: name }, `Job ${name} failed: ${(error as Error).message}`);
      this.metrics.jobRun(name, 'failed', (performance.now() - startedAt) / 1000);
    }
  }
}
