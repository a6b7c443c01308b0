import type { FastifyInstance } from 'fastify';
import { AppLogger } from '../logging/app-logger';

/** One line per finished request: method, path, status and duration. Bodies, headers and query strings stay out. */
export function registerAccessLog(fastify: FastifyInstance, logger: AppLogger): void {
  fastify.addHook('onResponse', (request, reply, done) => {
    const query = request.url.indexOf('?');
    logger.request({
      requestId: request.id,
      method: request.method,
      path: query === -1 ? request.url : request.url.slice(0, query),
      status: reply.statusCode,
      durationMs: Math.round(reply.elapsedTime * 10) / 10,
    });
    done();
  });
}
