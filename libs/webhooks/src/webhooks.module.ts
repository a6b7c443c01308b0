import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { FINANCE_DB } from '@app/database';
import { WebhookDelivery } from './entities/webhook-delivery.entity';
import { TaskFinishedWebhooks } from './task-finished-webhooks';
import { WebhookDeliverer } from './webhook-deliverer';
import { WebhookDeliveriesController } from './webhook-deliveries.controller';
import { WebhookDeliveriesRepository } from './webhook-deliveries.repository';
import { WebhookEvents } from './webhook-events';
import { WebhookSweeper } from './webhook-sweeper';

/**
 * §Events webhooks: events recorded as deliveries in the finance database (the outbox), sent from
 * the queue (Bull with Redis, the in-process driver without) at least once, signed, retried for 24 h.
 * Wherever the job layer is, this module must be too: the deliver-webhook job needs its handler.
 */
@Module({
  imports: [TypeOrmModule.forFeature([WebhookDelivery], FINANCE_DB)],
  controllers: [WebhookDeliveriesController],
  providers: [WebhookDeliveriesRepository, WebhookEvents, WebhookDeliverer, WebhookSweeper, TaskFinishedWebhooks],
  exports: [WebhookEvents],
})
export class WebhooksModule {}
