import { Injectable, Logger } from '@nestjs/common';
import { AppConfigService, scrubText } from '@app/core';
import { MESSAGE_JOBS, MessageHandler, WEBHOOK_DELIVERY } from '@app/jobs';
import type { JobOutcome } from '@app/metrics';
import { WebhookDelivery } from './entities/webhook-delivery.entity';
import { nextAttemptAt } from './webhook-backoff';
import { WebhookDeliveriesRepository } from './webhook-deliveries.repository';
import { WebhookEvents } from './webhook-events';
import { signatureHeader } from './webhook-signature';

export const WEBHOOK_USER_AGENT = 'payments-backend-webhooks/1';

interface AttemptResult {
  ok: boolean;
  statusCode: number | null;
  error: string | null;
}

/**
 * One attempt of one delivery (the deliver-webhook job): claim it, POST the recorded body signed
 * now, record the answer, and queue the next attempt with backoff, or give up once the 24 h are
 * over. Any 2xx is delivered; anything else, a redirect included, is a failed attempt.
 */
@Injectable()
export class WebhookDeliverer {
  private readonly logger = new Logger(WebhookDeliverer.name);

  constructor(
    private readonly deliveries: WebhookDeliveriesRepository,
    private readonly events: WebhookEvents,
    private readonly config: AppConfigService,
  ) {}

  @MessageHandler(MESSAGE_JOBS.deliverWebhook)
  async deliver(data: Record<string, unknown>): Promise<JobOutcome | void> {
    const id = String(data.deliveryId);
    const attempt = Number(data.attempt);
    const now = new Date();
    const delivery = await this.deliveries.claim(id, attempt, now, new Date(now.getTime() + WEBHOOK_DELIVERY.leaseMs));
    if (!delivery) return; // delivered, given up, or this attempt is another runner's

    const result = await this.post(delivery, attempt);
    if (result.ok) {
      await this.deliveries.settle(id, attempt, {
        status: 'delivered',
        lastStatusCode: result.statusCode,
        lastError: null,
        nextAttemptAt: null,
        deliveredAt: new Date(),
      });
      return 'completed';
    }
    const next = nextAttemptAt(delivery.createdAt, attempt, new Date());
    // The origin only: a receiver's path or query often is its secret (Slack's, Teams'); admins see
    // the whole URL, password hidden, in GET /webhook-deliveries by the delivery id.
    const where = `${new URL(delivery.url).origin} (delivery ${id}, event ${delivery.eventType} ${delivery.eventId})`;
    if (!next) {
      await this.deliveries.settle(id, attempt, { status: 'failed', lastStatusCode: result.statusCode, lastError: result.error, nextAttemptAt: null });
      this.logger.error(`Webhook to ${where} given up after ${attempt} attempts over 24 h: ${result.error}`);
      return 'failed';
    }
    await this.deliveries.settle(id, attempt, { lastStatusCode: result.statusCode, lastError: result.error, nextAttemptAt: next });
    this.logger.warn(`Webhook to ${where} attempt ${attempt} failed (${result.error}); next at ${next.toISOString()}`);
    await this.events
      .queueAttempt(id, attempt + 1, Math.max(0, next.getTime() - Date.now()))
      .catch((error: Error) => this.logger.warn(`Webhook delivery ${id}: attempt ${attempt + 1} not queued yet (the sweep will): ${error.message}`));
    return 'retried';
  }

  private async post(delivery: WebhookDelivery, attempt: number): Promise<AttemptResult> {
    const secret = this.config.get('webhooks').secret;
    // Boot refuses WEBHOOK_URLS without it; a process started without webhooks may still meet an
    // earlier delivery. Sending it unsigned would be worse than later.
    if (!secret) return { ok: false, statusCode: null, error: 'not sent: WEBHOOK_SECRET is not set in the process that ran the attempt' };
    try {
      const response = await fetch(delivery.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': WEBHOOK_USER_AGENT,
          'webhook-id': delivery.eventId,
          'webhook-attempt': String(attempt),
          'webhook-signature': signatureHeader(secret, delivery.payload, Math.floor(Date.now() / 1000)),
        },
        body: delivery.payload,
        redirect: 'manual',
        signal: AbortSignal.timeout(WEBHOOK_DELIVERY.timeoutMs),
      });
      await response.body?.cancel().catch(() => undefined);
      const ok = response.status >= 200 && response.status < 300;
      return { ok, statusCode: response.status, error: ok ? null : `answered HTTP ${response.status}` };
    } catch (error) {
      return { ok: false, statusCode: null, error: describeFailure(error) };
    }
  }
}

/** Why no answer came, in words fit for an admin: the socket error, never a header (the signature) or a URL password. */
function describeFailure(error: unknown): string {
  const failure = error as Error & { cause?: { code?: string; message?: string } };
  if (failure.name === 'TimeoutError') return `no answer within ${WEBHOOK_DELIVERY.timeoutMs / 1000} s`;
  const reason = failure.cause?.message ?? failure.cause?.code ?? failure.message;
  return scrubText(`could not send: ${reason}`).slice(0, 1000);
}
