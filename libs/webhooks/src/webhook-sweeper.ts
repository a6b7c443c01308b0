import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { RUN_PROCESSORS, WEBHOOK_DELIVERY } from '@app/jobs';
import { WebhookDeliveriesRepository } from './webhook-deliveries.repository';
import { WebhookEvents } from './webhook-events';

/** How late a due attempt must be before the sweep queues it: its own delayed job runs on time. */
const SWEEP_GRACE_MS = 5_000;

/**
 * What makes the delivery at least once: every WEBHOOK_DELIVERY.sweepEveryMs, wherever jobs run
 * (workers; the api in embedded mode), deliveries whose attempt is overdue are queued again: their
 * job was never queued (Redis down at the time), was lost (a Redis flush, an in-process queue that
 * stopped), or its runner died mid-attempt (the lease ran out). Each replica sweeps; the job id and
 * the conditional claim make a second queuing harmless. Finished deliveries past their retention go.
 */
@Injectable()
export class WebhookSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(WebhookSweeper.name);
  private timer?: NodeJS.Timeout;
  private sweeping?: Promise<void>;

  constructor(
    private readonly deliveries: WebhookDeliveriesRepository,
    private readonly events: WebhookEvents,
    @Inject(RUN_PROCESSORS) private readonly runProcessors: boolean,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.runProcessors) return;
    this.timer = setInterval(() => void this.sweep(), WEBHOOK_DELIVERY.sweepEveryMs);
    this.timer.unref();
    void this.sweep();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.sweeping;
  }

  /** One pass; answers how many attempts it queued. */
  async sweep(now = new Date()): Promise<number> {
    let queued = 0;
    const pass = (async () => {
      const due = await this.deliveries.due(new Date(now.getTime() - SWEEP_GRACE_MS), WEBHOOK_DELIVERY.sweepBatch);
      for (const delivery of due) {
        await this.events.queueAttempt(delivery.id, delivery.attempts + 1, 0);
        queued += 1;
      }
      if (queued > 0) this.logger.log(`Queued ${queued} overdue webhook attempt(s)`);
      await this.deliveries.purge(new Date(now.getTime() - WEBHOOK_DELIVERY.retentionDays * 86_400_000), WEBHOOK_DELIVERY.sweepBatch);
    })();
    this.sweeping = pass.catch((error: Error) => this.logger.warn(`Webhook sweep stopped early (the next one goes on): ${error.message}`));
    await this.sweeping;
    return queued;
  }
}
