import { Controller, Delete, HttpCode, HttpStatus, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AuthUser, CurrentUser, Public, RequireRole } from '@app/access';
import { ApiErrors, AppConfigService, BEARER_SCHEME } from '@app/core';
import { ADMIN_SESSION_TTL_SECONDS, AdminSessions, DASHBOARD_PATH } from './admin-session';
import { AdminSessionResponse } from './dto/admin-session.response';

const SIGN_IN_FLOW =
  'A browser cannot send a bearer token when it opens a page, so the queue dashboard (bull-board at ' +
  '`/admin/queues`, services mode) takes this session instead: call this route **from the browser** that ' +
  'will open the dashboard (here in Swagger UI: Authorize with an admin token, then Try it out), then open ' +
  '`/admin/queues` in that browser. The answer sets an HttpOnly, SameSite=Strict cookie, sent only to ' +
  '`/admin/queues`, Secure over HTTPS, valid 15 minutes; who it names is checked on every dashboard request ' +
  '(an admin still, enabled). Scripts may call the dashboard with the bearer token instead.';

@ApiTags('admin')
@Controller('admin/session')
export class AdminSessionController {
  private readonly redis: boolean;

  constructor(
    private readonly sessions: AdminSessions,
    config: AppConfigService,
  ) {
    this.redis = config.get('redis') !== undefined;
  }

  @Post()
  @HttpCode(HttpStatus.OK)
  @RequireRole('admin')
  @ApiBearerAuth(BEARER_SCHEME)
  @ApiOperation({ summary: 'Sign this browser in to the queue dashboard (admin): a 15-minute session cookie', description: SIGN_IN_FLOW })
  @ApiOkResponse({ type: AdminSessionResponse, description: 'Signed in: the Set-Cookie header carries the session' })
  @ApiErrors(401, 403)
  start(@CurrentUser() admin: AuthUser, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): AdminSessionResponse {
    const { value, expiresAt } = this.sessions.issue(admin.id);
    reply.header('Set-Cookie', this.sessions.setCookie(value, request.protocol === 'https'));
    reply.header('Cache-Control', 'no-store');
    return { dashboard_url: DASHBOARD_PATH, expires_in: ADMIN_SESSION_TTL_SECONDS, expires_at: expiresAt.toISOString(), dashboard_available: this.redis };
  }

  @Delete()
  @Public()
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({
    summary: 'Sign this browser out of the queue dashboard (anyone: it only clears the cookie)',
    description:
      'Clears the session cookie in the browser that calls it. The session is not recorded on the server: a copy kept elsewhere lasts until it expires.',
  })
  @ApiNoContentResponse({ description: 'Signed out (or was not signed in)' })
  end(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): void {
    reply.header('Set-Cookie', this.sessions.clearCookie(request.protocol === 'https'));
  }
}
