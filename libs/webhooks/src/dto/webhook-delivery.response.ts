import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, IsUUID, Max, Min } from 'class-validator';
import { redactUrl } from '@app/core';
import { DELIVERY_STATUSES, DeliveryStatus, WebhookDelivery } from '../entities/webhook-delivery.entity';
import { WEBHOOK_EVENT_TYPES, WebhookBody } from '../webhook-events';

const EVENT_ID = '0b7c4f6e-58a1-8d2e-9c4b-3f1a2e5d6c7b';

/** One event for one receiver URL, and how its attempts went. */
export class WebhookDeliveryResponse {
  @ApiProperty({ format: 'uuid', example: 'c1f9a0e2-7b3d-8e4f-a1b2-c3d4e5f60718' })
  id: string;

  @ApiProperty({ format: 'uuid', example: EVENT_ID, description: 'Sent as Webhook-Id: the same for every attempt and every URL' })
  event_id: string;

  @ApiProperty({ enum: WEBHOOK_EVENT_TYPES, example: 'task.finished' })
  event_type: string;

  @ApiProperty({ example: 'https://hooks.example.com/payments', description: 'A password in the URL is shown as ***' })
  url: string;

  @ApiProperty({ enum: DELIVERY_STATUSES, example: 'delivered', description: '`pending` while attempts go on; `failed` once 24 h of them did not get a 2xx' })
  status: DeliveryStatus;

  @ApiProperty({ type: 'integer', example: 3 })
  attempts: number;

  @ApiProperty({ nullable: true, type: 'integer', example: 200, description: 'The HTTP status of the last attempt (null: no answer)' })
  last_status_code: number | null;

  @ApiProperty({ nullable: true, type: String, example: null, description: 'Why the last attempt failed' })
  last_error: string | null;

  @ApiProperty({ example: '2026-11-23T10:00:03.480Z' })
  created_at: string;

  @ApiProperty({ nullable: true, type: String, example: '2026-11-23T10:00:09.530Z' })
  last_attempt_at: string | null;

  @ApiProperty({ nullable: true, type: String, example: null, description: 'When the next attempt is due; null once delivered or failed' })
  next_attempt_at: string | null;

  @ApiProperty({ nullable: true, type: String, example: '2026-11-23T10:00:09.610Z' })
  delivered_at: string | null;

  @ApiProperty({
    description: 'The body every attempt sends, as sent',
    example: {
      id: EVENT_ID,
      type: 'task.finished',
      created_at: '2026-11-23T10:00:03.480Z',
      data: {
        task_id: '7a0e2f4c-6a55-4b8e-9d0a-2f1c3b4d5e6f',
        state: 'SUCCESS',
        progress: { done: 1000000, total: 1000000, percent: 100 },
        result: { rows: 120, bytes: 5230, download_url: '/extracts/7a0e2f4c-6a55-4b8e-9d0a-2f1c3b4d5e6f/download' },
        error: null,
        created_at: '2026-11-23T10:00:00.000Z',
        started_at: '2026-11-23T10:00:00.120Z',
        finished_at: '2026-11-23T10:00:03.480Z',
        task_type: 'generate-extract',
        owner_id: '2b9d6c1e-4f3a-4e8b-9a7c-5d1e0f2a3b4c',
      },
    },
  })
  event: WebhookBody;

  static of(delivery: WebhookDelivery): WebhookDeliveryResponse {
    return {
      id: delivery.id,
      event_id: delivery.eventId,
      event_type: delivery.eventType,
      url: redactUrl(delivery.url),
      status: delivery.status,
      attempts: delivery.attempts,
      last_status_code: delivery.lastStatusCode,
      last_error: delivery.lastError,
      created_at: delivery.createdAt.toISOString(),
      last_attempt_at: delivery.lastAttemptAt?.toISOString() ?? null,
      next_attempt_at: delivery.nextAttemptAt?.toISOString() ?? null,
      delivered_at: delivery.deliveredAt?.toISOString() ?? null,
      event: JSON.parse(delivery.payload) as WebhookBody,
    };
  }
}

export class WebhookDeliveryListResponse {
  @ApiProperty({ type: [WebhookDeliveryResponse] })
  deliveries: WebhookDeliveryResponse[];

  @ApiProperty({ type: 'integer', example: 1, description: 'Deliveries matching the filters, on every page' })
  total: number;

  @ApiProperty({ type: 'integer', example: 0 })
  skip: number;

  @ApiProperty({ type: 'integer', example: 50 })
  limit: number;
}

/** Far beyond any real history, within every database's integers. */
export const MAX_DELIVERIES_SKIP = 1_000_000;

/** GET /webhook-deliveries: newest first. */
export class ListWebhookDeliveriesQuery {
  @ApiPropertyOptional({ type: 'integer', minimum: 0, maximum: MAX_DELIVERIES_SKIP, default: 0 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_DELIVERIES_SKIP)
  skip: number = 0;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 500, default: 50 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(500)
  limit: number = 50;

  @ApiPropertyOptional({ enum: DELIVERY_STATUSES, example: 'pending' })
  @IsOptional()
  @IsIn(DELIVERY_STATUSES)
  status?: DeliveryStatus;

  @ApiPropertyOptional({ enum: WEBHOOK_EVENT_TYPES, example: 'task.finished' })
  @IsOptional()
  @IsIn(WEBHOOK_EVENT_TYPES)
  event_type?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'One event (its Webhook-Id), to every URL' })
  @IsOptional()
  @IsUUID('all')
  event_id?: string;
}
