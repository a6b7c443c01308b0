import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ForbiddenError } from '@app/core';
import { TokenVerifier } from './token-verifier';
import { AuthUser, IS_OPTIONAL_AUTH, IS_PUBLIC, REQUIRED_ROLE, Role, hasRole } from '@app/access';

/**
 * The one global guard: a route is public only when it says so; otherwise it needs a valid token
 * (401) and, when it names one, at least a role (403). An OptionalAuth route also lets a caller
 * without any token through, as anonymous.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: TokenVerifier,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const request = context.switchToHttp().getRequest<{ headers: Record<string, unknown>; user?: AuthUser }>();
    // OptionalAuth: no Authorization header at all means anonymous; one that is sent must be valid.
    if (request.headers.authorization === undefined && this.reflector.getAllAndOverride<boolean>(IS_OPTIONAL_AUTH, targets)) {
      return true;
    }
    const user = await this.tokens.authenticate(request.headers.authorization);
    request.user = user;
    const required = this.reflector.getAllAndOverride<Role | undefined>(REQUIRED_ROLE, targets);
    if (required && !hasRole(user, required)) {
      throw new ForbiddenError(`This needs the ${required} role`);
    }
    return true;
  }
}
