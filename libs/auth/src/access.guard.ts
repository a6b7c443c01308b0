import { ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { ForbiddenError, UnauthorizedError } from '@app/core';
import { IS_OPTIONAL_AUTH, IS_PUBLIC, REQUIRED_ROLE } from './decorators';
import { AuthUser, Role, hasRole } from './roles';

/**
 * The one global guard: a route is public only when it says so; otherwise it needs a valid token
 * (401) and, when it names one, at least a role (403). An OptionalAuth route also lets a caller
 * without any token through, as anonymous.
 */
@Injectable()
export class AccessGuard extends AuthGuard('jwt') {
  constructor(private readonly reflector: Reflector) {
    super();
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const request = context.switchToHttp().getRequest<{ headers: Record<string, unknown> }>();
    // OptionalAuth: no Authorization header at all means anonymous; one that is sent must be valid.
    if (request.headers.authorization === undefined && this.reflector.getAllAndOverride<boolean>(IS_OPTIONAL_AUTH, targets)) {
      return true;
    }
    await super.canActivate(context);
    const required = this.reflector.getAllAndOverride<Role | undefined>(REQUIRED_ROLE, targets);
    const user = context.switchToHttp().getRequest().user as AuthUser;
    if (required && !hasRole(user, required)) {
      throw new ForbiddenError(`This needs the ${required} role`);
    }
    return true;
  }

  override handleRequest<T>(error: unknown, user: T, info: unknown): T {
    if (error || !user) {
      const reason = info instanceof Error && info.name === 'TokenExpiredError' ? 'Token expired' : 'Missing or invalid token';
      throw new UnauthorizedError(reason);
    }
    return user;
  }
}
