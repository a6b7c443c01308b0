import { ExecutionContext, SetMetadata, createParamDecorator } from '@nestjs/common';
import type { AuthUser, Role } from './roles';

export const IS_PUBLIC = 'access:public';
export const REQUIRED_ROLE = 'access:role';
export const IS_OPTIONAL_AUTH = 'access:optional';

/** The route answers without a token. Every other route needs one: the guard denies by default. */
export const Public = () => SetMetadata(IS_PUBLIC, true);

/**
 * The route answers without a token, but a token that is sent is checked (a bad one is a 401) and its
 * user is available through CurrentUser, which is undefined for an anonymous caller.
 */
export const OptionalAuth = () => SetMetadata(IS_OPTIONAL_AUTH, true);

/** The caller needs at least this role (403 otherwise). Without it, any signed-in user may call. */
export const RequireRole = (role: Role) => SetMetadata(REQUIRED_ROLE, role);

/** The signed-in caller, as the JWT strategy loaded them for this request (undefined on an OptionalAuth route without a token). */
export const CurrentUser = createParamDecorator((_data: unknown, ctx: ExecutionContext): AuthUser => ctx.switchToHttp().getRequest().user);
