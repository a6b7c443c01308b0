import type { FastifyInstance } from 'fastify';

/**
 * RFC 6750 §3: every 401 names the scheme that would be accepted, `WWW-Authenticate: Bearer`, and
 * says `error="invalid_token"` when the request did send credentials in `Authorization` (a token
 * that is malformed, expired, signed with another key, or whose user is gone). Set as the response
 * leaves, so every 401 carries it whichever layer refused the request (the access guard, a login
 * with wrong credentials), and none can forget it.
 */
export function registerBearerChallenge(fastify: FastifyInstance): void {
  fastify.addHook('onSend', (request, reply, payload, done) => {
    if (reply.statusCode === 401 && !reply.hasHeader('www-authenticate')) {
      const sent = typeof request.headers.authorization === 'string' && request.headers.authorization.trim() !== '';
      reply.header('WWW-Authenticate', sent ? 'Bearer error="invalid_token"' : 'Bearer');
    }
    done(null, payload);
  });
}
