import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuthUser, CurrentUser, OptionalAuth, hasRole } from '@app/access';
import { ApiErrors, BEARER_SCHEME } from '@app/core';
import { WelcomeResponse } from './dto/settlement-page.response';
import { SettlementQueryService } from './settlement-query.service';

const LINKS = {
  docs: '/docs',
  openapi: '/docs-json',
  token: '/api/token',
  transactions: '/api/transactions',
  settlement_files: '/api/settlement/files',
  health: '/health',
};

@ApiTags('welcome')
@ApiBearerAuth(BEARER_SCHEME)
@Controller()
export class WelcomeController {
  constructor(private readonly settlement: SettlementQueryService) {}

  @Get()
  @OptionalAuth()
  @ApiOperation({
    summary: 'Welcome and links; with an operator token also the 10 most recent settlement records',
    description: 'No token needed. A token that is sent must be valid (401 otherwise); a user token gets the welcome without records.',
  })
  @ApiOkResponse({ type: WelcomeResponse })
  @ApiErrors(401)
  async welcome(@CurrentUser() caller: AuthUser | undefined): Promise<WelcomeResponse> {
    const welcome: WelcomeResponse = {
      message: 'Welcome to the payments backend: finance API and card settlement service.',
      links: LINKS,
    };
    if (caller && hasRole(caller, 'operator')) welcome.recent_transactions = await this.settlement.recent();
    return welcome;
  }
}
