import { ExecutionContext, SetMetadata, createParamDecorator } from '@nestjs/common';
import type { AuthUser, Role } from './roles';

export const IS_PUBLIC = 'access:public';
export const REQUIRED_ROLE = 'access:role';

/** The route answers without a token. Every other route needs one: the guard denies by default. */
export const Public = () => SetMetadata(IS_PUBLIC, true);

/** The caller needs at least this role (403 otherwise). Without it, any signed-in user may call. */
export const RequireRole = (role: Role) => SetMetadata(REQUIRED_ROLE, role);

/** The signed-in caller, as the JWT strategy loaded them for this request. */
export const CurrentUser = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): AuthUser => ctx.switchToHttp().getRequest().user,
);
