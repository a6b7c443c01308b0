import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { AppConfigService, TooManyRequestsError, UnauthorizedError } from '@app/core';
import { Metrics } from '@app/metrics';
import { UsersService } from '@app/users';
import { TokenResponse } from './dto/token.dto';
import { LoginThrottle } from './login-throttle';

/** What a token carries (§Roles): subject, role, issued-at (added by the signer), expiry. */
export interface TokenClaims {
  sub: string;
  role: string;
}

@Injectable()
export class AuthService {
  constructor(
    private readonly users: UsersService,
    private readonly jwt: JwtService,
    private readonly throttle: LoginThrottle,
    private readonly config: AppConfigService,
    private readonly metrics: Metrics,
  ) {}

  /** Wrong password, unknown user and disabled account all answer the same 401 at the same cost. */
  async login(username: string, password: string, address: string): Promise<TokenResponse> {
    const wait = await this.throttle.attempt(username, address);
    if (wait > 0) {
      this.metrics.loginFailed('throttled');
      throw new TooManyRequestsError(`Too many failed logins; try again in ${wait} seconds`, wait);
    }
    const user = await this.users.authenticate(username, password);
    if (!user) {
      this.metrics.loginFailed('bad_credentials');
      throw new UnauthorizedError('Incorrect username or password');
    }
    await this.throttle.reset(username, address);
    const expiresIn = this.config.get('auth').accessTokenExpireMinutes * 60;
    const claims: TokenClaims = { sub: user.id, role: user.role };
    return { access_token: await this.jwt.signAsync(claims, { expiresIn }), token_type: 'bearer', expires_in: expiresIn };
  }
}
