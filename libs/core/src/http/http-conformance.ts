import type { Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { errorBody } from '../errors/http-error.filter';

/**
 * Two answers Node's HTTP server would otherwise write itself, bare (no body, no request id): an
 * HTTP/1.1 request without Host (RFC 9112 §3.2 still says 400) and an `Expect` other than
 * `100-continue` (417). Both are answered here in the §HTTP error shape instead. The server is
 * created with `requireHostHeader: false` (createHttpAdapter) so the first one reaches this hook.
 */
export function registerHttpConformance(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    if (request.raw.httpVersion === '1.1' && request.headers.host === undefined) {
      void reply
        .code(400)
        .send(errorBody(400, 'Invalid input: Host', request.id, [{ field: 'Host', problems: ['an HTTP/1.1 request must carry a Host header'] }]));
      return;
    }
    done();
  });
  answerUnmetExpectations(fastify.server);
}

function answerUnmetExpectations(server: Server): void {
  // With a listener, Node leaves the answer to it instead of sending its own bare 417.
  server.on('checkExpectation', (request, response) => {
    const requestId = randomUUID();
    const body = JSON.stringify(errorBody(417, 'Invalid input: Expect', requestId, [{ field: 'Expect', problems: ['only "100-continue" can be met'] }]));
    response.writeHead(417, {
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': Buffer.byteLength(body),
      'X-Request-Id': requestId,
      Connection: 'close',
    });
    response.end(body);
  });
}
