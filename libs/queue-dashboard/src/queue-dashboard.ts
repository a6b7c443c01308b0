import { ArgumentsHost, Injectable, OnModuleInit, Optional } from '@nestjs/common';
import { HttpAdapterHost, ModuleRef } from '@nestjs/core';
import { getQueueToken } from '@nestjs/bull';
import { createBullBoard } from '@bull-board/api';
import { BullAdapter } from '@bull-board/api/bullAdapter';
import { FastifyAdapter as BullBoardFastifyAdapter } from '@bull-board/fastify';
import type { Queue } from 'bull';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppConfigService, HttpErrorFilter, NotFoundError } from '@app/core';
import { QUEUES } from '@app/jobs';
import { DASHBOARD_PATH } from './admin-session';
import { DashboardAccess } from './dashboard-access';

export const EMBEDDED_MESSAGE =
  'The queue dashboard shows Bull queues, which only services mode has (REDIS_URL); embedded mode runs jobs in-process, ' +
  'and GET /task-status/{task_id} shows each one';

/**
 * bull-board at /admin/queues (§Operations), on the api's own Fastify server: every request under
 * the path goes through DashboardAccess first, and a refusal is answered by the one error filter,
 * in the §HTTP error shape. Without Redis there are no Bull queues: the path answers 404 saying so.
 */
@Injectable()
export class QueueDashboard implements OnModuleInit {
  private readonly filter = new HttpErrorFilter();

  constructor(
    private readonly config: AppConfigService,
    private readonly access: DashboardAccess,
    private readonly moduleRef: ModuleRef,
    @Optional() private readonly adapterHost?: HttpAdapterHost,
  ) {}

  /** During init, before Fastify is ready (the worker and the CLI have no HTTP server, and no dashboard). */
  onModuleInit(): void {
    const fastify = this.adapterHost?.httpAdapter?.getInstance<FastifyInstance>();
    if (!fastify) return;
    if (!this.config.get('redis')) {
      void fastify.register(
        async (scope) => {
          const answer = (request: FastifyRequest, reply: FastifyReply) => this.refuse(new NotFoundError(EMBEDDED_MESSAGE), request, reply);
          scope.all('/', answer);
          scope.all('/*', answer);
        },
        { prefix: DASHBOARD_PATH },
      );
      return;
    }
    const board = new BullBoardFastifyAdapter().setBasePath(DASHBOARD_PATH);
    createBullBoard({
      queues: Object.values(QUEUES).map((name) => new BullAdapter(this.moduleRef.get<Queue>(getQueueToken(name), { strict: false }))),
      serverAdapter: board,
      options: { uiConfig: { boardTitle: 'Payments queues', hideDocsLink: true } },
    });
    void fastify.register(
      async (scope) => {
        scope.addHook('onRequest', async (request, reply) => {
          try {
            await this.access.check(request);
          } catch (error) {
            return this.refuse(error, request, reply);
          }
        });
        await scope.register(board.registerPlugin());
      },
      { prefix: DASHBOARD_PATH },
    );
  }

  /** The answer Nest's controllers would give: the global filter's, reused as it is. */
  private refuse(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
    const host = { switchToHttp: () => ({ getRequest: () => request, getResponse: () => reply }) } as unknown as ArgumentsHost;
    this.filter.catch(error, host);
    return reply;
  }
}
