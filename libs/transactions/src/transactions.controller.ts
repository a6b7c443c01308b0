import { Body, Controller, Get, HttpCode, HttpStatus, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuthUser, CurrentUser } from '@app/access';
import { ApiErrors, BEARER_SCHEME } from '@app/core';
import { Idempotent } from '@app/idempotency';
import { ListTransactionsQuery } from './dto/list-transactions.query';
import { CreateTransactionDto, DeleteTransactionDto, UpdateTransactionDto } from './dto/transaction.dto';
import { CurrencyTotal, TransactionListResponse, TransactionResponse, formatAmount } from './dto/transaction.response';
import { TransactionsService } from './transactions.service';

@ApiTags('transactions')
@ApiBearerAuth(BEARER_SCHEME)
@Controller()
export class TransactionsController {
  constructor(private readonly transactions: TransactionsService) {}

  @Post('create-transaction')
  @Idempotent({ atomic: true })
  @HttpCode(HttpStatus.CREATED)
  @ApiOperation({ summary: 'Record one of your transactions' })
  @ApiCreatedResponse({ type: TransactionResponse })
  @ApiErrors(400, 401)
  async create(@CurrentUser() actor: AuthUser, @Body() dto: CreateTransactionDto): Promise<TransactionResponse> {
    return TransactionResponse.from(await this.transactions.create(actor, dto));
  }

  @Post('update-transaction')
  @Idempotent({ atomic: true })
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Change fields of your transaction; send `version` to refuse stale writes (409)' })
  @ApiOkResponse({ type: TransactionResponse })
  @ApiErrors(400, 401, 404, 409)
  async update(@CurrentUser() actor: AuthUser, @Body() dto: UpdateTransactionDto): Promise<TransactionResponse> {
    return TransactionResponse.from(await this.transactions.update(actor, dto));
  }

  @Post('delete-transaction')
  @Idempotent({ atomic: true })
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Delete your transaction' })
  @ApiOkResponse({ schema: { example: { id: '3f1c2a9e-8d7b-4c6a-9e5f-1a2b3c4d5e6f', deleted: true } } })
  @ApiErrors(400, 401, 404)
  async delete(@CurrentUser() actor: AuthUser, @Body() dto: DeleteTransactionDto) {
    await this.transactions.delete(actor, dto);
    return { id: dto.id, deleted: true };
  }

  @Get('transactions')
  @ApiOperation({ summary: 'Your transactions: filtered, sorted, paginated, with the total and per-currency sums' })
  @ApiOkResponse({ type: TransactionListResponse })
  @ApiErrors(400, 401)
  async list(@CurrentUser() actor: AuthUser, @Query() query: ListTransactionsQuery): Promise<TransactionListResponse> {
    const { rows, total, totals } = await this.transactions.list(actor, query);
    return {
      transactions: rows.map((row) => TransactionResponse.from(row)),
      total,
      skip: query.skip ?? 0,
      limit: query.limit ?? 50,
      totals: totals.map((t): CurrencyTotal => ({ ...t, sum: formatAmount(t.sum, t.currency) })),
    };
  }
}
