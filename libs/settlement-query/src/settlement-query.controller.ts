import { Controller, Get, Header, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiExtraModels, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequireRole } from '@app/access';
import { ApiErrors, BEARER_SCHEME } from '@app/core';
import { ListSettlementQuery } from './dto/list-settlement.query';
import { SettlementPageResponse } from './dto/settlement-page.response';
import { COLUMN_LIST } from './settlement-columns';
import { SettlementPageJson, SettlementQueryService } from './settlement-query.service';

@ApiTags('settlement')
@ApiBearerAuth(BEARER_SCHEME)
@ApiExtraModels(SettlementPageResponse)
@Controller('api')
export class SettlementQueryController {
  constructor(private readonly settlement: SettlementQueryService) {}

  @Get('transactions')
  @RequireRole('operator')
  @ApiOperation({
    summary: 'Card settlement records: filtered, sorted, paginated (offset or cursor), cached',
    description:
      `Operator or admin. \`filter_by\` and \`sort_by\` take a settlement column in any letter case: ${COLUMN_LIST}. ` +
      'TRANS_DATE, AMOUNT, MERCHANT_ID, TERMINAL_ID, SETTLE_DATE and DOC_IDT are indexed: filters and sorts on them stay fast on millions of records. ' +
      "Page with `skip`, or with `cursor` (the previous page's `next_cursor`), which costs the same at any depth. " +
      'Answers are cached briefly; a completed ingest is visible on the next read. ' +
      'Examples: `?filter_by=merchant_id&filter_value=MERCH0000000042&sort_by=TRANS_DATE&sort_order=desc`, ' +
      '`?filter_by=AMOUNT&filter_value=100.5`, `?date_from=2026-01-01&date_to=2026-01-31&limit=100`.',
  })
  @ApiOkResponse({ type: SettlementPageResponse })
  @ApiErrors(400, 401, 403)
  // The page comes as its JSON text (serialised once, when cached): Fastify sends a string with a
  // JSON content type as it is, with the header it gives an object (set before the handler runs,
  // and errors are JSON too).
  @Header('Content-Type', 'application/json; charset=utf-8')
  list(@Query() query: ListSettlementQuery): Promise<SettlementPageJson> {
    return this.settlement.list(query);
  }
}
