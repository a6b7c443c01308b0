import type { FastifyInstance } from 'fastify';
import { markTextOnlyBody } from './validation';

const FORM = /^application\/x-www-form-urlencoded\s*(;|$)/i;

/**
 * A form body holds only strings. The validation pipe sees the parsed value without its request, so
 * the body is marked here, where the content type is known, and the pipe converts it like a query.
 */
export function registerTextOnlyBodyMarker(fastify: FastifyInstance): void {
  fastify.addHook('preValidation', (request, _reply, done) => {
    const body = request.body;
    if (body !== null && typeof body === 'object' && FORM.test(request.headers['content-type'] ?? '')) markTextOnlyBody(body);
    done();
  });
}
