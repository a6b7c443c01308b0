import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { UnauthorizedError } from '@app/core';
import { UsersService } from '@app/users';
import { AuthUser } from '@app/access';
import type { TokenClaims } from './auth.service';

/** Tokens whose signature was checked, kept so a client's next requests skip the check. */
export const VERIFIED_TOKENS_MAX = 10_000;

const BEARER = /^Bearer\s+(\S+)$/i;

/**
 * Who a bearer token speaks for. HS256 only (an `alg: none` or RS256 token is refused), signature and
 * expiry checked; then the user as they are now (UsersService.findActiveIdentity), so a disabled
 * user's token stops at once and the role used is the current one, not the token's.
 *
 * A token is an immutable string: once its signature has been checked, the same string needs no
 * second check until it expires. Checked tokens are kept (bounded, oldest dropped first) with
 * their subject and expiry; the expiry is still checked on every request.
 */
@Injectable()
export class TokenVerifier {
  private readonly verified = new Map<string, { sub: string; expiresAtMs: number }>();

  constructor(
    private readonly jwt: JwtService,
    private readonly users: UsersService,
  ) {}

  async authenticate(authorization: unknown): Promise<AuthUser> {
    const token = typeof authorization === 'string' ? BEARER.exec(authorization)?.[1] : undefined;
    if (!token) throw invalid();
    const user = await this.users.findActiveIdentity(this.subjectOf(token));
    if (!user) throw invalid();
    return user;
  }

  private subjectOf(token: string): string {
    const known = this.verified.get(token);
    if (known) {
      if (known.expiresAtMs > Date.now()) return known.sub;
      this.verified.delete(token);
      throw new UnauthorizedError('Token expired');
    }
    let claims: TokenClaims & { exp?: unknown };
    try {
      claims = this.jwt.verify<TokenClaims & { exp?: unknown }>(token);
    } catch (error) {
      throw (error as Error).name === 'TokenExpiredError' ? new UnauthorizedError('Token expired') : invalid();
    }
    // Every token this API signs has a subject and an expiry; one without is not ours.
    if (typeof claims.sub !== 'string' || typeof claims.exp !== 'number') throw invalid();
    if (this.verified.size >= VERIFIED_TOKENS_MAX) this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(token, { sub: claims.sub, expiresAtMs: claims.exp * 1000 });
    return claims.sub;
  }
}

function invalid(): UnauthorizedError {
  return new UnauthorizedError('Missing or invalid token');
}
