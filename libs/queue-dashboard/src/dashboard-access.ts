import { Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { AuthUser, hasRole } from '@app/access';
import { TokenVerifier } from '@app/auth';
import { ForbiddenError, UnauthorizedError } from '@app/core';
import { UsersService } from '@app/users';
import { AdminSessions, DASHBOARD_PATH } from './admin-session';

export const SIGN_IN_MESSAGE =
  'Sign in to the queue dashboard first: POST /admin/session with an admin bearer token, from this browser ' +
  '(Swagger UI at /docs: Authorize, then Try it out), then open /admin/queues (docs/operations.md)';

/**
 * What the dashboard may change (route templates under DASHBOARD_PATH): §Operations asks to see and
 * retry. Removing, cleaning, emptying, pausing, adding or editing jobs from it would leave their
 * tasks PENDING or STARTED forever (the task row, not Bull, is what owners see), so those stay refused.
 */
const WRITES_ALLOWED = new Set(
  [
    '/api/queues/:queueName/retry/:queueStatus',
    '/api/queues/:queueName/:jobId/retry',
    '/api/queues/:queueName/promote',
    '/api/queues/:queueName/:jobId/promote',
  ].map((route) => `PUT ${DASHBOARD_PATH}${route}`),
);
const READS = new Set(['GET', 'HEAD']);

/**
 * Who may use the dashboard (§Roles: an admin; a user or an operator is refused with 403, nobody
 * signed in with 401): the session cookie of POST /admin/session from a browser, or a bearer token
 * from a script. Either way the user is read as they are now.
 */
@Injectable()
export class DashboardAccess {
  constructor(
    private readonly sessions: AdminSessions,
    private readonly users: UsersService,
    private readonly tokens: TokenVerifier,
  ) {}

  async check(request: Pick<FastifyRequest, 'method' | 'headers' | 'protocol' | 'host' | 'routeOptions'>): Promise<AuthUser> {
    const viaCookie = request.headers.authorization === undefined;
    const user = viaCookie ? await this.sessionUser(request.headers.cookie) : await this.tokens.authenticate(request.headers.authorization);
    if (!hasRole(user, 'admin')) throw new ForbiddenError('The queue dashboard needs the admin role');
    if (READS.has(request.method)) return user;
    // SameSite=Strict already keeps other sites' pages from sending the cookie; this refuses a
    // cross-origin write outright, whatever the browser.
    const origin = request.headers.origin;
    if (viaCookie && origin !== undefined && origin !== `${request.protocol}://${request.host}`) {
      throw new ForbiddenError('The queue dashboard takes no request from another site');
    }
    if (!WRITES_ALLOWED.has(`${request.method} ${request.routeOptions.url}`)) {
      throw new ForbiddenError(
        'The queue dashboard shows jobs and retries them; removing, cleaning, emptying, pausing, adding or editing jobs ' +
          'is refused, since their tasks would be left unfinished',
      );
    }
    return user;
  }

  private async sessionUser(cookieHeader: string | undefined): Promise<AuthUser> {
    const subject = this.sessions.subjectOf(cookieHeader);
    const user = subject === undefined ? null : await this.users.findActiveIdentity(subject);
    if (!user) throw new UnauthorizedError(SIGN_IN_MESSAGE);
    return user;
  }
}
