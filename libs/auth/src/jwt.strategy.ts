import { Injectable } from '@nestjs/common';
import { createSecretKey } from 'node:crypto';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { AppConfigService } from '@app/core';
import { UsersService } from '@app/users';
import { AuthUser } from './access/roles';
import type { TokenClaims } from './auth.service';

/**
 * HS256 only (an `alg: none` or RS256 token is refused), signature and expiry checked by
 * passport-jwt. The user is then loaded fresh, so a deleted or disabled user's token stops working
 * on the next request and the role used is the one in the database, not the token's.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy) {
  constructor(
    config: AppConfigService,
    private readonly users: UsersService,
  ) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      // A KeyObject, not the string: given a string, jsonwebtoken first tries it as a public key on
      // every verify (a throw and catch that cost ~0.5 ms of CPU per request, measured).
      secretOrKey: createSecretKey(Buffer.from(config.get('auth').secretKey, 'utf8')) as unknown as string,
      algorithms: ['HS256'],
      ignoreExpiration: false,
    });
  }

  async validate(claims: TokenClaims): Promise<AuthUser | false> {
    if (typeof claims.sub !== 'string') return false;
    return (await this.users.findActiveIdentity(claims.sub)) ?? false;
  }
}
