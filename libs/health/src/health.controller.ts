import { Controller, Get, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '@app/access';
import { HealthService } from './health.service';

const EXAMPLE = {
  status: 'ok',
  info: { finance_database: { status: 'up' }, settlement_database: { status: 'up' }, redis: { status: 'up' } },
  error: {},
  details: { finance_database: { status: 'up' }, settlement_database: { status: 'up' }, redis: { status: 'up' } },
};

@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(private readonly health: HealthService) {}

  @Get()
  @ApiOperation({ summary: 'Every part (each database, Redis, queue, disk); 503 when any is down' })
  @ApiOkResponse({ description: 'All parts up', schema: { example: EXAMPLE } })
  @ApiServiceUnavailableResponse({ description: 'At least one part is down; `error` names it' })
  full(@Res({ passthrough: true }) res: FastifyReply) {
    return answer(res, () => this.health.full());
  }

  @Get('live')
  @ApiOperation({ summary: 'Liveness: 200 while the process can answer' })
  @ApiOkResponse({ schema: { example: { status: 'ok' } } })
  live() {
    return { status: 'ok' };
  }

  @Get('ready')
  @ApiOperation({ summary: 'Readiness: 503 only when a database is down; Redis down is `degraded` with 200' })
  @ApiOkResponse({ description: 'Serving; `status` is `ok` or `degraded`', schema: { example: EXAMPLE } })
  @ApiServiceUnavailableResponse({ description: 'A database is down; `error` names it' })
  ready(@Res({ passthrough: true }) res: FastifyReply) {
    return answer(res, () => this.health.ready());
  }
}

/** Terminus reports a failed check as an exception; probes want its body with the 503. */
async function answer(res: FastifyReply, check: () => Promise<unknown>) {
  try {
    return await check();
  } catch (error) {
    if (!(error instanceof ServiceUnavailableException)) throw error;
    res.status(503);
    return error.getResponse();
  }
}
