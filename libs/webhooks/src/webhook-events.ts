import { Inject, Injectable, Logger } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { AppConfigService } from '@app/core';
import { MESSAGE_JOBS, QUEUE_DRIVER, QueueDriver } from '@app/jobs';
import { WebhookDelivery } from './entities/webhook-delivery.entity';
import { WebhookDeliveriesRepository } from './webhook-deliveries.repository';

export const WEBHOOK_EVENT_TYPES = ['task.finished', 'settlement.file.finished'] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

export interface WebhookEvent {
  type: WebhookEventType;
  /**
   * What makes this event this event (`task.finished:<task id>:<version>`): reporting it again, from
   * a retried job or another replica, records nothing new, and its Webhook-Id stays the same.
   */
  key: string;
  data: Record<string, unknown>;
}

/** The body every receiver gets: the event's id (also in Webhook-Id), type, time and data. */
export interface WebhookBody {
  id: string;
  type: WebhookEventType;
  created_at: string;
  data: Record<string, unknown>;
}

/**
 * How features report events (§Events): `record` writes one delivery per WEBHOOK_URLS entry in the
 * caller's transaction, `dispatch` queues them once that has committed; `emit` does both for an
 * event that is not part of a database change of the finance database.
 */
@Injectable()
export class WebhookEvents {
  private readonly logger = new Logger(WebhookEvents.name);
  private readonly urls: readonly string[];

  constructor(
    private readonly deliveries: WebhookDeliveriesRepository,
    @Inject(QUEUE_DRIVER) private readonly driver: QueueDriver,
    config: AppConfigService,
  ) {
    this.urls = config.get('webhooks').urls;
  }

  get enabled(): boolean {
    return this.urls.length > 0;
  }

  async record(event: WebhookEvent, at = new Date()): Promise<WebhookDelivery[]> {
    if (!this.enabled) return [];
    const eventId = uuidFromKey(`webhook:${event.key}`);
    const body: WebhookBody = { id: eventId, type: event.type, created_at: at.toISOString(), data: event.data };
    const payload = JSON.stringify(body);
    const recorded: WebhookDelivery[] = [];
    for (const url of this.urls) {
      const delivery = Object.assign(new WebhookDelivery(), {
        id: uuidFromKey(`webhook:${event.key}\n${url}`),
        eventId,
        eventType: event.type,
        url,
        payload,
        status: 'pending',
        attempts: 0,
        lastStatusCode: null,
        lastError: null,
        createdAt: at,
        lastAttemptAt: null,
        nextAttemptAt: at,
        deliveredAt: null,
      } satisfies WebhookDelivery);
      if (await this.deliveries.insertOnce(delivery)) recorded.push(delivery);
    }
    return recorded;
  }

  /** Queues the first attempt of each; one that cannot be queued now is queued by the sweep. */
  async dispatch(deliveries: WebhookDelivery[]): Promise<void> {
    for (const delivery of deliveries) {
      await this.queueAttempt(delivery.id, 1, 0).catch((error: Error) =>
        this.logger.warn(`Webhook delivery ${delivery.id} not queued yet (the sweep will): ${error.message}`),
      );
    }
  }

  async emit(event: WebhookEvent): Promise<void> {
    await this.dispatch(await this.record(event));
  }

  /** Attempt `attempt` of a delivery, `delayMs` from now; its job id collapses a second queuing of the same attempt. */
  queueAttempt(deliveryId: string, attempt: number, delayMs: number): Promise<void> {
    return this.driver.send(MESSAGE_JOBS.deliverWebhook, { deliveryId, attempt }, { jobId: `${deliveryId}:${attempt}`, delayMs });
  }
}

/** A UUID-shaped id derived from `key` (SHA-256), the same in every process that derives it. */
export function uuidFromKey(key: string): string {
  const hex = createHash('sha256').update(key).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
