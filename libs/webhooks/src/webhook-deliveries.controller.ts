import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequireRole } from '@app/access';
import { ApiErrors, BEARER_SCHEME } from '@app/core';
import { ListWebhookDeliveriesQuery, WebhookDeliveryListResponse, WebhookDeliveryResponse } from './dto/webhook-delivery.response';
import { WebhookDeliveriesRepository } from './webhook-deliveries.repository';

@ApiTags('webhooks')
@ApiBearerAuth(BEARER_SCHEME)
@RequireRole('admin')
@Controller('webhook-deliveries')
export class WebhookDeliveriesController {
  constructor(private readonly deliveries: WebhookDeliveriesRepository) {}

  @Get()
  @ApiOperation({
    summary: 'Webhook deliveries, newest first: each event per WEBHOOK_URLS entry, its attempts and last answer (admin)',
    description:
      'Events `task.finished` (extracts, settlement loads) and `settlement.file.finished` are POSTed to every URL ' +
      'of WEBHOOK_URLS with `Webhook-Id` (the event id) and `Webhook-Signature: t=<unix seconds>,v1=<hex ' +
      'HMAC-SHA256 of "t.body" with WEBHOOK_SECRET>`. A non-2xx answer is retried with exponential backoff ' +
      '(2 s doubling to 1 h) for 24 h; receivers de-duplicate by Webhook-Id.',
  })
  @ApiOkResponse({ type: WebhookDeliveryListResponse, description: 'One page of deliveries, newest first, and how many match' })
  @ApiErrors(400, 401, 403, 503)
  async list(@Query() query: ListWebhookDeliveriesQuery): Promise<WebhookDeliveryListResponse> {
    const [rows, total] = await this.deliveries.list({ status: query.status, eventType: query.event_type, eventId: query.event_id }, query.skip, query.limit);
    return { deliveries: rows.map(WebhookDeliveryResponse.of), total, skip: query.skip, limit: query.limit };
  }
}
