import { Body, Controller, Get, HttpCode, HttpStatus, Param, Post, StreamableFile } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiBody,
  ApiConsumes,
  ApiForbiddenResponse,
  ApiOperation,
  ApiParam,
  ApiProduces,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import { createReadStream } from 'node:fs';
import { AuthUser, CurrentUser } from '@app/access';
import { ApiErrors, BEARER_SCHEME } from '@app/core';
import { Idempotent } from '@app/idempotency';
import { TASK_ID_PIPE } from '@app/jobs';
import { GenerateDataDto, GenerateDataResponse } from './dto/generate-data.dto';
import { ExtractsService } from './extracts.service';

@ApiTags('extracts')
@ApiBearerAuth(BEARER_SCHEME)
@Controller()
export class ExtractsController {
  constructor(private readonly extracts: ExtractsService) {}

  @Post('generate-data')
  @Idempotent({ atomic: false })
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    summary: 'Start a CSV extract in the background',
    description:
      'Period: `start_date` and `end_date` (inclusive) or `days_before`, exactly one form. Aggregated by ' +
      '`aggregation` (day, ISO week, month, year) per currency, or `detailed` rows. `source: transactions` ' +
      "(the default): the caller's own transactions; role user needs an active subscription. " +
      '`source: settlement`: every card settlement record by TRANS_DATE, for operators and admins ' +
      '(aggregated: count, gross, fees, net, refund_count, refund_total). Poll `status_url`.',
  })
  @ApiConsumes('application/json', 'application/x-www-form-urlencoded')
  // The two period forms exclude each other, so each is its own example (one merged from the
  // properties' examples would carry both and be refused).
  @ApiBody({
    type: GenerateDataDto,
    examples: {
      dates: {
        summary: 'A date range, aggregated by month',
        value: { start_date: '2026-01-01', end_date: '2026-03-31', aggregation: 'month', detailed: false, source: 'transactions' },
      },
      days_before: { summary: 'The last 30 days, by ISO week', value: { days_before: 30, aggregation: 'week' } },
    },
  })
  @ApiAcceptedResponse({ type: GenerateDataResponse })
  @ApiForbiddenResponse({ description: 'Role user without an active subscription, or asking for source settlement' })
  @ApiErrors(400, 401, 403, 503)
  async generate(@CurrentUser() actor: AuthUser, @Body() dto: GenerateDataDto): Promise<GenerateDataResponse> {
    const task = await this.extracts.request(actor, dto);
    return { task_id: task.id, status_url: `/task-status/${task.id}` };
  }

  @Get('extracts/:task_id/download')
  @ApiOperation({ summary: 'Download a finished extract (owner or admin), streamed as CSV' })
  @ApiParam({ name: 'task_id', format: 'uuid' })
  @ApiProduces('text/csv')
  @ApiResponse({
    status: 200,
    description: 'The CSV file',
    content: { 'text/csv': { example: 'period_start,currency,count,total\n2026-01-01,USD,3,13.50\n' } },
  })
  @ApiErrors(400, 401, 404, 409, 410)
  async download(@CurrentUser() actor: AuthUser, @Param('task_id', TASK_ID_PIPE) taskId: string): Promise<StreamableFile> {
    const path = await this.extracts.downloadPath(actor, taskId);
    return new StreamableFile(createReadStream(path), {
      type: 'text/csv; charset=utf-8',
      disposition: `attachment; filename="extract-${taskId}.csv"`,
    });
  }
}
