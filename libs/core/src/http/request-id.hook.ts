import { randomUUID } from 'node:crypto';
import { AsyncResource } from 'node:async_hooks';
import type { FastifyInstance, FastifyRequest, RawRequestDefaultExpression } from 'fastify';
import { runWithRequestId } from '../logging/request-context';

const SAFE_ID = /^[A-Za-z0-9._:-]{1,64}$/;
const CONTEXT = Symbol('request context');

type WithContext = FastifyRequest & { [CONTEXT]?: AsyncResource };

/** The caller's X-Request-Id when it is safe to echo, else a UUID (Fastify's `genReqId`). */
export function requestIdOf(raw: RawRequestDefaultExpression): string {
  const incoming = raw.headers['x-request-id'];
  return typeof incoming === 'string' && SAFE_ID.test(incoming) ? incoming : randomUUID();
}

/**
 * Puts the request id on the response before anything else can answer, so even a 413 or malformed
 * JSON answer carries it, and runs the rest of the request inside it (log lines, error bodies).
 * Body parsing continues on the socket's callbacks, outside that scope, so the scope is entered
 * again before validation (what @fastify/request-context does).
 */
export function registerRequestIdHooks(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (request: WithContext, reply, done) => {
    reply.header('X-Request-Id', request.id);
    runWithRequestId(request.id, () => {
      request[CONTEXT] = new AsyncResource('request');
      done();
    });
  });
  fastify.addHook('preValidation', (request: WithContext, _reply, done) => {
    const context = request[CONTEXT];
    if (context) context.runInAsyncScope(done);
    else done();
  });
}
